import type { BackgroundJob, JobRunner } from '../../ports/jobs.ts';
import type { Logger } from '../../ports/logger.ts';

/** Runs background jobs in this process, after the current request returns (like an async invoke). */
export class LocalJobRunner implements JobRunner {
  private handler?: (job: BackgroundJob) => Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  setHandler(handler: (job: BackgroundJob) => Promise<void>) {
    this.handler = handler;
  }

  async run(job: BackgroundJob): Promise<void> {
    const handler = this.handler;
    if (!handler) throw new Error('LocalJobRunner has no handler');
    const p = new Promise<void>((r) => setImmediate(r))
      .then(() => handler(job))
      .catch((e) =>
        this.logger.error('background job failed', { job, error: String((e as Error)?.stack ?? e) }),
      )
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }
}
