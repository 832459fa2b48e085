import type { Logger } from '../../ports/logger.ts';
import type { Queue } from '../../ports/queue.ts';

/**
 * In-process stand-in for SQS in the embedded runtime: messages are consumed one batch at a time by the
 * same worker use case the SQS Lambda runs. A failed batch is retried (at-least-once, like SQS) up to
 * maxReceives, then parked in `deadLetters` (the DLQ).
 */
export class LocalQueue<T> implements Queue<T> {
  private pending: { body: T; receives: number }[] = [];
  private consumer?: (message: T) => Promise<void>;
  private running?: Promise<void>;
  readonly deadLetters: T[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly maxReceives = 5,
  ) {}

  setConsumer(consumer: (message: T) => Promise<void>) {
    this.consumer = consumer;
  }

  async sendBatch(messages: T[]): Promise<void> {
    for (const body of messages) this.pending.push({ body, receives: 0 });
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when the queue is empty (tests, CLI demo). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  get depth() {
    return this.pending.length;
  }

  private async drain() {
    await Promise.resolve();
    while (this.pending.length) {
      const next = this.pending.shift()!;
      if (!this.consumer) throw new Error('LocalQueue has no consumer');
      next.receives++;
      try {
        await this.consumer(next.body);
      } catch (e) {
        if (next.receives >= this.maxReceives) {
          this.logger.error('message moved to dead-letter queue', { error: String(e) });
          this.deadLetters.push(next.body);
        } else {
          this.logger.warn('batch failed, will be redelivered', {
            error: String(e),
            receives: next.receives,
          });
          this.pending.push(next);
        }
      }
    }
  }
}
