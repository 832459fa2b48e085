import type { Clock } from '../../src/ports/clock.ts';

/**
 * Simulated time for the send engine and its stand-ins: sleep(ms) moves the clock forward to the
 * sleeper's wake time at once (never backwards) and yields to I/O, so minutes of back-off, leases and
 * visibility timeouts pass in milliseconds of real time. Concurrent sleepers overlap, as they would.
 */
export class SimClock implements Clock {
  private t: number;
  constructor(start = Date.parse('2026-04-01T01:00:00Z')) {
    this.t = start;
  }
  now() {
    return new Date(this.t);
  }
  get ms() {
    return this.t;
  }
  advance(ms: number) {
    this.t += ms;
  }
  async sleep(ms: number) {
    // Wake time fixed at the call; the jump happens after yielding, so concurrent sleepers overlap.
    const wake = this.t + Math.max(0, ms);
    await new Promise((r) => setImmediate(r));
    this.t = Math.max(this.t, wake);
  }
}
