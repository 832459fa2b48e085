import type { TemplateWorkRequest } from '../domain/template-set.ts';

/**
 * Background work started by a request but too long for it (compiling an edition, planning a send,
 * firing a reminder). AWS: an async Lambda invoke / SQS message; embedded runtime: run in-process.
 */
export type BackgroundJob =
  | { type: 'compile-edition'; windowStart?: string; windowEnd?: string; requestedBy: string }
  | { type: 'plan-send'; campaign: string; requestedBy: string }
  | { type: 'reminder'; deadlineId: string; offset: string; version: number }
  | { type: 'send-edition'; number: number; at: string }
  /** The secretariat's daily digest of quarantined and rejected member mail. */
  | { type: 'inbound-digest' }
  /** Member notices whose send failed and whose retry is due (every 15 minutes). */
  | { type: 'notice-retries' };

export interface JobRunner {
  run(job: BackgroundJob): Promise<void>;
  /**
   * A synchronous request to the compile function, the only one with mjml (AWS): template checks and
   * previews (src/use-cases/editions/templates.ts). Absent where mjml runs in-process.
   */
  ask?(request: TemplateWorkRequest): Promise<unknown>;
}
