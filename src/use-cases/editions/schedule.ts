/**
 * Sending an approved edition to its audience, now or at a scheduled time (docs/editions.md "Audience and
 * scheduled send"). The approver chooses the audience (a saved segment, or every reader of the list), sees it
 * in a dry run, and starts or schedules the send; an empty audience is refused before anything is scheduled
 * or planned. A schedule fires through the Scheduler port (EventBridge Scheduler on AWS, the local scheduler
 * in the embedded runtime) into `fire`, which starts the send at most once.
 */
import {
  type Actor,
  ConflictError,
  type Edition,
  type EditionSchedule,
  EditionScheduleRequest,
  EditionSendRequest,
  type EditionTarget,
  editionSendScheduleName,
  InvalidStateError,
  isDomainError,
  parseScheduleTime,
  SCHEDULE_CLAIM_STALE_MS,
  type SendJob,
  ValidationError,
} from '../../domain/index.ts';
import { parseInput } from '../../domain/validate.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EditionRepo } from '../../ports/editions.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Scheduler } from '../../ports/scheduler.ts';
import { loadEdition } from './lifecycle.ts';
import type { EditionAudience, EditionAudiencePreview } from './schedule-audience.ts';
import { campaignOf } from './settings.ts';

/** The send engine's start (a second start of the same campaign fails with a ConflictError). */
export type StartEditionSend = (campaign: string, by: Actor) => Promise<SendJob>;

export interface EditionSendsDeps {
  editions: EditionRepo;
  audience: EditionAudience;
  scheduler: Pick<Scheduler, 'upsert' | 'delete'>;
  startSend: StartEditionSend;
  /** The engine's rerun: each later readers' hour of a per-reader schedule tops the send up (claims keep it once). */
  rerunSend?: StartEditionSend;
  clock: Clock;
  logger: Logger;
  /** The edition's time zone (GAZETTE_EDITION_TIMEZONE): the default zone of a scheduled time. */
  timeZone: () => string;
}

export type FireOutcome =
  | { outcome: 'started'; campaign: string; next?: string }
  | { outcome: 'topped-up'; campaign: string; next?: string }
  | { outcome: 'already-started'; campaign: string }
  | { outcome: 'failed'; campaign: string; error: string }
  | { outcome: 'ignored'; reason: 'not-found' | 'not-scheduled' | 'moved' | 'not-approved' };

