import { makeRouter } from '../http/router.ts';
import { json, type Route } from '../http/types.ts';
import { composeInbound } from './inbound.ts';
import type { Infra } from './infra.ts';
import { mergeJobHandlers } from './jobs.ts';
import { buildOutbound } from './outbound.ts';

/**
 * The whole application over one Infra: used by the embedded runtime and the API Lambda. With outbound.ts,
 * the only place where areas meet: each takes the others' use cases as plain functions.
 */
export function buildApp(infra: Infra) {
  const outbound = buildOutbound(infra);
  const { subscribers, editions, reminders, sending } = outbound;
  const inbound = composeInbound(infra, { unsubscribeByEmail: subscribers.unsubscribeByEmail });

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
  /** Runs a background job in this process (embedded runtime). */
  const runJob = mergeJobHandlers(inbound.jobs, outbound.jobs);
  return { infra, inbound, subscribers, editions, reminders, sending, routes, handle, runJob };
}
export type App = ReturnType<typeof buildApp>;
