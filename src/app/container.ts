import { makeRouter } from '../http/router.ts';
import { json, type Route } from '../http/types.ts';
import type { IngestGateway } from '../ports/inbound.ts';
import { composeInbound } from './inbound.ts';
import type { Infra } from './infra.ts';
import type { IngestDeps } from './ingest.ts';
import { mergeJobHandlers } from './jobs.ts';
import { buildOutbound } from './outbound.ts';
import { composeSubscribers } from './subscribers.ts';

const health: Route = {
  method: 'GET',
  path: '/health',
  access: 'public',
  handler: async () => json(200, { ok: true }),
};

/**
 * Only the public routes (/health and /v1: subscribe, confirm, preferences, erase, unsubscribe) over one
 * Infra: the public API function serves these with a role that cannot touch buckets, queues, schedules or
 * other functions, so nothing admin is even composed there (least privilege, issue 12 item 8).
 */
export function buildPublicApp(infra: Infra) {
  const subscribers = composeSubscribers(infra);
  const routes = [health, ...subscribers.routes.filter((r) => r.access === 'public')];
  return { infra, routes, handle: makeRouter(routes, infra.logger) };
}

/**
 * The whole application over one Infra: used by the embedded runtime and the API Lambda. With outbound.ts,
 * the only place where areas meet: each takes the others' use cases as plain functions.
 *
 * `makeIngest` supplies the MIME half of inbound: the embedded runtime passes composeIngest (in-process),
 * the API function a gateway to the ingest function, so its bundle carries no MIME parser. Whatever it
 * returns is handed back as `app.ingest`.
 */
export function buildApp<I extends { gateway: IngestGateway }>(
  infra: Infra,
  makeIngest: (deps: IngestDeps) => I,
) {
  const outbound = buildOutbound(infra);
  const { subscribers, editions, reminders, sending } = outbound;
  // Mail to the List-Unsubscribe mailto address is ingested too; the subscribers area acts on it.
  const ingest = makeIngest({ unsubscribeByEmail: subscribers.unsubscribeByEmail });
  const inbound = composeInbound(infra, { ingest: ingest.gateway });

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
  return { infra, inbound, ingest, subscribers, editions, reminders, sending, routes, handle, runJob };
}
