import { describe, expect, it } from 'vitest';
import { RateGate } from '../../../src/use-cases/sending/rate-gate.ts';
import { SimClock } from '../../support/sim-clock.ts';

/** Most sends in any window of `windowMs` (sliding over the send times). */
function maxInWindow(times: number[], windowMs: number) {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe('RateGate', () => {
  it('holds 20 concurrent senders at the rate: never more than rate per second, at least 99% of it', async () => {
    const clock = new SimClock();
    const gate = new RateGate(clock, { rate: 50 });
    const times: number[] = [];
    const start = clock.ms;
    let left = 1000;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (left-- > 0) {
          await gate.acquire();
          times.push(clock.ms);
        }
      }),
    );
    times.sort((a, b) => a - b);
    expect(times).toHaveLength(1000);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(50);
    const achieved = 1000 / ((times.at(-1)! - start) / 1000);
    expect(achieved).toBeGreaterThanOrEqual(49.5);
  });

  it('makes up a pause with a short burst but still never exceeds the rate in any second', async () => {
    const clock = new SimClock();
    const gate = new RateGate(clock, { rate: 50 });
    const times: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 20; i++) {
        await gate.acquire();
        times.push(clock.ms);
      }
      await clock.sleep(150); // the gap between two queue messages
    }
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(50);
    // 400 sends with 20 gaps of 150 ms: without make-up it would take ≥ 11 s.
    expect(times.at(-1)! - times[0]!).toBeLessThan(9_000);
  });

  it('halves the rate when throttled and climbs back to the ceiling on successes', async () => {
    const clock = new SimClock();
    const gate = new RateGate(clock, { rate: 10 });
    gate.onThrottled();
    expect(gate.rate).toBe(5);
    gate.onThrottled();
    expect(gate.rate).toBe(2.5);
    for (let i = 0; i < 100; i++) gate.onSuccess();
    expect(gate.rate).toBe(10);
    expect(gate.stats.throttled).toBe(2);
  });

  it('holds every sender with capped exponential back-off while SES is unavailable', async () => {
    const clock = new SimClock();
    const gate = new RateGate(clock, { rate: 100, random: () => 1 });
    const holds: number[] = [];
    for (let i = 0; i < 10; i++) {
      await gate.acquire();
      const before = clock.ms;
      gate.onUnavailable();
      await gate.acquire();
      holds.push(clock.ms - before);
    }
    expect(holds.slice(0, 4)).toEqual([500, 1000, 2000, 4000]);
    expect(Math.max(...holds)).toBe(60_000);
    gate.onSuccess();
    const before = clock.ms;
    gate.onUnavailable();
    await gate.acquire();
    expect(clock.ms - before).toBe(500);
  });

  it('follows a lower ceiling at once and a higher one when it was running at the old ceiling', () => {
    const gate = new RateGate(new SimClock(), { rate: 14 });
    gate.setMaxRate(7);
    expect(gate.rate).toBe(7);
    gate.setMaxRate(28);
    expect(gate.rate).toBe(28);
    expect(() => new RateGate(new SimClock(), { rate: 0 })).toThrow(/positive/);
  });
});
