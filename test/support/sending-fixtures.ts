/**
 * Test doubles for the send engine's collaborators owned by other areas (campaign sources, the
 * subscriber directory, the suppression list), plus a helper that composes the REAL sending area
 * (DynamoDB repos, SES mailer) over a running local stack with its own queue and job runner.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { LocalJobRunner } from '../../src/adapters/local/local-jobs.ts';
import { LocalQueue, type LocalQueueOptions } from '../../src/adapters/local/local-queue.ts';
import { SesMailer } from '../../src/adapters/ses/ses-mailer.ts';
import type { Infra } from '../../src/app/infra.ts';
import { composeSending, type SendingDeps } from '../../src/app/sending.ts';
import { emailHash, type Subscriber, subscriberIdFor } from '../../src/domain/index.ts';
import type { CampaignSource } from '../../src/ports/campaign-source.ts';
import type { BackgroundJob } from '../../src/ports/jobs.ts';
import type { SendBatchMessage } from '../../src/ports/queue.ts';
import type { RecipientDirectory, SuppressionCheck } from '../../src/ports/sending.ts';
import { LOCAL_CREDENTIALS } from '../../src/runtimes/local/stack.ts';
import { TEST_TOKEN_SECRET } from './local-stack.ts';

export function makeSubscribers(
  n: number,
  opts: { domain?: string; status?: Subscriber['status']; audiences?: Subscriber['audiences'] } = {},
) {
  const at = '2026-01-01T00:00:00.000Z';
  return Array.from({ length: n }, (_, i): Subscriber => {
    const email = `reader${String(i).padStart(5, '0')}@${opts.domain ?? 'example.org'}`;
    return {
      subscriberId: subscriberIdFor(email, TEST_TOKEN_SECRET),
      email,
      name: i % 3 === 0 ? `读者 ${i}` : `Reader ${i}`,
      language: 'en',
      timeZone: 'UTC',
      audiences: opts.audiences ?? ['newsletter'],
      status: opts.status ?? 'confirmed',
      source: 'admin',
      createdAt: at,
      updatedAt: at,
      softBounces: 0,
    };
  });
}

/** A campaign source over a mutable list (its own subscribers, paged like a DynamoDB query). */
export function testSource(
  list: Subscriber[],
  opts: { prefix?: string; ready?: () => boolean | string; pageSize?: number } = {},
): CampaignSource & { prepared: number } {
  const prefix = opts.prefix ?? 'test#';
  const src = {
    prepared: 0,
    handles: (c: string) => c.startsWith(prefix),
    async *recipients(_campaign: string) {
      const size = opts.pageSize ?? 100;
      const confirmed = list.filter((s) => s.status === 'confirmed');
      for (let i = 0; i < confirmed.length; i += size) yield confirmed.slice(i, i + size);
    },
    async prepare(campaign: string) {
      src.prepared++;
      const html = `<p>Hello {{name}}</p><p><a href="{{unsub}}">unsubscribe</a></p>`;
      return (s: Subscriber, links: { unsubscribeUrl: string }) => ({
        from: 'IGPN Gazette <news@gazette.local>',
        to: s.email,
        subject: `${campaign} for ${s.name}`,
        html: html.replace('{{name}}', s.name).replace('{{unsub}}', links.unsubscribeUrl),
        text: `Hello ${s.name}\nUnsubscribe: ${links.unsubscribeUrl}`,
      });
    },
    ready: opts.ready ? async () => opts.ready!() : undefined,
  };
  return src;
}

export function memoryDirectory(list: Subscriber[]): RecipientDirectory {
  return {
    async getMany(ids) {
      const byId = new Map(list.map((s) => [s.subscriberId, s]));
      return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
    },
  };
}

export function memorySuppressions(emails: string[] = []): SuppressionCheck & { add(e: string): void } {
  const set = new Set(emails.map(emailHash));
  return {
    add: (e) => set.add(emailHash(e)),
    isSuppressed: async (email) => set.has(emailHash(email)),
  };
}

/**
 * The real sending composition over a stack's infra, with its own queue and job runner (the stack's own
 * are wired to the lead's container). `workers` > 1 composes one engine per worker (each its own rate
 * gate, like separate Lambda instances) behind one queue. `infra` overrides let a test inject faults.
 */
export function composeTestSending(
  infra: Infra,
  deps: SendingDeps,
  opts: {
    queue?: LocalQueueOptions;
    workers?: number;
    infra?: Partial<Infra>;
    env?: Partial<Infra['config']>;
  } = {},
) {
  const workers = opts.workers ?? 1;
  const base = { ...infra, ...opts.infra };
  const queue = new LocalQueue<SendBatchMessage>(infra.logger, {
    visibilityMs: 200,
    clock: base.clock,
    concurrency: workers,
    ...opts.queue,
  });
  const runner = new LocalJobRunner(infra.logger);
  const config = {
    ...infra.config,
    GAZETTE_SEND_WORKER_CONCURRENCY: workers,
    ...opts.env,
  };
  const all = Array.from({ length: workers }, () =>
    composeSending({ ...base, config, sendQueue: queue, jobs: runner }, deps),
  );
  const sending = all[0]!;
  queue.setConsumer((m, w) => all[w % workers]!.processBatch(m));
  runner.setHandler(async (job: BackgroundJob) => {
    if (job.type === 'plan-send') await sending.engine.plan(job.campaign);
  });
  return {
    sending,
    all,
    queue,
    runner,
    async idle() {
      for (let i = 0; i < 100; i++) {
        await runner.idle();
        await queue.idle();
        if (queue.depth === 0) return runner.idle();
      }
    },
  };
}

/** How many mails the SES stand-in holds per recipient address. */
export function countByRecipient(mails: { destination: { to: string[] } }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of mails) for (const to of m.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

/**
 * The real SES adapter and SDK retry path, with the SDK's back-off delays shortened (they run on real
 * timers, which simulated-time tests cannot skip). Same attempts and error handling as production.
 */
export function fastRetrySesMailer(endpoint: string) {
  return new SesMailer(
    new SESv2Client({
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      endpoint,
      retryStrategy: new ConfiguredRetryStrategy(2, (attempt) => 2 * attempt),
    }),
  );
}
