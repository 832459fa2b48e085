import type { Clock } from '../../ports/clock.ts';

export interface RateGateOptions {
  /** Messages per second this worker may send (its share of the account rate). */
  rate: number;
  /**
   * Sends allowed back to back after a pause (default: a fifth of a second's worth), so the gaps between
   * queue messages are made up. The sliding one-second window below still caps every second at the rate.
   */
  burst?: number;
  /** Lowest rate adaptive back-off may fall to, as a fraction of `rate`. */
  floor?: number;
  random?: () => number;
}

/**
 * Token bucket (GCRA form) on the injected Clock, with adaptive back-off:
 *  - throttled (SES said "Maximum sending rate exceeded" after the SDK's own retries): halve the rate and
 *    pause one interval; each success then adds 2% of the ceiling back (AIMD), so a transient squeeze
 *    costs a fraction of a second, a real limit change settles at the new level;
 *  - unavailable (5xx / outage): hold every send with capped exponential back-off (0.5 s … 60 s) so one
 *    probe at a time tests the water instead of every in-flight send hammering a failing endpoint.
 * Each caller reserves its own slot synchronously, so concurrent callers never share one token.
 */
export class RateGate {
  private ceiling: number;
  private current: number;
  private tat = 0;
  /** Grant times of the last second (ring of at most `rate` entries): no 1 s window ever exceeds the rate. */
  private recent: number[] = [];
  private holdUntil = 0;
  private failures = 0;
  private readonly burst: number;
  private readonly floor: number;
  private readonly random: () => number;
  /** Counters for status and the benchmark. */
  readonly stats = { acquired: 0, throttled: 0, unavailable: 0, waitedMs: 0 };

  constructor(
    private readonly clock: Clock,
    opts: RateGateOptions,
  ) {
    if (!(opts.rate > 0)) throw new Error('rate must be positive');
    this.ceiling = opts.rate;
    this.current = opts.rate;
    this.burst = Math.max(1, opts.burst ?? Math.floor(opts.rate / 5));
    this.floor = opts.floor ?? 0.05;
    this.random = opts.random ?? Math.random;
  }

  get rate() {
    return this.current;
  }
  get maxRate() {
    return this.ceiling;
  }

  /** New ceiling (account quota or configuration changed). */
  setMaxRate(rate: number) {
    if (!(rate > 0) || rate === this.ceiling) return;
    const atCeiling = this.current >= this.ceiling;
    this.ceiling = rate;
    this.current = atCeiling ? rate : Math.min(this.current, rate);
  }

  /** Resolves when this caller may send one message. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now().getTime();
      if (this.holdUntil > now) {
        await this.wait(this.holdUntil - now);
        continue;
      }
      const interval = 1000 / this.current;
      // Sliding window: the grant that would make this second's count exceed the rate waits for the oldest.
      const perSecond = Math.max(1, Math.floor(this.current));
      while (this.recent.length && this.recent[0]! <= now - 1000) this.recent.shift();
      const windowAt =
        this.recent.length >= perSecond ? this.recent[this.recent.length - perSecond]! + 1000 : now;
      const burst = Math.min(this.burst, perSecond);
      const tat = Math.max(this.tat, now);
      const allowAt = Math.max(tat - (burst - 1) * interval, windowAt);
      this.tat = Math.max(tat, allowAt) + interval;
      this.recent.push(Math.max(now, allowAt));
      if (allowAt > now) {
        await this.wait(allowAt - now);
        // A hold that started while we slept applies to us too.
        if (this.holdUntil > this.clock.now().getTime()) continue;
      }
      this.stats.acquired++;
      return;
    }
  }

  onSuccess() {
    this.failures = 0;
    if (this.current < this.ceiling)
      this.current = Math.min(this.ceiling, this.current + this.ceiling * 0.02);
  }

  onThrottled() {
    this.stats.throttled++;
    this.current = Math.max(this.ceiling * this.floor, this.current / 2);
    const now = this.clock.now().getTime();
    this.holdUntil = Math.max(this.holdUntil, now + 1000 / this.current);
    this.tat = Math.max(this.tat, this.holdUntil);
  }

  onUnavailable() {
    this.stats.unavailable++;
    this.failures++;
    const base = Math.min(60_000, 500 * 2 ** (this.failures - 1));
    const now = this.clock.now().getTime();
    this.holdUntil = Math.max(this.holdUntil, now + base * (0.5 + this.random() / 2));
    this.tat = Math.max(this.tat, this.holdUntil);
  }

  private async wait(ms: number) {
    this.stats.waitedMs += ms;
    await this.clock.sleep(ms);
  }
}
