import { type Clock, systemClock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Queue } from '../../ports/queue.ts';

export interface LocalQueueOptions {
  /** Receives before a message is parked in the dead-letter list (SQS redrive maxReceiveCount). */
  maxReceives?: number;
  /** Consumers running at once (SQS event source maximum concurrency). */
  concurrency?: number;
  /** A failed message becomes visible again after this long (SQS visibility timeout). */
  visibilityMs?: number;
  clock?: Clock;
  /** Fault injection: chance that a receive also leaves a copy visible (SQS at-least-once delivery). */
  duplicateRate?: number;
  random?: () => number;
}

/** SQS's longest DelaySeconds (900 s). */
const MAX_DELAY_MS = 15 * 60_000;

interface Entry<T> {
  body: T;
  receives: number;
  visibleAt: number;
}

/**
 * In-process stand-in for SQS in the embedded runtime and tests: at-least-once delivery to `concurrency`
 * consumers, a visibility timeout before a failed message is retried and delayed messages (SQS DelaySeconds),
 * both on the injected clock so tests can run them on simulated time, and a dead-letter list after
 * maxReceives. Consumers are the same worker use case the SQS Lambda runs.
 */
export class LocalQueue<T> implements Queue<T> {
  private pending: Entry<T>[] = [];
  private consumer?: (message: T, worker: number) => Promise<void>;
  private running?: Promise<void>;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  readonly deadLetters: T[] = [];
  readonly stats = { received: 0, failed: 0, duplicated: 0 };
  private readonly o: Required<Omit<LocalQueueOptions, 'clock' | 'random'>> & {
    clock: Clock;
    random: () => number;
  };

  constructor(
    private readonly logger: Logger,
    opts: LocalQueueOptions | number = {},
  ) {
    const o = typeof opts === 'number' ? { maxReceives: opts } : opts;
    this.o = {
      maxReceives: o.maxReceives ?? 5,
      concurrency: Math.max(1, o.concurrency ?? 1),
      visibilityMs: o.visibilityMs ?? 1_000,
      duplicateRate: o.duplicateRate ?? 0,
      clock: o.clock ?? systemClock,
      random: o.random ?? Math.random,
    };
  }

  setConsumer(consumer: (message: T, worker: number) => Promise<void>) {
    this.consumer = consumer;
  }

  /** `delayMs` holds the messages back that long on the injected clock (SQS DelaySeconds, at most 15 minutes). */
  async sendBatch(messages: T[], opts: { delayMs?: number } = {}): Promise<void> {
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, opts.delayMs ?? 0));
    const visibleAt = this.o.clock.now().getTime() + delay;
    for (const body of messages) this.pending.push({ body, receives: 0, visibleAt });
    this.wakeAll();
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when nothing is queued or being processed (tests, CLI demo). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  get depth() {
    return this.pending.length + this.inFlight;
  }

  private wakeAll() {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  private async drain() {
    await Promise.resolve();
    await Promise.all(Array.from({ length: this.o.concurrency }, (_, i) => this.work(i)));
  }

  private async work(worker: number) {
    const { clock } = this.o;
    while (this.pending.length || this.inFlight) {
      const now = clock.now().getTime();
      const idx = this.pending.findIndex((e) => e.visibleAt <= now);
      if (idx < 0) {
        if (!this.pending.length || this.inFlight) {
          // Others are busy: wait for them (a failed message comes back) rather than move the clock.
          await new Promise<void>((r) => {
            this.waiters.push(r);
            setTimeout(r, 50);
          });
          continue;
        }
        const soonest = Math.min(...this.pending.map((e) => e.visibleAt));
        await clock.sleep(Math.max(1, soonest - now));
        continue;
      }
      const entry = this.pending.splice(idx, 1)[0]!;
      if (this.o.duplicateRate > 0 && this.o.random() < this.o.duplicateRate) {
        this.stats.duplicated++;
        this.pending.push({ ...entry });
      }
      if (!this.consumer) throw new Error('LocalQueue has no consumer');
      entry.receives++;
      this.stats.received++;
      this.inFlight++;
      try {
        await this.consumer(entry.body, worker);
      } catch (e) {
        this.stats.failed++;
        if (entry.receives >= this.o.maxReceives) {
          this.logger.error('message moved to dead-letter queue', { error: String(e) });
          this.deadLetters.push(entry.body);
        } else {
          this.logger.warn('batch failed, will be redelivered', {
            error: String(e),
            receives: entry.receives,
          });
          this.pending.push({ ...entry, visibleAt: clock.now().getTime() + this.o.visibilityMs });
        }
      } finally {
        this.inFlight--;
        this.wakeAll();
      }
    }
  }
}
