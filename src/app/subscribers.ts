import type { Route } from '../http/types.ts';
import type { Infra } from './infra.ts';
import type { JobHandlers } from './jobs.ts';

/** Subscribers, opt-in, unsubscribe, SES events, suppression, import/export. */
export function composeSubscribers(_infra: Infra) {
  const routes: Route[] = [];
  const jobs: JobHandlers = {};
  return { jobs, routes };
}
export type SubscribersApp = ReturnType<typeof composeSubscribers>;
