import { makeRouter } from '../http/router.ts';
import { json, type Route } from '../http/types.ts';
import type { CampaignSource } from '../ports/campaign-source.ts';
import { composeEditions } from './editions.ts';
import { composeInbound } from './inbound.ts';
import type { Infra } from './infra.ts';
import { mergeJobHandlers } from './jobs.ts';
import { composeReminders } from './reminders.ts';
import { composeSending } from './sending.ts';
import { composeSubscribers } from './subscribers.ts';

/**
 * The whole application over one Infra: used by the embedded runtime and the API Lambda.
 * Single-purpose Lambdas compose only the area they need (see functions/).
 */
export function buildApp(infra: Infra) {
  const inbound = composeInbound(infra);
  const subscribers = composeSubscribers(infra);
  const editions = composeEditions(infra);
  const reminders = composeReminders(infra);
  const sources = [editions.source, reminders.source].filter((s): s is CampaignSource => s !== undefined);
  const sending = composeSending(infra, { sources });
  const health: Route = {
    method: 'GET',
    path: '/health',
    access: 'public',
    handler: async () => json(200, { ok: true }),
  };
  const routes = [
    health,
    ...inbound.routes,
    ...subscribers.routes,
    ...editions.routes,
    ...reminders.routes,
    ...sending.routes,
  ];
  const handle = makeRouter(routes, infra.logger);
  /** Runs a background job in this process (embedded runtime, single-purpose Lambdas). */
  const runJob = mergeJobHandlers(
    inbound.jobs,
    subscribers.jobs,
    editions.jobs,
    reminders.jobs,
    sending.jobs,
  );
  return { infra, inbound, subscribers, editions, reminders, sending, routes, handle, runJob };
}
export type App = ReturnType<typeof buildApp>;
