import type { Route } from '../http/types.ts';
import type { CampaignSource } from '../ports/campaign-source.ts';
import type { Infra } from './infra.ts';
import type { JobHandlers } from './jobs.ts';

/** Editions: compile, preview, approve, archive, stats. */
export function composeEditions(_infra: Infra) {
  const routes: Route[] = [];
  const jobs: JobHandlers = {};
  const source = undefined as CampaignSource | undefined;
  return { jobs, routes, source };
}
export type EditionsApp = ReturnType<typeof composeEditions>;
