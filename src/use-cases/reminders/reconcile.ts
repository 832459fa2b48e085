import type { Deadline, Reminder } from '../../domain/index.ts';
import { reminderScheduleName, waveStartTime } from '../../domain/reminder-schedule.ts';
import type { Clock } from '../../ports/clock.ts';
import type { DeadlineRepo } from '../../ports/deadlines.ts';
import type { JobRunner } from '../../ports/jobs.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Scheduler } from '../../ports/scheduler.ts';

export interface ReconcileDeps {
  repo: DeadlineRepo;
  scheduler: Scheduler;
  jobs: JobRunner;
  clock: Clock;
  logger: Logger;
}

/**
 * A reminder that went out (or is going out) is never planned again: one per (item, offset, recipient).
 * A `failed` one (the engine refused it for good) is planned again like any other: an update moves it on.
 */
const DONE: Reminder['status'][] = ['sent', 'sending'];

/**
 * Bring an item's reminders and their one-time schedules in line with the item's current version.
 * Idempotent, so it is safe to run again after a crash, and the fire handler runs it to heal a stale fire.
 *
 * Order matters for crash safety: the schedule is written BEFORE the reminder record, so a crash between the
 * two leaves a schedule whose fire still does the right thing (the fire checks the item, not the record).
 * Schedule names are stable per (item, offset): moving a due time updates the schedule in place.
 */
export function makeReconcileReminders(deps: ReconcileDeps) {
  return async function reconcile(d: Deadline, opts: { sendLate?: boolean } = {}): Promise<Reminder[]> {
    const now = deps.clock.now();
    const existing = new Map((await deps.repo.reminders(d.deadlineId)).map((r) => [r.offset, r]));
    const wanted = d.status === 'active' ? d.offsets : [];
    // Sending late means the one missed reminder nearest the due time, and only while the item is still
    // ahead: two missed offsets must not become two mails at once, nor a reminder for something already over.
    const catchUp =
      opts.sendLate && new Date(d.dueAt).getTime() > now.getTime()
        ? wanted.findLast((o) => waveStartTime(d, o).getTime() <= now.getTime())
        : undefined;

    for (const offset of wanted) {
      const prev = existing.get(offset);
      if (prev && DONE.includes(prev.status)) continue;
      const fireAt = waveStartTime(d, offset);
      const scheduleName = reminderScheduleName(d.deadlineId, offset);
      const job = { type: 'reminder' as const, deadlineId: d.deadlineId, offset, version: d.version };
      const base = {
        deadlineId: d.deadlineId,
        offset,
        fireAt: fireAt.toISOString(),
        scheduleName,
        version: d.version,
      };
      const late = fireAt.getTime() <= now.getTime();
      // Planned for this very time and not yet fired (Scheduler fires within the minute, or is retrying): the
      // reminder is due, not missed. An edit of something else must not skip it nor delete its schedule.
      const dueNotFired = late && prev?.status === 'pending' && prev.fireAt === base.fireAt;
      if (late && offset !== catchUp && !dueNotFired) {
        await deps.scheduler.delete(scheduleName);
        await deps.repo.saveReminder({ ...base, status: 'skipped-late' }, DONE);
      } else if (late && offset === catchUp) {
        await deps.repo.saveReminder({ ...base, status: 'pending' }, DONE);
        deps.logger.info('sending a late reminder now', { deadlineId: d.deadlineId, offset });
        await deps.jobs.run(job);
      } else {
        // A time already past (dueNotFired) is placed just ahead by the scheduler adapter.
        await deps.scheduler.upsert({ name: scheduleName, at: fireAt, job });
        await deps.repo.saveReminder({ ...base, status: 'pending' }, DONE);
      }
    }

    for (const [offset, prev] of existing) {
      if (wanted.includes(offset) || DONE.includes(prev.status) || prev.status === 'cancelled') continue;
      await deps.scheduler.delete(prev.scheduleName);
      await deps.repo.saveReminder(
        { ...prev, status: 'cancelled', version: d.version, error: undefined },
        DONE,
      );
    }
    return sortReminders(await deps.repo.reminders(d.deadlineId));
  };
}
export type ReconcileReminders = ReturnType<typeof makeReconcileReminders>;

export const sortReminders = (rs: Reminder[]) =>
  [...rs].sort((a, b) => a.fireAt.localeCompare(b.fireAt) || a.offset.localeCompare(b.offset));
