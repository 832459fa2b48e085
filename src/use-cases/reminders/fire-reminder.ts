import { type ErrorCode, isDomainError } from '../../domain/errors.ts';
import type { Deadline, Reminder } from '../../domain/index.ts';
import {
  isDayOffset,
  minuteStamp,
  reminderCampaign,
  reminderScheduleName,
  waveStartTime,
} from '../../domain/reminder-schedule.ts';
import type { Clock } from '../../ports/clock.ts';
import type { DeadlineRepo } from '../../ports/deadlines.ts';
import type { Logger } from '../../ports/logger.ts';
import { type Metrics, recordReminderLateness } from '../../ports/metrics.ts';
import type { Scheduler } from '../../ports/scheduler.ts';
import type { StartSend } from './deadlines.ts';
import type { ReconcileReminders } from './reconcile.ts';

export interface FireReminderJob {
  deadlineId: string;
  offset: string;
  version: number;
}

/**
 * Refusals of the send engine's start that a retry of the fire cannot fix: the engine is misconfigured (no
 * campaign source for reminders: not_found; a missing port: config), the campaign key is refused (validation),
 * the source says the item is not ready although it is active (invalid_state), or the message cannot be built
 * (template). Scheduler's retries would only repeat them for an hour and end in the DLQ; the reminder is
 * recorded `failed` with the reason instead. Anything else (rate_limited, an AWS or network error) is transient
 * and rethrown; `conflict` means the wave was already started.
 */
const FINAL_REFUSALS: readonly ErrorCode[] = [
  'not_found',
  'config',
  'validation',
  'invalid_state',
  'template',
];

/** A short reason for `deadlines show`. */
const reason = (e: { code: string; message: string }) => `${e.code}: ${e.message}`.slice(0, 500);

export type FireOutcome =
  | { outcome: 'started'; campaign: string }
  | { outcome: 'already-sent'; campaign: string }
  | { outcome: 'skipped-late'; campaign: string }
  | { outcome: 'failed'; campaign: string; error: string }
  | { outcome: 'ignored'; reason: 'not-found' | 'cancelled' | 'offset-removed' }
  | { outcome: 'stale'; currentVersion: number };

/**
 * A reminder's schedule fired. The item is the authority: a fire for a cancelled item, a removed offset or an
 * outdated version does nothing (an outdated fire re-plans the current version, healing a crashed update).
 * Otherwise the wave `reminder#<id>#<offset>` is handed to the send engine. Fired twice → still one mail per
 * recipient: a reminder marked `sent` is not started again, and while it is `sending` a repeat fire only
 * re-asks the engine, which refuses a second start of a campaign (and whose per-(campaign, recipient) claims
 * would make it a no-op for anyone already mailed anyway).
 * If the engine fails, the error propagates so the scheduler retries (the record stays `sending`); if it refuses
 * because the item was cancelled or the offset removed meanwhile, the reminder is `cancelled`; if it refuses for
 * a reason a retry cannot fix (FINAL_REFUSALS), the reminder is `failed` with that reason and the fire answers
 * (nothing retries it by itself: a repeat fire tries once more, and an update of the item re-plans it).
 * A new fire that comes too late (see `overtaken`) is recorded as skipped-late and sends nothing.
 */
