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
  clock: Clock;
  logger: Logger;
  /** The edition's time zone (GAZETTE_EDITION_TIMEZONE): the default zone of a scheduled time. */
  timeZone: () => string;
}

export type FireOutcome =
  | { outcome: 'started'; campaign: string }
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

  const save = async (next: Edition, what: string) => {
    try {
      await d.editions.save(next, ['approved']);
    } catch (e) {
      if (e instanceof ConflictError)
        throw new ConflictError(`edition ${next.number} changed while ${what}; try again`);
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

  return {
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
      const { at, localTime } = parseScheduleTime(req.at, timeZone);
      const t = now();
      if (at.getTime() <= t.getTime())
        throw new ValidationError(
          `${localTime.replace('T', ' ')} ${timeZone} (${at.toISOString()}) is in the past (now: ${t.toISOString()}); choose a later time`,
        );
      const target = await targetOf(e, req.segmentId, by);
      await d.audience.requireRecipients({ ...e, target }, 'scheduled');
      const schedule: EditionSchedule = {
        at: at.toISOString(),
        localTime,
        timeZone,
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
      d.logger.info('edition send scheduled', { edition: number, at: schedule.at, timeZone, by });
      return next;
    },

    /** Cancel a scheduled send that has not fired (nothing to cancel is not an error). */
    async unschedule(number: number, by: Actor): Promise<Edition> {
      const e = await loadEdition(d.editions, number);
      if (!e.schedule) return e;
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
      if (!e.schedule) return { outcome: 'ignored', reason: 'not-scheduled' };
      if (e.schedule.at !== job.at) return { outcome: 'ignored', reason: 'moved' };
      if (e.schedule.firedAt || ['sending', 'paused', 'sent'].includes(e.status))
        return { outcome: 'already-started', campaign };
      if (e.status !== 'approved') return { outcome: 'ignored', reason: 'not-approved' };
      try {
        await d.audience.requireRecipients(e, 'sent');
        await d.startSend(campaign, `system:scheduler (scheduled by ${e.schedule.scheduledBy})`);
      } catch (err) {
        if (err instanceof ConflictError) {
          log.info('scheduled send fired again: the send had already started');
          return { outcome: 'already-started', campaign };
        }
        if (!(isDomainError(err) && ['validation', 'invalid_state', 'not_found'].includes(err.code)))
          throw err;
        const error = `${err.code}: ${err.message}`.slice(0, 500);
        log.error('scheduled send refused: nothing was sent', { error });
        await markSchedule(job.number, { error });
        return { outcome: 'failed', campaign, error };
      }
      await markSchedule(job.number, { firedAt: now().toISOString(), error: undefined });
      log.info('scheduled send started');
      return { outcome: 'started', campaign };
    },
  };

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
