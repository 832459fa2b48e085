import { DAILY_QUOTA_PAUSER, newId, type Subscriber } from '../../domain/index.ts';
import {
  MailerOutcomeUnknownError,
  MailerPermanentError,
  MailerThrottledError,
  MailerTransientError,
  type OutboundMessage,
} from '../../ports/mailer.ts';
import type { SendBatchMessage } from '../../ports/queue.ts';
import type { DeliveryRecord, SentEntry } from '../../ports/sending.ts';
import type { EngineContext } from './context.ts';
import { autoResumeText, queueQuotaCheck } from './quota-resume.ts';
import { makeReputationGuard } from './reputation-guard.ts';
import { parallelismFor } from './settings.ts';

export interface BatchOutcome {
  campaign: string;
  sent: number;
  skipped: number;
  failed: number;
  uncertain: number;
  /** Already resolved by an earlier or concurrent delivery of this work (duplicate SQS delivery, re-run). */
  already: number;
  /** Not attempted because the job is paused or cancelled; resume re-plans them. */
  left: string[];
  /** Must be retried later: claimed by a live worker elsewhere, or this worker ran out of time. */
  deferred: string[];
  /** Throttling answers seen by the engine (after the SDK's own retries). */
  throttled: number;
}

/** Raised by the queue consumer so the message is redelivered (SQS: partial batch failure). */
export class BatchIncompleteError extends Error {
  override name = 'BatchIncompleteError';
  constructor(readonly outcome: BatchOutcome) {
    super(`${outcome.deferred.length} recipient(s) of ${outcome.campaign} deferred for redelivery`);
  }
}

const scopeFor = (campaign: string) =>
  campaign.startsWith('edition#') ? 'newsletter' : campaign.startsWith('reminder#') ? 'reminders' : 'all';

/** Keep this much of a worker's time budget for flushing outcomes and releasing unsent claims. */
const DEADLINE_MARGIN_MS = 5_000;
/**
 * The batch reads its subscribers and suppressions once; a send held longer than this (a slow rate, an SES
 * outage) looks again first, so someone who unsubscribed or was suppressed meanwhile is not mailed.
 */
export const RECIPIENT_SNAPSHOT_MS = 30_000;
/** SES's words for a used-up daily quota (its throttling answer says which limit was hit). */
const DAILY_QUOTA_TEXT = /daily (message |sending )?quota/i;
/** A throttled worker asks GetAccount whether the daily quota is used up at most this often. */
const QUOTA_CHECK_MS = 60_000;

/**
 * The worker: for each recipient of one queue message, skip (unsubscribed/suppressed) or
 * claim → send → record. Exactly-once rests on the claim: a conditional put no second worker can win.
 * A claim is only ever deleted when the engine KNOWS SES did not take the message (it answered with a
 * throttling or server error, or we never called it); a claim whose outcome is unknown stays and becomes
 * "uncertain" after its lease, never re-sent automatically.
 */
