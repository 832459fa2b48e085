import { makeRouter } from '../http/router.ts';
import { json, type Route } from '../http/types.ts';
import type { CampaignSource } from '../ports/campaign-source.ts';
import { composeEditions } from './editions.ts';
import { composeInbound } from './inbound.ts';
import type { Infra } from './infra.ts';
import { mergeJobHandlers } from './jobs.ts';
import { composeReminders } from './reminders.ts';
import { composeSending, type SendingApp } from './sending.ts';
import { composeSubscribers } from './subscribers.ts';

/** "edition#8" → 8; anything else → undefined. */
const editionNumberOf = (campaign: string) => {
  const m = /^edition#(\d+)$/.exec(campaign);
  return m ? Number(m[1]) : undefined;
};

/**
 * The whole application over one Infra: used by the embedded runtime, the API Lambda and the dispatch
 * Lambda. Other single-purpose Lambdas compose only the areas they need (see functions/).
 * This is the one place where areas meet: each takes the others' use cases as plain functions.
 */
export function buildApp(infra: Infra) {
  // Areas that need each other's use cases bind late through these (composition order is a line, not a graph).
  let sending: SendingApp | undefined;
  const subscribers = composeSubscribers(infra, {
    onMailSent: (campaign, subscriberId, messageId) =>
      ready(sending).confirmFromEvent(campaign, subscriberId, messageId),
  });
  const inbound = composeInbound(infra, { unsubscribeByEmail: subscribers.unsubscribeByEmail });

  const editions = composeEditions(infra, {
    subscribers: subscribers.subscriberRepo,
    stats: subscribers.statsRepo,
  });

  const reminders = composeReminders(infra, {
    startSend: (campaign, by) => ready(sending).startSend(campaign, by),
    subscribers: subscribers.subscriberRepo,
    suppressions: subscribers.suppressionRepo,
  });

  const sources = [editions.source, reminders.source].filter((s): s is CampaignSource => s !== undefined);
  sending = composeSending(infra, {
    sources,
    subscribers: subscribers.subscriberRepo,
    suppressions: subscribers.suppressionRepo,
    // A finished edition send publishes the archive page and marks its updates published.
    onFinished: async (campaign) => {
      const n = editionNumberOf(campaign);
      if (n !== undefined) await editions.publishArchive(n);
    },
    // Mirror the send job's state on the edition (sending / paused), for `editions list`.
    onStatusChange: async (campaign, status) => {
      const n = editionNumberOf(campaign);
      if (n === undefined) return;
      if (status === 'running') await editions.setSendStatus(n, 'sending');
      else if (status === 'paused') await editions.setSendStatus(n, 'paused');
    },
  });

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
  /** Runs a background job in this process (embedded runtime, dispatch Lambda). */
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

function ready<T>(area: T | undefined): T {
  if (!area) throw new Error('application is still being composed');
  return area;
}
