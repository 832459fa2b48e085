import type { Table } from '../adapters/dynamodb/table.ts';
import type { Config } from '../config/config.ts';
import type { BlobStores } from '../ports/blob-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { JobRunner } from '../ports/jobs.ts';
import type { Logger } from '../ports/logger.ts';
import type { Mailer } from '../ports/mailer.ts';
import type { Queue, SendBatchMessage } from '../ports/queue.ts';
import type { EditionRenderer } from '../ports/renderer.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { TemplateTools } from '../ports/templates.ts';

/**
 * What a runtime provides: the adapters, already pointed at AWS or at the local servers.
 * Each runtime (src/runtimes/{lambda,local,cli}) builds one; the area compositions in src/app turn it
 * into use cases. Use cases never see this type: they receive only the ports they need.
 */
export interface Infra {
  config: Config;
  table: Table;
  blobs: BlobStores;
  mailer: Mailer;
  scheduler: Scheduler;
  sendQueue: Queue<SendBatchMessage>;
  jobs: JobRunner;
  clock: Clock;
  logger: Logger;
  /** HMAC key for tokens (Secrets Manager on AWS, config locally); fetched once and cached. */
  tokenSecret: () => Promise<string>;
  /** Loaded lazily: mjml is heavy and only the edition compiler needs it. */
  renderer: () => Promise<EditionRenderer>;
  /**
   * mjml's validator and the deployed templates/ folder, beside the renderer (the embedded runtime and the
   * compile function). Absent: template checks go to the compile function (`jobs.ask`).
   */
  templateTools?: () => Promise<TemplateTools>;
}
