import {
  CampaignKey,
  ConflictError,
  DAILY_QUOTA_PAUSER,
  InvalidStateError,
  NotFoundError,
  REPUTATION_GUARD_PAUSER,
  type SendJob,
  type SendJobStatus,
  type SendStatus,
  type SendTally,
  ValidationError,
} from '../../domain/index.ts';
import { isQuotaCheck, type QuotaCheckMessage, type SendQueueMessage } from '../../ports/queue.ts';
import type { DeliveryRecord, SendJobRepo } from '../../ports/sending.ts';
import { type EngineContext, makeEngineContext, type SendEngineDeps } from './context.ts';
import { BatchIncompleteError, errText, makeProcessBatch } from './process-batch.ts';
import { queueQuotaCheck, quotaHasRoom, quotaText, span } from './quota-resume.ts';
import { reputationCounts } from './reputation-guard.ts';

export type { SendEngineDeps } from './context.ts';
export { BatchIncompleteError } from './process-batch.ts';

const parseCampaign = (campaign: string) => {
  const r = CampaignKey.safeParse(campaign);
  if (!r.success)
    throw new ValidationError(`not a campaign key: ${campaign} (edition#N, reminder#<id>#<offset>)`);
  return r.data;
};

/**
 * The send engine's use cases over injected ports. One instance per process: it owns the rate gate and
 * small caches, so every batch this process handles shares one token bucket.
 */
