import type { CampaignSource } from '../ports/campaign-source.ts';
import { approvedUpdatesFrom } from '../use-cases/editions/approved-updates.ts';
import { composeEditions } from './editions.ts';
import type { Infra } from './infra.ts';
import { type JobHandlers, mergeJobHandlers } from './jobs.ts';
import { publishingWithNotice } from './notices.ts';
import { composeReminders } from './reminders.ts';
import { composeSending, type SendingApp } from './sending.ts';
import { composeSubscribers } from './subscribers.ts';

/** "edition#8" → 8; anything else → undefined. */
const editionNumberOf = (campaign: string) => {
  const m = /^edition#(\d+)$/.exec(campaign);
  return m ? Number(m[1]) : undefined;
};

/**
 * Everything that sends: subscribers, editions, reminders and the send engine, wired together. The send
 * worker and dispatch Lambdas use this alone, so their bundles carry no MIME parser (inbound).
 */
export function buildOutbound(infra: Infra) {
  // Areas that need each other's use cases bind late (composition order is a line, not a graph).
  let sending: SendingApp | undefined;
  const subscribers = composeSubscribers(infra, {
    onMailSent: (campaign, subscriberId, messageId) =>
      ready(sending).confirmFromEvent(campaign, subscriberId, messageId),
  });

  const editions = composeEditions(infra, {
    // Publishing an update (when its edition's send finishes) tells the member once, with the archive link.
    updates: approvedUpdatesFrom(publishingWithNotice(infra), infra.logger),
    subscribers: subscribers.subscriberRepo,
    stats: subscribers.statsRepo,
    // Send now and the scheduled send of an edition (POST /admin/editions/:n/send, PUT …/schedule).
    startSend: (campaign, by) => ready(sending).startSend(campaign, by),
    rerunSend: (campaign, by) => ready(sending).rerun(campaign, by),
  });

  const reminders = composeReminders(infra, {
    startSend: (campaign, by) => ready(sending).startSend(campaign, by),
    rerunSend: (campaign, by) => ready(sending).rerun(campaign, by),
    requireAudience: true,
    subscribers: subscribers.subscriberRepo,
    suppressions: subscribers.suppressionRepo,
  });

  const sources = [editions.source, reminders.source].filter((s): s is CampaignSource => s !== undefined);
  sending = composeSending(infra, {
    sources,
    // Recipients and suppressions: the engine's own batched read model (one BatchGetItem per 100), not
    // the subscribers area's point reads (a GetItem per recipient).
    // A finished edition send publishes the archive page and marks its updates published.
    onFinished: async (campaign) => {
      const n = editionNumberOf(campaign);
      if (n !== undefined) await editions.publishArchive(n);
    },
    // Mirror the send job's state on the edition (sending / paused / cancelled), for `editions list`.
    onStatusChange: async (campaign, status) => {
      const n = editionNumberOf(campaign);
      if (n === undefined) return;
      if (status === 'running') await editions.setSendStatus(n, 'sending');
      else if (status === 'paused') await editions.setSendStatus(n, 'paused');
      else if (status === 'cancelled') await editions.setSendStatus(n, 'cancelled');
    },
  });
  const jobs: JobHandlers = { ...subscribers.jobs, ...editions.jobs, ...reminders.jobs, ...sending.jobs };
  return { infra, subscribers, editions, reminders, sending, jobs, runJob: mergeJobHandlers(jobs) };
}
export type Outbound = ReturnType<typeof buildOutbound>;

function ready<T>(area: T | undefined): T {
  if (!area) throw new Error('application is still being composed');
  return area;
}