export function makeProcessBatch(ctx: EngineContext) {
  const { deps } = ctx;
  const { clock, deliveries, logger } = deps;
  const guard = makeReputationGuard(ctx);

  return async function processBatch(
    msg: SendBatchMessage,
    opts: { deadline?: number } = {},
  ): Promise<BatchOutcome> {
    const campaign = msg.campaign;
    const out: BatchOutcome = {
      campaign,
      sent: 0,
      skipped: 0,
      failed: 0,
      uncertain: 0,
      already: 0,
      left: [],
      deferred: [],
      throttled: 0,
    };
    const ids = [...new Set(msg.subscriberIds)];
    const log = logger.child({ campaign });
    // Paused, or its bounces and complaints say the list is bad (the guard then pauses it): leave them.
    if (!(await ctx.isRunning(campaign, true)) || (await guard.tripped(campaign))) {
      out.left.push(...ids);
      return out;
    }
    const subscribers = ctx.requireDirectory();
    const suppressions = ctx.requireSuppressions();
    const [personalise, links, found, gate] = await Promise.all([
      ctx.personaliser(campaign),
      deps.links(),
      subscribers.getMany(ids),
      ctx.gate(),
    ]);
    let byId = new Map(found.map((s) => [s.subscriberId, s]));
    const suppressedAmong = async (subs: Subscriber[]) =>
      suppressions.suppressedAmong ? suppressions.suppressedAmong(subs.map((s) => s.email)) : undefined;
    let suppressed = await suppressedAmong(found);
    let snapshotAt = clock.now().getTime();
    /** Bumped by each re-read: a recipient checked against an older snapshot is checked again. */
    let snapshot = 0;
    const isSuppressed = async (email: string) =>
      suppressed ? suppressed.has(email) : suppressions.isSuppressed(email);
    /** Why this recipient must not be mailed now, per the batch's snapshot; undefined if it may. */
    const unsendable = async (id: string): Promise<string | undefined> => {
      const sub = byId.get(id);
      if (!sub) return 'subscriber no longer exists';
      if (sub.status !== 'confirmed') return `subscriber is ${sub.status}`;
      if (await isSuppressed(sub.email)) return 'address is suppressed';
      return undefined;
    };
    let refreshing: Promise<void> | undefined;
    const refreshSnapshot = () => {
      refreshing ??= (async () => {
        const again = await subscribers.getMany(ids);
        const supp = await suppressedAmong(again);
        byId = new Map(again.map((s) => [s.subscriberId, s]));
        suppressed = supp;
        snapshotAt = clock.now().getTime();
        snapshot++;
      })().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    };
    /**
     * Throttled because the 24-hour quota is used up, not the rate? SES says so in its answer, or GetAccount
     * shows SentLast24Hours at Max24HourSend (-1: unlimited). Retrying cannot help for hours.
     */
    let quotaCheck: { at: number; used: Promise<boolean> } | undefined;
    const dailyQuotaUsedUp = (e: Error): Promise<boolean> => {
      if (DAILY_QUOTA_TEXT.test(e.message)) return Promise.resolve(true);
      const now = clock.now().getTime();
      if (!quotaCheck || now - quotaCheck.at > QUOTA_CHECK_MS) {
        const used = deps.mailer.getSendQuota().then(
          (q) => q.max24HourSend >= 0 && q.sentLast24Hours >= q.max24HourSend,
          () => false,
        );
        quotaCheck = { at: now, used };
      }
      return quotaCheck.used;
    };
    /**
     * Pause the job once, with the reason in its warnings (sends status), and queue the first quota check:
     * the engine resumes it by itself once GetAccount shows room (quota-resume.ts). Resume re-plans the rest.
     */
    let pausing: Promise<void> | undefined;
    const pauseForQuota = (why: string) => {
      pausing ??= (async () => {
        const at = clock.now().toISOString();
        const job = await deps.jobs.get(campaign);
        // Queued before the pause, so no pause is left without its check; a check whose pause did not
        // happen (another worker paused first, with its own check) finds another pausedAt and ends.
        let warning = `${at}: paused: the SES daily sending quota is used up (${why}); ${autoResumeText(deps.settings)}`;
        if (job?.status === 'running') {
          try {
            await queueQuotaCheck(deps, { kind: 'quota-check', campaign, pausedAt: at, checks: 0 });
          } catch (e) {
            log.error('could not queue the daily-quota check: the send waits for a human', {
              error: errText(e),
            });
            warning = `${at}: paused: the SES daily sending quota is used up (${why}); the automatic resume could not be scheduled (${errText(e)}): resume it once the 24-hour window frees`;
          }
        }
        const paused = await deps.jobs.transition(campaign, ['running'], 'paused', {
          pausedAt: at,
          pausedBy: DAILY_QUOTA_PAUSER,
          updatedAt: at,
          warnings: [...(job?.warnings ?? []), warning],
        });
        if (paused) {
          log.warn('SES daily sending quota used up: send paused', { error: why });
          await ctx.notify(paused);
        }
        await ctx.isRunning(campaign, true);
      })();
      return pausing;
    };
    const scope = scopeFor(campaign);
    const run = newId('run', clock.now());
    const lease = deps.settings.claimLeaseMs;
    const outOfTime = () =>
      opts.deadline !== undefined && clock.now().getTime() > opts.deadline - DEADLINE_MARGIN_MS;

    // Outcome log: successful sends, written in groups, in order.
    let buffer: SentEntry[] = [];
    let seq = 0;
    let flushing: Promise<void> = Promise.resolve();
    let flushError: unknown;
    const flush = () => {
      if (!buffer.length) return flushing;
      const group = buffer;
      buffer = [];
      const n = seq++;
      flushing = flushing
        .then(async () => {
          await retry(() => deliveries.recordSent(campaign, run, n, group, clock.now()), 3, clock);
          await deps.stats.increment(campaign, { sent: group.length });
        })
        .catch((e) => {
          // These sends happened but are unrecorded: their claims will surface as uncertain.
          flushError ??= e;
          log.error('could not record sent outcomes', { error: errText(e), count: group.length });
        });
      return flushing;
    };

    let crash: unknown;
    const resolveExisting = async (id: string, existing: DeliveryRecord): Promise<void> => {
      if (existing.status !== 'claimed') {
        out.already++;
        return;
      }
      const age = clock.now().getTime() - Date.parse(existing.claimedAt ?? '1970-01-01T00:00:00Z');
      if (age <= lease) {
        // Another worker holds it right now (a duplicate delivery): let it finish, look again later.
        out.deferred.push(id);
        return;
      }
      // Its worker died between claim and recorded outcome: we cannot know whether SES sent it.
      const marked = await deliveries.settle(
        campaign,
        id,
        existing.claimToken ?? '',
        'uncertain',
        clock.now(),
      );
      if (marked) {
        out.uncertain++;
        log.warn('claim outlived its lease: reported uncertain, not re-sent', { subscriberId: id });
      } else out.already++;
    };

    const skip = async (id: string, reason: string) => {
      if (await deliveries.skip(campaign, id, reason, clock.now())) out.skipped++;
      else {
        const existing = await deliveries.get(campaign, id);
        if (existing) await resolveExisting(id, existing);
        else out.deferred.push(id);
      }
    };

    const sendOne = async (id: string): Promise<void> => {
      if (crash !== undefined) return;
      if (outOfTime()) {
        out.deferred.push(id);
        return;
      }
      if (!(await ctx.isRunning(campaign)) || (await guard.tripped(campaign))) {
        out.left.push(id);
        return;
      }
      let checked = snapshot;
      const reason = await unsendable(id);
      if (reason) return skip(id, reason);
      const sub = byId.get(id) as Subscriber;

      // Claim BEFORE sending. A lost race or a spurious condition failure: look at what is there.
      const token = newId('claim', clock.now());
      let claimedAt = clock.now();
      let claimed = false;
      for (let attempt = 0; attempt < 3 && !claimed; attempt++) {
        const res = await deliveries.claim(campaign, id, { token, run, at: claimedAt });
        if (res.ok) claimed = true;
        else if (res.existing) return resolveExisting(id, res.existing);
      }
      if (!claimed) {
        out.deferred.push(id);
        return;
      }

      let message: OutboundMessage;
      try {
        message = build(personalise, sub, links.recipientLinks(id, scope), campaign);
      } catch (e) {
        await deliveries.settle(campaign, id, token, 'failed', clock.now(), `personalise: ${errText(e)}`);
        out.failed++;
        return;
      }

      for (;;) {
        await gate.acquire();
        // Released claims were never handed to SES: a later delivery or resume sends them.
        if (outOfTime()) {
          await deliveries.release(campaign, id, token);
          out.deferred.push(id);
          return;
        }
        if (!(await ctx.isRunning(campaign))) {
          await deliveries.release(campaign, id, token);
          out.left.push(id);
          return;
        }
        if (clock.now().getTime() - snapshotAt > RECIPIENT_SNAPSHOT_MS) {
          try {
            await refreshSnapshot();
          } catch (e) {
            // Cannot tell whether they may still be mailed: not now, a later delivery looks again.
            log.warn('could not re-read the recipient before a late send', { error: errText(e) });
            await deliveries.release(campaign, id, token);
            out.deferred.push(id);
            return;
          }
        }
        if (checked !== snapshot) {
          checked = snapshot;
          const gone = await unsendable(id);
          if (gone) {
            // Left (unsubscribed, suppressed) while this send was held: never handed to SES.
            if (await deliveries.release(campaign, id, token)) return skip(id, gone);
            out.already++;
            return;
          }
        }
        if (clock.now().getTime() - claimedAt.getTime() > lease / 3) {
          claimedAt = clock.now();
          if (!(await deliveries.renew(campaign, id, token, claimedAt))) {
            out.already++;
            return;
          }
        }
        try {
          const { messageId } = await deps.mailer.send(message);
          gate.onSuccess();
          buffer.push({ subscriberId: id, messageId });
          out.sent++;
          if (buffer.length >= deps.settings.logFlushSize) void flush();
          return;
        } catch (e) {
          if (e instanceof MailerOutcomeUnknownError) {
            // SES may have taken it: report, never re-send (an SES Send event can still confirm it).
            if (await deliveries.settle(campaign, id, token, 'uncertain', clock.now(), errText(e)))
              out.uncertain++;
            else out.already++;
            log.warn('no answer from SES: reported uncertain, not re-sent', { subscriberId: id });
            return;
          }
          if (e instanceof MailerThrottledError && (await dailyQuotaUsedUp(e))) {
            // Not a rate problem: hold the whole send (no retries, nobody failed) until the quota has room.
            await deliveries.release(campaign, id, token);
            out.left.push(id);
            await pauseForQuota(errText(e));
            return;
          }
          if (e instanceof MailerThrottledError) {
            out.throttled++;
            gate.onThrottled();
          } else if (e instanceof MailerTransientError) {
            // An SES error answer (5xx) means it did not take the message: hold everyone, retry.
            gate.onUnavailable();
            log.warn('SES unavailable, backing off', { error: errText(e) });
          } else if (e instanceof MailerPermanentError) {
            await deliveries.settle(campaign, id, token, 'failed', clock.now(), errText(e));
            out.failed++;
            return;
          } else {
            // Unknown outcome (a bug, a killed connection): leave the claim; it becomes uncertain.
            crash = e;
            return;
          }
        }
      }
    };

    const parallel = parallelismFor(gate.maxRate, deps.settings.parallelism);
    let next = 0;
    try {
      await Promise.all(
        Array.from({ length: Math.min(parallel, ids.length) }, async () => {
          while (next < ids.length && crash === undefined) {
            const id = ids[next++]!;
            try {
              await sendOne(id);
            } catch (e) {
              // Stop taking new recipients but let the other in-flight sends finish and be recorded.
              crash ??= e;
            }
          }
        }),
      );
    } finally {
      await flush();
      // Counted even when the batch crashed: what was resolved stays resolved.
      await deps.stats.increment(campaign, {
        failed: out.failed,
        uncertain: out.uncertain,
        suppressedSkipped: out.skipped,
      });
      // 'already' counts too: after a killed worker, its redelivery is what moves progress on.
      const resolved = out.sent + out.skipped + out.failed + out.uncertain + out.already;
      if (resolved > 0) {
        const job = await deps.jobs.addProgress(campaign, resolved);
        if (job.status === 'running' && job.planned && job.progress >= job.queued) {
          await ctx.reconcile(campaign).catch((e) => log.error('finish check failed', { error: errText(e) }));
        }
      }
    }
    if (crash !== undefined) throw crash;
    if (flushError !== undefined) throw flushError;

    log.info('batch done', {
      sent: out.sent,
      skipped: out.skipped,
      failed: out.failed,
      uncertain: out.uncertain,
      already: out.already,
      left: out.left.length,
      deferred: out.deferred.length,
      throttled: out.throttled,
      rate: gate.rate,
    });
    return out;
  };
}

function build(
  personalise: Awaited<ReturnType<EngineContext['personaliser']>>,
  sub: Subscriber,
  links: ReturnType<Awaited<ReturnType<EngineContext['deps']['links']>>['recipientLinks']>,
  campaign: string,
): OutboundMessage {
  const m = personalise(sub, links);
  return {
    ...m,
    to: sub.email,
    // The engine's list headers win: one-click unsubscribe must be exact on every bulk mail.
    headers: { ...m.headers, ...links.listHeaders },
    tags: { ...m.tags, campaign, subscriber: sub.subscriberId },
  };
}

async function retry<T>(fn: () => Promise<T>, times: number, clock: { sleep(ms: number): Promise<void> }) {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i + 1 >= times) throw e;
      await clock.sleep(100 * 2 ** i);
    }
  }
}

export const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 500);