export function makeSendEngine(deps: SendEngineDeps) {
  const { clock, jobs, deliveries, logger } = deps;
  const ctx = makeEngineContext(deps, (c, campaign) => survey(c, campaign, 'reconcile'));
  const processBatch = makeProcessBatch(ctx);

  async function mustGet(campaign: string): Promise<SendJob> {
    const job = await jobs.get(parseCampaign(campaign));
    if (!job) throw new NotFoundError(`no send for ${campaign}`);
    return job;
  }

  const notify = ctx.notify;

  async function change(
    campaign: string,
    from: SendJobStatus[],
    to: SendJobStatus,
    patch: Partial<SendJob> | ((job: SendJob) => Partial<SendJob>),
    verb: string,
    when?: Parameters<SendJobRepo['transition']>[4],
  ): Promise<SendJob> {
    const job = await mustGet(campaign);
    const next = await jobs.transition(
      campaign,
      from,
      to,
      { ...(typeof patch === 'function' ? patch(job) : patch), updatedAt: clock.now().toISOString() },
      when,
    );
    if (!next) {
      const now = (await jobs.get(campaign))?.status ?? job.status;
      throw new InvalidStateError(`cannot ${verb} ${campaign}: the send is ${now}`, { status: now });
    }
    await notify(next);
    return next;
  }

  const engine = {
    processBatch,
    checkQuota,
    /**
     * Queue consumer form: a recipient batch throws BatchIncompleteError so the message is redelivered when
     * work remains; a quota check (the message's `kind`) is handled by checkQuota.
     */
    async consume(msg: SendQueueMessage, opts?: Parameters<typeof processBatch>[1]) {
      if (isQuotaCheck(msg)) return checkQuota(msg);
      const out = await processBatch(msg, opts);
      if (out.deferred.length) throw new BatchIncompleteError(out);
      return out;
    },

    /** Start sending a campaign: records the job and plans the fan-out in the background. */
    async start(campaign: string, actor: string): Promise<SendJob> {
      const key = parseCampaign(campaign);
      await assertReady(key);
      const now = clock.now().toISOString();
      const job: SendJob = {
        campaign: key,
        status: 'running',
        startedBy: actor,
        startedAt: now,
        updatedAt: now,
        recipients: 0,
        queued: 0,
        batches: 0,
        progress: 0,
        counted: 0,
        planned: false,
        runs: 0,
        finishedHookDone: false,
        warnings: [],
      };
      if (!(await jobs.create(job))) {
        const existing = await mustGet(key);
        const hint: Record<SendJobStatus, string> = {
          running: 'it is already sending (use status; rerun re-queues the unsent)',
          paused: 'it is paused: resume it',
          finished: 'it has been sent: rerun sends only to those not yet sent',
          cancelled: 'it was cancelled',
        };
        throw new ConflictError(`${key} was started before: ${hint[existing.status]}`, {
          status: existing.status,
        });
      }
      await notify(job);
      await deps.runJob({ type: 'plan-send', campaign: key, requestedBy: actor });
      return job;
    },

    /** Background job: enumerate recipients and queue everyone without a delivery record. */
    plan: (campaign: string) => survey(ctx, parseCampaign(campaign), 'plan'),

    async pause(campaign: string, actor: string): Promise<SendJob> {
      const now = clock.now().toISOString();
      const job = await mustGet(campaign);
      if (job.status === 'paused' && job.pausedBy === DAILY_QUOTA_PAUSER) {
        // Held for the daily quota: a human pause takes it over, so the engine no longer resumes it itself.
        const when = { pausedBy: DAILY_QUOTA_PAUSER, pausedAt: job.pausedAt };
        return change(campaign, ['paused'], 'paused', { pausedAt: now, pausedBy: actor }, 'pause', when);
      }
      return change(campaign, ['running'], 'paused', { pausedAt: now, pausedBy: actor }, 'pause');
    },

    /**
     * Resume a paused send: re-plans, so only recipients not yet claimed are queued. Resuming a send the
     * reputation guard paused acknowledges the counts it paused for (reputation-guard.ts).
     */
    async resume(campaign: string, actor: string): Promise<SendJob> {
      await assertReady(parseCampaign(campaign)); // e.g. its edition was cancelled while paused
      const at = clock.now().toISOString();
      const ack = await acknowledgeReputation(campaign, actor, at);
      const job = await change(
        campaign,
        ['paused'],
        'running',
        (j) => ({ resumedAt: at, resumedBy: actor, ...(ack ? ack.patch(j) : {}) }),
        'resume',
        ack?.when,
      );
      await deps.runJob({ type: 'plan-send', campaign, requestedBy: actor });
      return job;
    },

    /** "Send to those not yet sent": re-plan a running or finished send (after a DLQ, new subscribers…). */
    async rerun(campaign: string, actor: string): Promise<SendJob> {
      await assertReady(parseCampaign(campaign));
      const job = await change(
        campaign,
        ['running', 'finished'],
        'running',
        { finishedHookDone: false },
        'rerun',
      );
      await deps.runJob({ type: 'plan-send', campaign, requestedBy: actor });
      return job;
    },

    async cancel(campaign: string, _actor: string): Promise<SendJob> {
      return change(
        campaign,
        ['running', 'paused'],
        'cancelled',
        { cancelledAt: clock.now().toISOString() },
        'cancel',
      );
    },

    /**
     * Progress. Cheap by default (running counters); `exact` counts the delivery records, reports claims
     * past their lease as uncertain, re-queues anyone missed, and finishes the job when all are resolved.
     */
    async status(campaign: string, opts: { exact?: boolean } = {}): Promise<SendStatus> {
      const key = parseCampaign(campaign);
      await mustGet(key);
      if (opts.exact) {
        const t = await survey(ctx, key, 'reconcile');
        const job = await mustGet(key);
        return { campaign: key, status: job.status, ...pick(t), source: 'exact', job };
      }
      const [job, s] = await Promise.all([mustGet(key), deps.stats.get(key)]);
      const recipients = Math.max(job.recipients, job.counted);
      const resolved = s.sent + s.suppressedSkipped + s.failed + s.uncertain;
      return {
        campaign: key,
        status: job.status,
        recipients,
        sent: s.sent,
        skipped: s.suppressedSkipped,
        failed: s.failed,
        uncertain: s.uncertain,
        pending: Math.max(0, recipients - resolved),
        source: 'counters',
        job,
      };
    },

    list: (status?: SendJobStatus) => jobs.list(status),

    /** Every delivery record of a campaign (operator view of uncertain/failed recipients). */
    async deliveries(campaign: string, filter?: DeliveryRecord['status']): Promise<DeliveryRecord[]> {
      const out: DeliveryRecord[] = [];
      for await (const page of deliveries.list(parseCampaign(campaign)))
        out.push(...page.filter((d) => !filter || d.status === filter));
      return out;
    },

    /**
     * SES told us (a Send/Delivery event tagged campaign + subscriber) that a mail went out: an uncertain
     * recipient becomes sent. Called by the SES event handler; a no-op for anything else.
     */
    async confirmFromEvent(campaign: string, subscriberId: string, messageId: string): Promise<boolean> {
      if (!CampaignKey.safeParse(campaign).success) return false;
      const done = await deliveries.confirmSent(campaign, subscriberId, messageId, clock.now());
      if (done) await deps.stats.increment(campaign, { uncertain: -1, sent: 1 });
      return done;
    },

    /** For status and the benchmark: the rate this worker is holding. */
    async rate() {
      const gate = await ctx.gate();
      return { fleet: await ctx.fleetRate(), worker: gate.maxRate, current: gate.rate, ...gate.stats };
    },
  };
  return engine;

  /**
   * A quota check (docs/sending.md "Daily quota used up"): while the send is still paused by the daily-quota
   * pause that queued this check, resume it once GetAccount shows room (conditional on that very pause, so
   * a duplicate check or a human pause/resume/cancel in between never leads to a second resume), else
   * queue the next check, up to settings.quotaCheckForMs after the pause. The re-plan runs here, in the
   * worker; if it fails, the send is paused again as it was and the error rethrown, so the redelivered
   * check tries again.
   */
  async function checkQuota(msg: QuotaCheckMessage): Promise<'resumed' | 'waiting' | 'ended' | 'gave-up'> {
    const campaign = parseCampaign(msg.campaign);
    const log = logger.child({ campaign, pausedAt: msg.pausedAt, checks: msg.checks });
    const job = await jobs.get(campaign);
    const ours = job?.pausedBy === DAILY_QUOTA_PAUSER && job.pausedAt === msg.pausedAt;
    if (!ours || job.status !== 'paused') {
      log.info('quota check ended: the send is no longer paused for the daily quota', {
        status: job?.status,
      });
      return 'ended';
    }
    const now = clock.now();
    const quota = await deps.mailer.getSendQuota().catch((e) => {
      log.warn('quota check: could not read the SES send quota; looking again later', { error: errText(e) });
      return undefined;
    });
    const when = { pausedBy: DAILY_QUOTA_PAUSER, pausedAt: msg.pausedAt };
    if (quota && quotaHasRoom(quota, deps.settings.batchSize)) {
      const resumed = `${now.toISOString()}: resumed by itself: the SES daily quota has room again (${quotaText(quota)})`;
      try {
        await assertReady(campaign);
        await change(
          campaign,
          ['paused'],
          'running',
          (j) => ({
            resumedAt: now.toISOString(),
            resumedBy: DAILY_QUOTA_PAUSER,
            warnings: [...j.warnings, resumed],
          }),
          'resume',
          when,
        );
      } catch (e) {
        if (!(e instanceof InvalidStateError)) throw e;
        const still = await jobs.get(campaign);
        if (
          still?.status === 'paused' &&
          still.pausedBy === DAILY_QUOTA_PAUSER &&
          still.pausedAt === msg.pausedAt
        ) {
          // Its source refuses it now (e.g. the edition was cancelled): a human decides.
          await warnOnce(
            campaign,
            when,
            'not resumed by itself',
            `${now.toISOString()}: not resumed by itself after the daily-quota pause of ${msg.pausedAt}: ${e.message}`,
          );
        }
        log.info('quota check ended: not resumed', { reason: e.message });
        return 'ended';
      }
      log.info('SES daily quota has room again: send resumed', { ...quota });
      try {
        await survey(ctx, campaign, 'plan');
      } catch (e) {
        const again = await jobs
          .transition(campaign, ['running'], 'paused', { updatedAt: clock.now().toISOString() }, when)
          .catch(() => undefined);
        if (again) await notify(again);
        throw e;
      }
      return 'resumed';
    }
    const elapsed = now.getTime() - Date.parse(msg.pausedAt);
    if (elapsed + deps.settings.quotaCheckDelayMs > deps.settings.quotaCheckForMs) {
      const seen = quota ? quotaText(quota) : 'GetAccount did not answer';
      await warnOnce(
        campaign,
        when,
        'stopped waiting for the SES daily quota',
        `${now.toISOString()}: stopped waiting for the SES daily quota ${span(deps.settings.quotaCheckForMs)} after the pause of ${msg.pausedAt} (${seen}): resume it by hand`,
      );
      log.warn('SES daily quota still used up: automatic resume given up', { checks: msg.checks + 1 });
      return 'gave-up';
    }
    await queueQuotaCheck(deps, { ...msg, checks: msg.checks + 1 });
    return 'waiting';
  }

  /**
   * For the resume of a send the reputation guard paused: the campaign's counts now, recorded as seen by
   * `actor`, so the guard judges only later outcomes (conditional on that very pause).
   */
  async function acknowledgeReputation(campaign: string, actor: string, at: string) {
    const paused = await mustGet(campaign);
    if (paused.status !== 'paused' || paused.pausedBy !== REPUTATION_GUARD_PAUSER || !paused.reputation)
      return undefined;
    const reputation = paused.reputation;
    const counts = reputationCounts(await deps.stats.get(campaign));
    const note = `${at}: resumed by ${actor} after the reputation guard's pause, acknowledging ${counts.hardBounces} hard bounces and ${counts.complaints} complaints among ${counts.outcomes} SES outcomes`;
    return {
      when: { pausedBy: REPUTATION_GUARD_PAUSER, pausedAt: paused.pausedAt },
      patch: (j: SendJob): Partial<SendJob> => ({
        reputation: { ...reputation, acknowledged: { ...counts, at, by: actor } },
        warnings: [...j.warnings, note],
      }),
    };
  }

  /** Add a warning to a job still held by this pause, unless one about this pause says `what` already. */
  async function warnOnce(
    campaign: string,
    when: { pausedBy: string; pausedAt: string },
    what: string,
    warning: string,
  ) {
    const job = await jobs.get(campaign);
    if (!job || job.warnings.some((w) => w.includes(what) && w.includes(when.pausedAt))) return;
    await jobs.transition(campaign, ['paused'], 'paused', { warnings: [...job.warnings, warning] }, when);
  }

  /** Start, resume and rerun all ask the campaign's source first: nothing goes out for a cancelled edition. */
  async function assertReady(key: string): Promise<void> {
    const source = ctx.source(key);
    const ready = source.ready ? await source.ready(key) : true;
    if (ready !== true) {
      throw new InvalidStateError(
        typeof ready === 'string' ? ready : `${key} is not ready to send (is it approved?)`,
      );
    }
  }

  /**
   * The one walk over a campaign: delivery records + the source's current recipients.
   *  plan: queue everyone without a record (resume and rerun are plans too);
   *  reconcile: settle stale claims as uncertain, re-queue anyone missed once the queue drained, finish.
   */
  async function survey(c: EngineContext, campaign: string, mode: 'plan' | 'reconcile'): Promise<SendTally> {
    const log = logger.child({ campaign, mode });
    let job = await mustGet(campaign);
    if (mode === 'plan') {
      if (job.status !== 'running') {
        log.info('plan skipped: send is not running', { status: job.status });
        return job.tally ?? emptyTally();
      }
      const fleet = await c.fleetRate();
      job = await jobs.patch(campaign, {
        planned: false,
        progress: 0,
        queued: 0,
        batches: 0,
        runs: job.runs + 1,
        maxSendRate: fleet,
        updatedAt: clock.now().toISOString(),
      });
    }
    const now = clock.now();
    const tally = emptyTally();
    const known = new Set<string>();
    for await (const page of deliveries.list(campaign)) {
      for (const d of page) {
        known.add(d.subscriberId);
        if (d.status === 'claimed') {
          const age = now.getTime() - Date.parse(d.claimedAt ?? '1970-01-01T00:00:00Z');
          if (age > deps.settings.claimLeaseMs && d.claimToken) {
            if (await deliveries.settle(campaign, d.subscriberId, d.claimToken, 'uncertain', now)) {
              await deps.stats.increment(campaign, { uncertain: 1 });
              log.warn('claim outlived its lease: reported uncertain', { subscriberId: d.subscriberId });
            }
            tally.uncertain++;
          } else tally.inFlight++;
        } else if (d.status === 'sent') tally.sent++;
        else if (d.status === 'skipped') tally.skipped++;
        else if (d.status === 'failed') tally.failed++;
        else tally.uncertain++;
      }
    }

    // Plans queue the missing; a reconcile only once the queue has drained (else they are on their way).
    const mayQueue =
      mode === 'plan' || (job.status === 'running' && job.planned && job.progress >= job.queued);
    const size = deps.settings.batchSize;
    const pending: string[] = [];
    let queued = 0;
    let batches = 0;
    let enumerated = 0;
    const seen = new Set<string>();
    const flush = async (all: boolean) => {
      if (!mayQueue) return;
      while (pending.length >= size * 10 || (all && pending.length)) {
        const chunk = pending.splice(0, size * 10);
        const msgs = [];
        for (let i = 0; i < chunk.length; i += size)
          msgs.push({ campaign, subscriberIds: chunk.slice(i, i + size) });
        await deps.queue.sendBatch(msgs);
        queued += chunk.length;
        batches += msgs.length;
        if (mode === 'plan') {
          await jobs.patch(campaign, { recipients: enumerated, queued, batches });
        }
      }
    };
    for await (const page of c.source(campaign).recipients(campaign)) {
      for (const s of page) {
        if (seen.has(s.subscriberId)) continue;
        seen.add(s.subscriberId);
        enumerated++;
        if (!known.has(s.subscriberId)) pending.push(s.subscriberId);
      }
      tally.pending = pending.length + queued;
      await flush(false);
    }
    tally.pending = pending.length + queued;
    await flush(true);
    const distinct = new Set([...seen, ...known]).size;
    tally.recipients = distinct;

    job = await mustGet(campaign);
    const countedDelta = distinct - job.counted;
    if (countedDelta > 0) await deps.stats.increment(campaign, { recipients: countedDelta });
    const patch: Partial<SendJob> = {
      tally,
      counted: Math.max(job.counted, distinct),
      updatedAt: clock.now().toISOString(),
    };
    if (mode === 'plan') Object.assign(patch, { recipients: enumerated, queued, batches, planned: true });
    else if (queued) Object.assign(patch, { queued: job.queued + queued, batches: job.batches + batches });
    job = await jobs.patch(campaign, patch);
    if (mode === 'plan') log.info('planned', { recipients: enumerated, queued, batches });
    // Fast workers may have drained the queue before `planned` was set: they could not finish it.
    if (mode === 'plan' && queued > 0 && job.progress >= job.queued) return survey(c, campaign, 'reconcile');
    if (queued && mode === 'reconcile') log.warn('re-queued recipients that were missed', { queued });

    const done = tally.pending === 0 && tally.inFlight === 0;
    if (job.status === 'running' && job.planned && done && (mode === 'reconcile' || queued === 0)) {
      const finished = await jobs.transition(campaign, ['running'], 'finished', {
        finishedAt: clock.now().toISOString(),
        updatedAt: clock.now().toISOString(),
      });
      if (finished) {
        log.info('send finished', { ...tally });
        job = finished;
        await notify(finished);
      }
    }
    if (job.status === 'finished' && !job.finishedHookDone && deps.onFinished) {
      try {
        await deps.onFinished(campaign);
        await jobs.patch(campaign, { finishedHookDone: true });
      } catch (e) {
        // Retried by the next reconcile (status --exact).
        log.error('onFinished hook failed', { error: String((e as Error)?.stack ?? e) });
      }
    }
    return tally;
  }
}
export type SendEngine = ReturnType<typeof makeSendEngine>;

const emptyTally = (): SendTally => ({
  recipients: 0,
  sent: 0,
  skipped: 0,
  failed: 0,
  uncertain: 0,
  inFlight: 0,
  pending: 0,
});

const pick = (t: SendTally) => ({
  recipients: t.recipients,
  sent: t.sent,
  skipped: t.skipped,
  failed: t.failed,
  uncertain: t.uncertain,
  // In flight counts as pending for the operator: not resolved yet.
  pending: t.pending + t.inFlight,
});
