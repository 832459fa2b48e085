import type { Route } from '../http/types.ts';
import type { CampaignSource } from '../ports/campaign-source.ts';
import type { Infra } from './infra.ts';
import type { JobHandlers } from './jobs.ts';

/** Deadlines and events, their reminders and schedules. */
export function composeReminders(_infra: Infra) {
  const routes: Route[] = [];
  const jobs: JobHandlers = {};
  const source = undefined as CampaignSource | undefined;
  return { jobs, routes, source };
}
export type RemindersApp = ReturnType<typeof composeReminders>;
