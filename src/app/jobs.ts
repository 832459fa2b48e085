import type { BackgroundJob } from '../ports/jobs.ts';

type JobOf<T extends BackgroundJob['type']> = Extract<BackgroundJob, { type: T }>;
/** Each area registers handlers for the background jobs it owns; the container merges them. */
export type JobHandlers = { [T in BackgroundJob['type']]?: (job: JobOf<T>) => Promise<void> };

export function mergeJobHandlers(...all: JobHandlers[]): (job: BackgroundJob) => Promise<void> {
  const merged: JobHandlers = Object.assign({}, ...all);
  return async (job) => {
    const handler = merged[job.type] as ((j: BackgroundJob) => Promise<void>) | undefined;
    if (!handler) throw new Error(`no handler for background job ${job.type}`);
    await handler(job);
  };
}
