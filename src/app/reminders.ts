import * as z from 'zod';
import { DynamoDeadlineRepo } from '../adapters/dynamodb/deadline-repo.ts';
import { DynamoMemberRepo } from '../adapters/dynamodb/member-repo.ts';
import { DynamoSegmentRepo } from '../adapters/dynamodb/segment-repo.ts';
import { DynamoStatsRepo } from '../adapters/dynamodb/stats-repo.ts';
import { DynamoSubscriberRepo } from '../adapters/dynamodb/subscriber-repo.ts';
import { DynamoSuppressionRepo } from '../adapters/dynamodb/suppression-repo.ts';
import { ConfigError } from '../domain/errors.ts';
import type { Deadline } from '../domain/index.ts';
import { reminderCampaign } from '../domain/reminder-schedule.ts';
import { parseJsonBody } from '../http/body.ts';
import { type HttpRequest, json, type Route } from '../http/types.ts';
import type { DeadlineRepo, MemberLookup } from '../ports/deadlines.ts';
import type { JobRunner } from '../ports/jobs.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { SegmentRepo } from '../ports/segments.ts';
import type { SubscriberRepo, SuppressionRepo } from '../ports/subscribers.ts';
import {
  type DeadlineView,
  makeCancelDeadline,
  makeCreateDeadline,
  makeGetDeadline,
  makeListDeadlines,
  makeUpdateDeadline,
  type StartSend,
} from '../use-cases/reminders/deadlines.ts';
import { makeFireReminder } from '../use-cases/reminders/fire-reminder.ts';
import { makeReconcileReminders } from '../use-cases/reminders/reconcile.ts';
import { makeRemindNow } from '../use-cases/reminders/remind-now.ts';
import { makeReminderSource } from '../use-cases/reminders/reminder-source.ts';
import type { Infra } from './infra.ts';
import type { JobHandlers } from './jobs.ts';
import { systemLayoutOf } from './system-layout.ts';

/**
 * What reminders need from other areas:
 *   startSend    the send engine (src/use-cases/sending): starts a wave `reminder#<id>#<offset>`; wired by
 *                the container (a second start of the same campaign must fail with a ConflictError)
 *   subscribers  confirmed subscribers, page by page (recipients of a wave)
 *   members      member type and status (audiences "members" and "member-type:X")
 *   suppressions so a dry run leaves out suppressed addresses, as the real send will
 * The last three default to the other areas' DynamoDB repositories over the same table.
 * A missing startSend fails only when a reminder is actually sent.
 */
export interface RemindersDeps {
  startSend?: StartSend;
  subscribers?: Pick<SubscriberRepo, 'listByStatus'>;
  members?: MemberLookup;
  suppressions?: Pick<SuppressionRepo, 'isSuppressed'>;
  /** Saved segments (audience "segment:<id>"); default: DynamoDB over infra.table. */
  segments?: Pick<SegmentRepo, 'get'>;
  /** The send engine's rerun: tops up a day wave at each later readers' hour (docs/reminders.md). */
  rerunSend?: StartSend;
  /**
   * Refuse an item whose audience has no confirmed subscriber, before anything is scheduled (issue 14).
   * The container turns it on; unit tests of scheduling alone leave it off.
   */
  requireAudience?: boolean;
  /** Override the repository (tests); default: DynamoDB over infra.table. */
  repo?: DeadlineRepo;
  /** Operator metrics (the reminder Lambda: ReminderLatenessMs per fired wave); default: none. */
  metrics?: Metrics;
}

const missing = (what: string): never => {
  throw new ConfigError(`reminders: ${what} is not wired (see RemindersDeps in src/app/reminders.ts)`);
};

