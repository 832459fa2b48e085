import { DynamoDeliveryRepo } from '../adapters/dynamodb/delivery-repo.ts';
import { DynamoRecipientLookup } from '../adapters/dynamodb/recipient-lookup.ts';
import { DynamoSendJobRepo } from '../adapters/dynamodb/send-job-repo.ts';
import { DynamoStatsRepo } from '../adapters/dynamodb/stats-repo.ts';
import { DeliveryStatus, type SendJob, SendJobStatus } from '../domain/index.ts';
import { parseWith } from '../http/body.ts';
import { json, type Route } from '../http/types.ts';
import type { CampaignSource } from '../ports/campaign-source.ts';
import type { Queue, SendQueueMessage } from '../ports/queue.ts';
import type { RecipientDirectory, SuppressionCheck } from '../ports/sending.ts';
import { makeSendEngine } from '../use-cases/sending/engine.ts';
import { type SendSettings, sendSettingsFrom } from '../use-cases/sending/settings.ts';
import { makeLinks } from '../use-cases/shared/links.ts';
import type { Infra } from './infra.ts';
import type { JobHandlers } from './jobs.ts';

export interface SendingDeps {
  sources: CampaignSource[];
  /** Subscriber lookups at send time (default: batched eventually consistent reads of the SUB# items). */
  subscribers?: RecipientDirectory;
  /** The account suppression list (default: batched eventually consistent reads of the SUPP# items). */
  suppressions?: SuppressionCheck;
  /** Called once when a campaign's send finishes (editions: publish the archive page); retried until it succeeds. */
  onFinished?: (campaign: string) => Promise<void>;
  /** Best effort after each status change (editions: mirror sending/paused/sent on the edition). */
  onStatusChange?: (campaign: string, status: SendJobStatus, job: SendJob) => Promise<void>;
  /** Tunables over those read from the configuration (tests: e.g. a short quota-check delay). */
  settings?: Partial<SendSettings>;
}

/** The send engine: plan (fan-out), worker (claim → send → record), pause/resume/rerun, progress. */
export function composeSending(infra: Infra, deps: SendingDeps) {
  // Infra members are lazy on Lambda: touch them only when used, so the API function never builds an SQS client it does not need.
  // Batched, eventually consistent reads of subscriber and suppression items: see docs/sending.md "cost".
  const lookup = new DynamoRecipientLookup(infra.table);
  const engine = makeSendEngine({
    sources: deps.sources,
    deliveries: new DynamoDeliveryRepo(infra.table),
    jobs: new DynamoSendJobRepo(infra.table),
    stats: new DynamoStatsRepo(infra.table),
    subscribers: deps.subscribers ?? lookup,
    suppressions: deps.suppressions ?? lookup,
    mailer: {
      send: (m) => infra.mailer.send(m),
      getSendQuota: () => infra.mailer.getSendQuota(),
    },
    // The send queue carries recipient batches and quota checks (SendQueueMessage, told apart by `kind`);
    // its adapters carry any JSON body, whatever Infra calls its element type.
    queue: {
      sendBatch: (m: SendQueueMessage[], opts?: { delayMs?: number }) => {
        const queue: Queue<SendQueueMessage> = infra.sendQueue;
        return queue.sendBatch(m, opts);
      },
    },
    runJob: (job) => infra.jobs.run(job),
    clock: infra.clock,
    logger: infra.logger.child({ area: 'sending' }),
    links: memo(async () =>
      makeLinks({ config: infra.config, secret: await infra.tokenSecret(), now: () => infra.clock.now() }),
    ),
    settings: { ...sendSettingsFrom(infra.config), ...deps.settings },
    onFinished: deps.onFinished,
    onStatusChange: deps.onStatusChange,
  });

  const actor = (req: { actor?: string }) => req.actor ?? 'unknown';
  const campaignOf = (req: { params: Record<string, string> }) => req.params.campaign ?? '';
  const routes: Route[] = [
    {
      method: 'GET',
      path: '/admin/sends',
      access: 'admin',
      handler: async (req) => {
        const status = req.query.status ? parseWith(SendJobStatus, req.query.status) : undefined;
        return json(200, { sends: await engine.list(status) });
      },
    },
    {
      method: 'GET',
      path: '/admin/sends/:campaign',
      access: 'admin',
      handler: async (req) =>
        json(
          200,
          await engine.status(campaignOf(req), { exact: ['1', 'true'].includes(req.query.exact ?? '') }),
        ),
    },
    {
      method: 'GET',
      path: '/admin/sends/:campaign/deliveries',
      access: 'admin',
      handler: async (req) => {
        const status = req.query.status ? parseWith(DeliveryStatus, req.query.status) : undefined;
        return json(200, { deliveries: await engine.deliveries(campaignOf(req), status) });
      },
    },
    ...(['start', 'pause', 'resume', 'rerun', 'cancel'] as const).map(
      (action): Route => ({
        method: 'POST',
        path: `/admin/sends/:campaign/${action}`,
        access: 'admin',
        // Starting, resuming, re-running or cancelling a send is an approver's decision; anyone may pause.
        ...(action === 'pause' ? {} : { role: 'approver' as const }),
        handler: async (req) => {
          const job = await engine[action](campaignOf(req), actor(req));
          // start/resume/rerun plan in the background.
          return json(action === 'pause' || action === 'cancel' ? 200 : 202, { send: job });
        },
      }),
    ),
  ];

  const jobs: JobHandlers = {
    'plan-send': async (job) => {
      await engine.plan(job.campaign);
    },
  };

  /**
   * Consumer of the send queue (local in-process queue): throws when part of a batch must be redelivered;
   * a quota check resumes the send or queues the next check.
   */
  const processBatch = async (message: SendQueueMessage): Promise<void> => {
    await engine.consume(message);
  };

  return {
    jobs,
    routes,
    processBatch,
    engine,
    startSend: engine.start,
    pause: engine.pause,
    resume: engine.resume,
    rerun: engine.rerun,
    cancel: engine.cancel,
    status: engine.status,
    confirmFromEvent: engine.confirmFromEvent,
  };
}
export type SendingApp = ReturnType<typeof composeSending>;

function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= make().catch((e) => {
      p = undefined;
      throw e;
    });
    return p;
  };
}
