import { describe, expect, it } from 'vitest';
import { LocalQueue } from '../../../src/adapters/local/local-queue.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import { SimClock } from '../../support/sim-clock.ts';

describe('LocalQueue (the embedded SQS stand-in)', () => {
  it('redelivers a failed message after the visibility timeout, then dead-letters it after maxReceives', async () => {
    const clock = new SimClock();
    const q = new LocalQueue<string>(silentLogger, { clock, visibilityMs: 30_000, maxReceives: 3 });
    const seen: number[] = [];
    q.setConsumer(async (m) => {
      seen.push(clock.ms);
      if (m === 'bad') throw new Error('boom');
    });
    await q.sendBatch(['bad', 'good']);
    await q.idle();
    expect(seen).toHaveLength(4);
    expect(seen[2]! - seen[0]!).toBeGreaterThanOrEqual(30_000);
    expect(q.deadLetters).toEqual(['bad']);
    expect(q.depth).toBe(0);
  });

  it('delivers to several consumers at once and can inject duplicate deliveries (at-least-once)', async () => {
    let draws = 0;
    // Duplicate the first two receives only.
    const random = () => (draws++ < 2 ? 0 : 1);
    const q = new LocalQueue<number>(silentLogger, { concurrency: 3, duplicateRate: 0.5, random });
    const workers = new Set<number>();
    const got: number[] = [];
    q.setConsumer(async (m, w) => {
      workers.add(w);
      got.push(m);
      await new Promise((r) => setTimeout(r, 5));
    });
    await q.sendBatch([1, 2, 3, 4]);
    await q.idle();
    expect(q.stats.duplicated).toBe(2);
    expect(got.sort()).toEqual([1, 1, 2, 2, 3, 4]);
    expect(workers.size).toBe(3);
  });

  it('holds a delayed message back for its delay on the injected clock (SQS DelaySeconds, at most 15 minutes)', async () => {
    const clock = new SimClock();
    const q = new LocalQueue<string>(silentLogger, { clock });
    const start = clock.ms;
    const seen: [string, number][] = [];
    q.setConsumer(async (m) => {
      seen.push([m, clock.ms - start]);
    });
    await Promise.all([
      q.sendBatch(['later'], { delayMs: 10 * 60_000 }),
      q.sendBatch(['capped'], { delayMs: 60 * 60_000 }),
      q.sendBatch(['now']),
    ]);
    await q.idle();
    expect(seen.map(([m]) => m)).toEqual(['now', 'later', 'capped']);
    expect(seen[0]![1]).toBe(0);
    expect(seen[1]![1]).toBeGreaterThanOrEqual(10 * 60_000);
    expect(seen[2]![1]).toBeGreaterThanOrEqual(15 * 60_000);
    expect(seen[2]![1]).toBeLessThan(16 * 60_000);
  });
});