/** Deadlines and events, their reminders and schedules. */
export function composeReminders(infra: Infra, deps: RemindersDeps = {}) {
  const repo = deps.repo ?? new DynamoDeadlineRepo(infra.table);
  const stats = new DynamoStatsRepo(infra.table);
  const logger = infra.logger.child({ area: 'reminders' });
  // Lazy: on AWS `infra.scheduler`/`infra.jobs` build clients that need env vars only some functions have.
  const scheduler: Scheduler = {
    upsert: (s) => infra.scheduler.upsert(s),
    delete: (name) => infra.scheduler.delete(name),
  };
  const jobRunner: JobRunner = { run: (job) => infra.jobs.run(job) };
  const startSend: StartSend = (campaign, by) =>
    (deps.startSend ?? missing('the send engine (startSend)'))(campaign, by);
  const base = { repo, scheduler, jobs: jobRunner, clock: infra.clock, logger };
  const subscribers = deps.subscribers ?? new DynamoSubscriberRepo(infra.table);
  const members = deps.members ?? new DynamoMemberRepo(infra.table);
  const suppressions = deps.suppressions ?? new DynamoSuppressionRepo(infra.table);
  const segments = deps.segments ?? new DynamoSegmentRepo(infra.table);

  const source = makeReminderSource({
    repo,
    clock: infra.clock,
    subscribers: () => subscribers,
    members: () => members,
    segments: () => segments,
    systemLayout: systemLayoutOf(infra),
    config: {
      from: infra.config.GAZETTE_FROM,
      newsletterName: infra.config.GAZETTE_NEWSLETTER_NAME,
      postalAddress: infra.config.GAZETTE_POSTAL_ADDRESS,
    },
  });
  const requireAudience = deps.requireAudience
    ? (d: Deadline) =>
        source.audiences.requireRecipients(d.audience, 'reminders', `${d.kind} "${d.title.slice(0, 80)}"`)
    : undefined;
  const reconcile = makeReconcileReminders(base);
  const createDeadline = makeCreateDeadline({ ...base, requireAudience });
  const updateDeadline = makeUpdateDeadline({ ...base, startSend, requireAudience });
  const cancelDeadline = makeCancelDeadline(base);
  const getDeadline = makeGetDeadline(base);
  const listDeadlines = makeListDeadlines(base);
  const fireReminder = makeFireReminder({
    ...base,
    reconcile,
    startSend,
    topUp: deps.rerunSend,
    nextReaderTime: source.nextReaderTime,
    metrics: deps.metrics,
  });
  const remindNow = makeRemindNow({
    repo,
    source,
    startSend: () => startSend,
    suppressions: () => suppressions,
    clock: infra.clock,
  });

  /** Show: the item, its reminders and, for waves already started, their delivery counters. */
  async function showDeadline(deadlineId: string) {
    const view = await getDeadline(deadlineId);
    const reminders = await Promise.all(
      view.reminders.map(async (r) =>
        r.status === 'sent' || r.status === 'sending'
          ? {
              ...r,
              stats: await stats.get(reminderCampaign(r.deadlineId, { kind: 'offset', offset: r.offset })),
            }
          : r,
      ),
    );
    return { ...view, reminders };
  }

  /**
   * List: each active item with a `failed` reminder says which and why (`failedReminders`), so the secretariat
   * sees it without opening every item. One query per active item, a few at a time.
   */
  async function withFailures(deadlines: Deadline[]) {
    const out: (Deadline & { failedReminders?: { offset: string; error?: string }[] })[] = [];
    for (let i = 0; i < deadlines.length; i += 8) {
      const chunk = deadlines.slice(i, i + 8);
      out.push(
        ...(await Promise.all(
          chunk.map(async (d) => {
            if (d.status !== 'active') return d;
            const failed = (await repo.reminders(d.deadlineId)).filter((r) => r.status === 'failed');
            return failed.length
              ? { ...d, failedReminders: failed.map((r) => ({ offset: r.offset, error: r.error })) }
              : d;
          }),
        )),
      );
    }
    return out;
  }

  const actor = (req: HttpRequest) => req.actor ?? 'unknown';
  const body = (req: HttpRequest) => parseJsonBody(req, JsonObject);
  const view = (status: number, v: DeadlineView) => json(status, v);
  const routes: Route[] = [
    {
      method: 'POST',
      path: '/admin/deadlines',
      access: 'admin',
      // A deadline's reminders go out on their own schedule, with no later approval: approvers only.
      role: 'approver',
      handler: async (req) => view(201, await createDeadline(body(req))),
    },
    {
      method: 'GET',
      path: '/admin/deadlines',
      access: 'admin',
      handler: async (req) => {
        const status = req.query.status as 'active' | 'cancelled' | 'passed' | undefined;
        const deadlines = await listDeadlines({
          status: status && ['active', 'cancelled', 'passed'].includes(status) ? status : undefined,
          all: req.query.all === 'true',
          limit: req.query.limit ? Math.max(1, Number(req.query.limit) || 100) : undefined,
        });
        return json(200, { deadlines: await withFailures(deadlines) });
      },
    },
    {
      method: 'GET',
      path: '/admin/deadlines/:id',
      access: 'admin',
      handler: async (req) => json(200, await showDeadline(req.params.id!)),
    },
    {
      method: 'PATCH',
      path: '/admin/deadlines/:id',
      access: 'admin',
      role: 'approver',
      handler: async (req) => view(200, await updateDeadline(req.params.id!, body(req), actor(req))),
    },
    {
      method: 'POST',
      path: '/admin/deadlines/:id/cancel',
      access: 'admin',
      handler: async (req) => view(200, await cancelDeadline(req.params.id!, actor(req))),
    },
    {
      method: 'POST',
      path: '/admin/deadlines/:id/remind-now',
      access: 'admin',
      role: 'approver',
      handler: async (req) => {
        const b = body(req) as Record<string, unknown>;
        const dryRun = req.query.dryRun === 'true' || b.dryRun === true;
        const limit = req.query.limit ? Number(req.query.limit) : b.limit;
        const result = await remindNow(req.params.id!, { dryRun, limit }, actor(req));
        return json(result.dryRun ? 200 : 202, result);
      },
    },
  ];

  const jobs: JobHandlers = {
    reminder: async (job) => {
      const out = await fireReminder(job);
      if (out.outcome === 'failed')
        logger.warn('reminder job failed for good (see deadlines show)', { ...job, ...out });
      else logger.info('reminder job done', { ...job, ...out });
    },
  };

  return {
    jobs,
    routes,
    source,
    repo,
    createDeadline,
    updateDeadline,
    cancelDeadline,
    getDeadline,
    showDeadline,
    listDeadlines,
    remindNow,
    fireReminder,
    reconcile,
  };
}
export type RemindersApp = ReturnType<typeof composeReminders>;

const JsonObject = z.record(z.string(), z.unknown());
