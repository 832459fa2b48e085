import { ConfigError, NotFoundError } from '../../domain/errors.ts';
import type { SendJob, SendJobStatus, SendTally, Subscriber } from '../../domain/index.ts';
import type { CampaignSource, RecipientLinks } from '../../ports/campaign-source.ts';
import type { Clock } from '../../ports/clock.ts';
import type { BackgroundJob } from '../../ports/jobs.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Mailer, OutboundMessage } from '../../ports/mailer.ts';
import type { Queue, SendQueueMessage } from '../../ports/queue.ts';
import type { DeliveryRepo, RecipientDirectory, SendJobRepo, SuppressionCheck } from '../../ports/sending.ts';
import type { StatsRepo } from '../../ports/stats.ts';
import type { Links } from '../shared/links.ts';
import { RateGate } from './rate-gate.ts';
import type { SendSettings } from './settings.ts';

export interface SendEngineDeps {
  sources: CampaignSource[];
  deliveries: DeliveryRepo;
  jobs: SendJobRepo;
  stats: StatsRepo;
  /** Subscriber lookups at send time (the subscribers area's repo). */
  subscribers?: RecipientDirectory;
  /** Account suppression list (the subscribers area's repo). */
  suppressions?: SuppressionCheck;
  mailer: Mailer;
  /** The send queue: recipient batches, and the quota checks of a send paused for the daily quota. */
  queue: Queue<SendQueueMessage>;
  /** Starts a background job (async Lambda invoke on AWS, in-process locally). */
  runJob: (job: BackgroundJob) => Promise<void>;
  clock: Clock;
  logger: Logger;
  links: () => Promise<Links>;
  settings: SendSettings;
  /** Called once when every recipient of a campaign is resolved (editions publish the archive); retried by later reconciles until it succeeds. */
  onFinished?: (campaign: string) => Promise<void>;
  /** Best effort, after each status change (start, pause, resume, rerun, finish, cancel): e.g. editions mirror it. */
  onStatusChange?: (campaign: string, status: SendJobStatus, job: SendJob) => Promise<void>;
}

/** SES's lowest MaxSendRate (a sandbox account): the only rate that is safe before GetAccount answers. */
export const UNKNOWN_QUOTA_RATE = 1;
const QUOTA_RETRY_MS = 5_000;

type Personaliser = (subscriber: Subscriber, links: RecipientLinks) => OutboundMessage;

/** Per-process state shared by the engine's use cases: caches, the rate gate, the finish check. */
export interface EngineContext {
  deps: SendEngineDeps;
  source(campaign: string): CampaignSource;
  /** Is the job running? Cached for settings.jobStatusTtlMs so a pause reaches every worker within it. */
  isRunning(campaign: string, fresh?: boolean): Promise<boolean>;
  personaliser(campaign: string): Promise<Personaliser>;
  /** Messages/s for the whole fleet: min(SES GetAccount MaxSendRate, GAZETTE_MAX_SEND_RATE). */
  fleetRate(): Promise<number>;
  /** This worker's gate, at fleetRate / workerConcurrency. */
  gate(): Promise<RateGate>;
  reconcile(campaign: string): Promise<SendTally>;
  /** Tell onStatusChange (best effort: a failing hook is logged, never thrown). */
  notify(job: SendJob): Promise<void>;
  requireDirectory(): RecipientDirectory;
  requireSuppressions(): SuppressionCheck;
}

export function makeEngineContext(
  deps: SendEngineDeps,
  reconcile: (ctx: EngineContext, campaign: string) => Promise<SendTally>,
): EngineContext {
  const { clock, settings } = deps;
  const running = new Map<string, { at: number; running: boolean }>();
  const prepared = new Map<string, { at: number; fn: Promise<Personaliser> }>();
  let quota: { rate: number; at: number } | undefined;
  let quotaFailedAt = Number.NEGATIVE_INFINITY;
  let gate: RateGate | undefined;

  const ctx: EngineContext = {
    deps,
    async notify(job) {
      if (!deps.onStatusChange) return;
      try {
        await deps.onStatusChange(job.campaign, job.status, job);
      } catch (e) {
        deps.logger.warn('onStatusChange hook failed', {
          campaign: job.campaign,
          status: job.status,
          error: String(e),
        });
      }
    },
    source(campaign) {
      const s = deps.sources.find((x) => x.handles(campaign));
      if (!s) throw new NotFoundError(`no campaign source handles ${campaign}`);
      return s;
    },
    async isRunning(campaign, fresh = false) {
      const now = clock.now().getTime();
      const hit = running.get(campaign);
      if (!fresh && hit && now - hit.at < settings.jobStatusTtlMs) return hit.running;
      const job = await deps.jobs.get(campaign);
      const r = job?.status === 'running';
      running.set(campaign, { at: now, running: r });
      return r;
    },
    personaliser(campaign) {
      const now = clock.now().getTime();
      const hit = prepared.get(campaign);
      if (hit && now - hit.at < 5 * 60_000) return hit.fn;
      const fn = ctx.source(campaign).prepare(campaign);
      prepared.set(campaign, { at: now, fn });
      fn.catch(() => prepared.delete(campaign));
      return fn;
    },
    async fleetRate() {
      const now = clock.now().getTime();
      const stale = !quota || now - quota.at > settings.quotaTtlMs;
      // After a failed read, wait a little before asking again rather than once per batch.
      if (stale && now - quotaFailedAt >= QUOTA_RETRY_MS) {
        try {
          const q = await deps.mailer.getSendQuota();
          quota = { rate: q.maxSendRate, at: now };
        } catch (e) {
          quotaFailedAt = now;
          deps.logger.warn(
            quota
              ? 'could not read the SES send quota; using the last known rate'
              : `could not read the SES send quota; sending at ${UNKNOWN_QUOTA_RATE}/s until it is known`,
            { error: String(e) },
          );
        }
      }
      const cap = settings.maxSendRate ?? Number.POSITIVE_INFINITY;
      // The configured cap may be above the account's real rate: until SES says otherwise, assume the
      // lowest rate any SES account has rather than risk sending over the limit.
      if (!quota) return Math.min(cap, UNKNOWN_QUOTA_RATE);
      return Math.min(quota.rate, cap);
    },
    async gate() {
      const rate = (await ctx.fleetRate()) / settings.workerConcurrency;
      gate ??= new RateGate(clock, { rate });
      gate.setMaxRate(rate);
      return gate;
    },
    reconcile: (campaign) => reconcile(ctx, campaign),
    requireDirectory() {
      if (!deps.subscribers)
        throw new ConfigError('send engine: no subscriber directory wired (composeSending deps.subscribers)');
      return deps.subscribers;
    },
    requireSuppressions() {
      if (!deps.suppressions)
        throw new ConfigError('send engine: no suppression list wired (composeSending deps.suppressions)');
      return deps.suppressions;
    },
  };
  return ctx;
}
