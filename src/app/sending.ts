import type { Route } from '../http/types.ts';
import type { CampaignSource } from '../ports/campaign-source.ts';
import type { SendBatchMessage } from '../ports/queue.ts';
import type { Infra } from './infra.ts';
import type { JobHandlers } from './jobs.ts';

/** The send engine: plan (fan-out), worker (claim → send → mark), pause/resume, progress. */
export function composeSending(_infra: Infra, _deps: { sources: CampaignSource[] }) {
  const routes: Route[] = [];
  const jobs: JobHandlers = {};
  /** Consumer of the send queue (SQS worker Lambda / local in-process queue). */
  const processBatch = async (_batch: SendBatchMessage): Promise<void> => {};
  return { jobs, routes, processBatch };
}
export type SendingApp = ReturnType<typeof composeSending>;
