import { describe, expect, it } from 'vitest';
import { makeTokenBucket } from '../../../src/use-cases/subscribers/throttle.ts';

describe('per-IP token bucket', () => {
  it('allows a burst, then refuses with the seconds to wait, then refills with time', () => {
    let now = 0;
    const bucket = makeTokenBucket({ perMinute: 6, now: () => now });
    for (let i = 0; i < 6; i++) expect(bucket.take('1.2.3.4')).toBe(0);
    expect(bucket.take('1.2.3.4')).toBe(10);
    expect(bucket.take('5.6.7.8')).toBe(0); // other clients are unaffected
    now += 10_000;
    expect(bucket.take('1.2.3.4')).toBe(0);
    expect(bucket.take('1.2.3.4')).toBeGreaterThan(0);
  });

  it('never holds more than capacity, however long a client was away', () => {
    let now = 0;
    const bucket = makeTokenBucket({ perMinute: 2, now: () => now });
    now += 3_600_000;
    expect([bucket.take('a'), bucket.take('a'), bucket.take('a')].map((w) => w === 0)).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('forgets the stalest clients beyond maxKeys (bounded memory)', () => {
    let now = 0;
    const bucket = makeTokenBucket({ perMinute: 1, now: () => now, maxKeys: 2 });
    bucket.take('a');
    expect(bucket.take('a')).toBeGreaterThan(0);
    bucket.take('b');
    bucket.take('c'); // evicts a
    now += 1;
    expect(bucket.take('a')).toBe(0);
  });
});