export function makeEditionSends(d: EditionSendsDeps) {
  const now = () => d.clock.now();

  /** Only an approved edition whose send has not started may change audience or schedule. */
  const approvedOnly = (e: Edition, what: string) => {
    if (e.status === 'approved') return;
    throw new InvalidStateError(
      e.status === 'draft'
        ? `edition ${e.number} is a draft: approve it before ${what}`
        : `edition ${e.number} is ${e.status}: ${what} is only possible while it is approved and its send has not started`,
      { status: e.status },
    );
  };

  /**
   * Every change before the send (move, cancel, audience): refused once a fire has claimed the schedule, so
   * a fire and a move in the same seconds end as one or the other, never a send at the old time.
   */
  const save = async (next: Edition, what: string) => {
    const unclaimedSince = new Date(now().getTime() - SCHEDULE_CLAIM_STALE_MS).toISOString();
    try {
      await d.editions.save(next, ['approved'], { unclaimedSince });
    } catch (e) {
      if (e instanceof ConflictError) {
        const fresh = await d.editions.get(next.number);
        const claimed = fresh?.schedule?.claimedAt;
        if (claimed && claimed >= unclaimedSince && !fresh?.schedule?.firedAt)
          throw new ConflictError(
            `the scheduled send of edition ${next.number} is starting (its time came at ${fresh?.schedule?.at}): pause or cancel the send instead`,
          );
        throw new ConflictError(`edition ${next.number} changed while ${what}; try again`);
      }
      throw e;
    }
  };

  /** The target a request names: undefined keeps the current one, null is every reader of the list. */
  const targetOf = async (e: Edition, segmentId: string | null | undefined, by: Actor) =>
    segmentId === undefined
      ? e.target
      : segmentId === null
        ? undefined
        : await d.audience.targetFor(segmentId, by, now());

  /** Delete a schedule that has not fired (a send started by hand, a new audience…): best effort is not enough. */
  const dropSchedule = async (e: Edition): Promise<Edition> => {
    if (!e.schedule || e.schedule.firedAt) return e;
    const next = { ...e, schedule: undefined };
    await save(next, 'its schedule was being removed');
    await d.scheduler.delete(e.schedule.scheduleName);
    return next;
  };

  const api = {
    /** Dry run: who would receive the edition (its target, or `segmentId` tried without saving it). */
    async preview(
      number: number,
      opts: { sample?: number; segmentId?: string | null } = {},
    ): Promise<EditionAudiencePreview> {
      const e = await loadEdition(d.editions, number);
      const target = await targetOf(e, opts.segmentId, 'dry-run');
      return d.audience.preview({ ...e, target }, { sample: opts.sample });
    },

    /** The target for an approval that names a segment (refused if it has nobody to send to). */
    async targetForApproval(e: Edition, segmentId: string, by: Actor): Promise<EditionTarget> {
      const target = await d.audience.targetFor(segmentId, by, now());
      await d.audience.requireRecipients({ ...e, target }, 'targeted at it');
      return target;
    },

    /** Choose the audience of an approved edition (null: every reader of its list). */
    async setAudience(number: number, segmentId: string | null, by: Actor): Promise<Edition> {
      const e = await loadEdition(d.editions, number);
      approvedOnly(e, 'choosing its audience');
      const target = await targetOf(e, segmentId, by);
      const next: Edition = { ...e, target };
      await d.audience.requireRecipients(next, 'targeted at it');
      await save(next, 'its audience was being set');
      // Per reader, the first readers' hour depends on the audience's zones: schedule it again.
      const sch = next.schedule;
      if (sch?.perReader && !sch.firedAt)
        return api.schedule(
          number,
          { at: sch.localTime.replace('T', ' '), timeZone: sch.timeZone, perReader: true },
          sch.scheduledBy,
        );
      return next;
    },

    /**
     * Send now (or `dryRun`: only show the audience). The audience must have someone to send to; a schedule
     * that has not fired is removed, since this is the send it would have started.
     */
    async send(number: number, input: unknown, by: Actor) {
      const req = parseInput(EditionSendRequest, input ?? {});
      let e = await loadEdition(d.editions, number);
      if (req.dryRun)
        return {
          dryRun: true as const,
          audience: await d.audience.preview(
            { ...e, target: await targetOf(e, req.segmentId, 'dry-run') },
            { sample: req.sample },
          ),
        };
      let audience: EditionAudiencePreview | undefined;
      // Anything but an approved edition is the engine's to answer (started before, draft, cancelled).
      if (e.status === 'approved') {
        const target = await targetOf(e, req.segmentId, by);
        audience = await d.audience.requireRecipients({ ...e, target }, 'sent');
        if (req.segmentId !== undefined) {
          e = { ...e, target };
          await save(e, 'its audience was being set');
        }
        e = await dropSchedule(e);
      }
      const send = await d.startSend(campaignOf(number), by);
      return { dryRun: false as const, send, audience };
    },

    /**
     * Schedule (or move) the send: a wall time in a zone (default the edition's), or an instant. Refused in
     * the past, for an empty audience, and unless the edition is approved and its send not started.
     */
    async schedule(number: number, input: unknown, by: Actor): Promise<Edition> {
      const req: EditionScheduleRequest = parseInput(EditionScheduleRequest, input);
      const e = await loadEdition(d.editions, number);
      approvedOnly(e, 'scheduling its send');
      const timeZone = req.timeZone ?? d.timeZone();
      const given = parseScheduleTime(req.at, timeZone);
      const { localTime } = given;
      const target = await targetOf(e, req.segmentId, by);
      await d.audience.requireRecipients({ ...e, target }, 'scheduled');
      let at = given.at;
      let where = timeZone;
      if (req.perReader) {
        if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}$/.test(req.at.trim()))
          throw new ValidationError('a per-reader time is a wall time, "YYYY-MM-DD HH:MM", not an instant');
        // The first readers' hour: the zone where the day reaches that time first.
        const times = await d.audience.readerTimes({ ...e, target }, localTime);
        at = times[0] ?? at;
        where = "the first readers' zone";
      }
      const t = now();
      if (at.getTime() <= t.getTime())
        throw new ValidationError(
          `${localTime.replace('T', ' ')} ${where} (${at.toISOString()}) is in the past (now: ${t.toISOString()}); choose a later time`,
        );
      const schedule: EditionSchedule = {
        at: at.toISOString(),
        localTime,
        timeZone,
        ...(req.perReader ? { perReader: true } : {}),
        scheduleName: editionSendScheduleName(number),
        scheduledBy: by,
        scheduledAt: t.toISOString(),
      };
      const next: Edition = { ...e, target, schedule };
      // The record first: a fire whose `at` is not the record's is ignored, so a schedule can never send
      // at a time the edition does not show.
      await save(next, 'its send was being scheduled');
      try {
        await d.scheduler.upsert({
          name: schedule.scheduleName,
          at,
          job: { type: 'send-edition', number, at: schedule.at },
        });
      } catch (err) {
        // Put the edition back as it was (its previous schedule, if any, still stands), then report.
        await d.editions.save(e, ['approved']).catch(() => undefined);
        throw err;
      }
      d.logger.info('edition send scheduled', {
        edition: number,
        at: schedule.at,
        timeZone,
        perReader: req.perReader,
        by,
      });
      return next;
    },

    /** Cancel a scheduled send that has not fired (nothing to cancel is not an error). */
    async unschedule(number: number, by: Actor): Promise<Edition> {
      const e = await loadEdition(d.editions, number);
      if (!e.schedule) return e;
      const s = e.schedule;
      if (s.firedAt && s.perReader && s.nextAt) {
        // Per reader, after the first readers: call off the hours still to come (those mailed stay mailed).
        const next: Edition = {
          ...e,
          schedule: { ...s, nextAt: undefined, stopped: { at: now().toISOString(), by } },
        };
        await d.editions.save(next, [e.status]);
        await d.scheduler.delete(nextScheduleName(s.scheduleName, new Date(s.nextAt)));
        d.logger.info("edition send: later readers' hours called off", { edition: number, by });
        return next;
      }
      if (e.schedule.firedAt)
        throw new InvalidStateError(
          `the scheduled send of edition ${number} fired at ${e.schedule.firedAt}: pause or cancel the send instead`,
        );
      approvedOnly(e, 'unscheduling its send');
      const next = await dropSchedule(e);
      d.logger.info('edition send unscheduled', { edition: number, by });
      return next;
    },

    /**
     * The schedule fired. The edition is the authority: a fire for a moved or removed schedule, or for an
     * edition no longer approved, does nothing; a repeat fire finds the send started (the engine refuses a
     * second start of a campaign, and its per-recipient claims would make it a no-op anyway), so firing twice
     * never sends twice. A refusal a retry cannot fix (the audience became empty) is recorded on the
     * schedule and answered; anything else is rethrown so the scheduler retries.
     */
    async fire(job: { number: number; at: string }): Promise<FireOutcome> {
      const campaign = campaignOf(job.number);
      const log = d.logger.child({ campaign, scheduledFor: job.at });
      const e = await d.editions.get(job.number);
      if (!e) return { outcome: 'ignored', reason: 'not-found' };
      const s = e.schedule;
      if (!s) return { outcome: 'ignored', reason: 'not-scheduled' };
      // A later readers' hour of a per-reader schedule already started: send to those whose hour has come.
      if (s.perReader && s.firedAt && s.nextAt === job.at) return topUp(e, s, job.at);
      if (s.at !== job.at) return { outcome: 'ignored', reason: 'moved' };
      const started = Boolean(s.firedAt) || ['sending', 'paused', 'sent'].includes(e.status);
      if (started && !s.perReader) return { outcome: 'already-started', campaign };
      // Per reader, started before this first fire (sends start edition#N by hand, or this fire's own retry
      // after the start): the start planned nobody yet due, so re-plan now, as a later hour does.
      if (started && s.perReader && !s.firedAt) return topUp(e, s, job.at);
      if (!started && e.status !== 'approved') return { outcome: 'ignored', reason: 'not-approved' };
      // Take the schedule before starting: a move or cancel made since it was read wins, and one made from
      // now on is refused. A claim already there is this fire's own retry (or a twin): the engine starts once.
      if (!started && !(await d.editions.claimSchedule(job.number, job.at, now().toISOString()))) {
        const fresh = await d.editions.get(job.number);
        if (!fresh?.schedule) return { outcome: 'ignored', reason: 'not-scheduled' };
        if (fresh.status !== 'approved') return { outcome: 'ignored', reason: 'not-approved' };
        return { outcome: 'ignored', reason: 'moved' };
      }
      if (!started) {
        try {
          await d.audience.requireRecipients(e, 'sent');
          await d.startSend(campaign, `system:scheduler (scheduled by ${s.scheduledBy})`);
        } catch (err) {
          if (!(err instanceof ConflictError)) {
            if (!(isDomainError(err) && ['validation', 'invalid_state', 'not_found'].includes(err.code)))
              throw err;
            const error = `${err.code}: ${err.message}`.slice(0, 500);
            log.error('scheduled send refused: nothing was sent', { error });
            // Released: the secretariat can move or cancel it after fixing the audience.
            await markSchedule(job.number, { error, claimedAt: undefined });
            return { outcome: 'failed', campaign, error };
          }
          log.info('scheduled send fired again: the send had already started');
          if (!s.perReader) return { outcome: 'already-started', campaign };
        }
      }
      if (!s.perReader) {
        await markSchedule(job.number, { firedAt: now().toISOString(), error: undefined });
        log.info('scheduled send started');
        return { outcome: 'started', campaign };
      }
      // A retry of this fire (its next hour not yet planned) completes the planning.
      const next = await planNextReaders(e, s);
      log.info('scheduled send started for the first readers', { next });
      return { outcome: 'started', campaign, ...(next ? { next } : {}) };
    },
  };
  return api;

  /**
   * Per reader: schedule the next readers' hour (a name per fire time: on AWS the firing schedule deletes
   * itself after it ran) and only then record it, so a fire is never accepted for an hour nobody planned.
   * Throws (the scheduler retries this fire) rather than losing the later readers.
   */
  async function planNextReaders(e: Edition, s: EditionSchedule): Promise<string | undefined> {
    if (s.stopped) return undefined;
    const t = now().getTime();
    const times = await d.audience.readerTimes(e, s.localTime);
    const next = times.find((x) => x.getTime() > t);
    if (next) {
      await d.scheduler.upsert({
        name: nextScheduleName(s.scheduleName, next),
        at: next,
        job: { type: 'send-edition', number: e.number, at: next.toISOString() },
      });
    }
    const fresh = await loadEdition(d.editions, e.number);
    if (!fresh.schedule || fresh.schedule.stopped) return undefined;
    await d.editions.save(
      {
        ...fresh,
        schedule: {
          ...fresh.schedule,
          firedAt: fresh.schedule.firedAt ?? now().toISOString(),
          nextAt: next?.toISOString(),
          error: undefined,
        },
      },
      [fresh.status],
    );
    return next?.toISOString();
  }

  /** A later readers' hour: re-plan the started send (a no-op for anyone mailed), then plan the next hour. */
  async function topUp(e: Edition, s: EditionSchedule, at: string): Promise<FireOutcome> {
    const campaign = campaignOf(e.number);
    if (e.status === 'cancelled') return { outcome: 'ignored', reason: 'not-approved' };
    if (!d.rerunSend) throw new InvalidStateError('editions: the send engine rerun is not wired');
    try {
      await d.rerunSend(campaign, `system:scheduler (readers' hour ${at})`);
    } catch (err) {
      // Paused by an operator: its resume re-plans and reaches these readers then. Not retried here.
      if (!(isDomainError(err) && err.code === 'invalid_state')) throw err;
      d.logger.warn("edition send not topped up at a readers' hour: the send is paused or cancelled", {
        campaign,
        error: err.message,
      });
    }
    const next = await planNextReaders(e, s);
    return { outcome: 'topped-up', campaign, ...(next ? { next } : {}) };
  }

  /** Record the fire on the schedule (best effort: the send job is the authority for what was sent). */
  async function markSchedule(number: number, patch: Partial<EditionSchedule>) {
    try {
      const e = await loadEdition(d.editions, number);
      if (!e.schedule) return;
      await d.editions.save({ ...e, schedule: { ...e.schedule, ...patch } }, [e.status]);
    } catch (err) {
      d.logger.warn('could not record the scheduled send on the edition', { number, error: String(err) });
    }
  }
}
export type EditionSends = ReturnType<typeof makeEditionSends>;

/** A later readers' hour: a name per fire time (on AWS the schedule that fired deletes itself). */
const nextScheduleName = (base: string, at: Date) =>
  `${base}.${at.toISOString().replace(/[-:T]/g, '').slice(0, 12)}`;