export function makeFireReminder(deps: {
  repo: DeadlineRepo;
  reconcile: ReconcileReminders;
  startSend: StartSend;
  clock: Clock;
  logger: Logger;
  /**
   * Each reader's hour (docs/reminders.md): a day wave with a reader time is one campaign fired once per
   * distinct reader time. `topUp` re-plans the started campaign (the engine's rerun: claims make it a no-op for
   * anyone already mailed), `nextReaderTime` says when the next readers' hour comes, `scheduler` plans it.
   */
  topUp?: StartSend;
  nextReaderTime?: (d: Deadline, offset: string, after: Date) => Promise<Date | undefined>;
  scheduler?: Scheduler;
  /** Operator metrics: how late each wave started against its time (ReminderLatenessMs). */
  metrics?: Metrics;
}) {
  /** Plan the wave's next fire at the next readers' hour; false when every reader's hour has come. */
  async function planNextReaders(d: Deadline, offset: string, scheduleName: string): Promise<boolean> {
    if (!d.readerTime || !isDayOffset(offset) || !deps.nextReaderTime || !deps.scheduler) return false;
    const next = await deps.nextReaderTime(d, offset, deps.clock.now());
    if (!next) return false;
    // A name per fire time: on AWS the schedule that is firing is deleted after it ran (ActionAfterCompletion).
    const named = `${scheduleName}.${minuteStamp(next).slice(6)}`;
    await deps.scheduler.upsert({
      name: named.length <= 64 ? named : scheduleName,
      at: next,
      job: { type: 'reminder', deadlineId: d.deadlineId, offset, version: d.version },
    });
    deps.logger.info('reminder wave: next readers at their hour', {
      deadlineId: d.deadlineId,
      offset,
      at: next.toISOString(),
    });
    return true;
  }

  /**
   * An older version's schedule fired at the very time the current version plans for this offset (the item
   * changed, e.g. its title, but not this reminder's time, and the update has not moved the schedule yet or
   * crashed before it): this is that reminder, due now. Re-planning instead would mark it skipped-late.
   */
  async function sameTimeInCurrentVersion(d: Deadline, offset: string, prev: Reminder | undefined) {
    if (!d.offsets.includes(offset) || !prev || !['pending', 'skipped-late'].includes(prev.status))
      return false;
    const fireAt = waveStartTime(d, offset);
    return prev.fireAt === fireAt.toISOString() && fireAt.getTime() <= deps.clock.now().getTime();
  }

  /**
   * A fire that arrives after a nearer reminder's time (the embedded runtime was stopped, Scheduler kept
   * retrying) or after the due time itself: as with --send-late, missed reminders do not go out together,
   * and none goes out for an item that is over (an offset of zero, at the due time itself, still does).
   */
  function overtaken(d: Deadline, offset: string): boolean {
    const now = deps.clock.now().getTime();
    const due = new Date(d.dueAt);
    const at = (o: string) => waveStartTime(d, o).getTime();
    const mine = at(offset);
    if (mine < due.getTime() && now >= due.getTime()) return true;
    return d.offsets.some((o) => o !== offset && at(o) > mine && at(o) <= now);
  }

  /** A reminder whose wave will not go out because its item (or offset) was withdrawn: `cancelled`, once. */
  async function withdrawn(r: Reminder, d: Deadline) {
    await deps.repo.saveReminder({ ...r, status: 'cancelled', version: d.version, sentAt: undefined }, [
      'sent',
    ]);
  }

  return async function fireReminder(job: FireReminderJob): Promise<FireOutcome> {
    const log = deps.logger.child({ deadlineId: job.deadlineId, offset: job.offset, version: job.version });
    const d = await deps.repo.get(job.deadlineId);
    if (!d) return { outcome: 'ignored', reason: 'not-found' };
    if (d.status !== 'active') {
      // A retry of a fire whose item was cancelled meanwhile: settle a record left `sending`.
      const prev = await deps.repo.getReminder(d.deadlineId, job.offset);
      if (prev?.status === 'sending') await withdrawn(prev, d);
      return { outcome: 'ignored', reason: 'cancelled' };
    }
    const prev = await deps.repo.getReminder(d.deadlineId, job.offset);
    // A wave already `sending` is not re-planned by a retry of its fire (reconcile leaves it alone): it completes,
    // or is withdrawn below if its offset was removed meanwhile.
    if (
      d.version !== job.version &&
      prev?.status !== 'sending' &&
      !(await sameTimeInCurrentVersion(d, job.offset, prev))
    ) {
      log.info('stale reminder fire: re-planning the current version', { currentVersion: d.version });
      await deps.reconcile(d);
      return { outcome: 'stale', currentVersion: d.version };
    }
    if (!d.offsets.includes(job.offset)) {
      if (prev?.status === 'sending') await withdrawn(prev, d);
      return { outcome: 'ignored', reason: 'offset-removed' };
    }

    const campaign = reminderCampaign(d.deadlineId, { kind: 'offset', offset: job.offset });
    if (prev?.status === 'sent') {
      log.info('reminder already sent: ignoring repeat fire');
      return { outcome: 'already-sent', campaign };
    }
    const base = {
      deadlineId: d.deadlineId,
      offset: job.offset,
      fireAt: prev?.fireAt ?? waveStartTime(d, job.offset).toISOString(),
      scheduleName: prev?.scheduleName ?? reminderScheduleName(d.deadlineId, job.offset),
      version: d.version,
    };
    // A retry of a wave already being handed over always completes; a new one that comes late does not.
    if (prev?.status !== 'sending' && overtaken(d, job.offset)) {
      log.info('reminder fired too late: a nearer reminder is due, or the item is already due');
      await deps.repo.saveReminder({ ...base, status: 'skipped-late' }, ['sent', 'sending']);
      return { outcome: 'skipped-late', campaign };
    }
    if (!(await deps.repo.saveReminder({ ...base, status: 'sending' }, ['sent']))) {
      return { outcome: 'already-sent', campaign };
    }
    const lateMs = deps.clock.now().getTime() - new Date(base.fireAt).getTime();
    log.info('reminder firing', { campaign, lateMs });
    if (deps.metrics) recordReminderLateness(deps.metrics, lateMs);
    try {
      await deps.startSend(campaign, 'system:scheduler');
    } catch (e) {
      if (!isDomainError(e)) throw e;
      // The engine refuses a second start of the same campaign: a retried fire whose first start succeeded.
      if (e.code === 'conflict' && d.readerTime && isDayOffset(job.offset) && deps.topUp) {
        // A later readers' hour of a wave started earlier: send to the readers whose hour has come now.
        try {
          await deps.topUp(campaign, 'system:scheduler');
        } catch (t) {
          // Paused (a resume re-plans, reaching them then) or cancelled by an operator: not retried here.
          if (!(isDomainError(t) && t.code === 'invalid_state')) throw t;
          log.warn('reminder wave not topped up: the send is paused or cancelled', { error: t.message });
        }
      } else if (e.code === 'conflict') {
        log.info('reminder wave was already started', { campaign });
      } else {
        // Refused because the item was cancelled (or this reminder removed) during the fire: final, so the
        // record must not stay `sending` (a cancel leaves a `sending` reminder alone). Otherwise the refusal
        // is not the item's doing: final ones (FINAL_REFUSALS) end it `failed`; transient ones are rethrown,
        // the record stays `sending` and the scheduler's retry completes it.
        const now = await deps.repo.get(d.deadlineId);
        if (now?.status === 'active' && now.offsets.includes(job.offset)) {
          if (!FINAL_REFUSALS.includes(e.code)) throw e;
          const error = reason(e);
          log.error(
            'reminder failed: the send engine refused the wave; fix the cause, then update the item',
            {
              campaign,
              error,
            },
          );
          // Unless a concurrent fire of the same reminder got it sent meanwhile.
          if (!(await deps.repo.saveReminder({ ...base, status: 'failed', error }, ['sent']))) {
            return { outcome: 'already-sent', campaign };
          }
          return { outcome: 'failed', campaign, error };
        }
        log.warn('reminder refused: the item was cancelled or changed during the fire', { error: e.message });
        await withdrawn({ ...base, status: 'sending' }, now ?? d);
        return {
          outcome: 'ignored',
          reason: !now ? 'not-found' : now.status !== 'active' ? 'cancelled' : 'offset-removed',
        };
      }
    }
    // More readers' hours to come: the wave stays `sending` until the last of them.
    if (await planNextReaders(d, job.offset, base.scheduleName)) return { outcome: 'started', campaign };
    await deps.repo.saveReminder({ ...base, status: 'sent', sentAt: deps.clock.now().toISOString() });
    return { outcome: 'started', campaign };
  };
}
export type FireReminder = ReturnType<typeof makeFireReminder>;
