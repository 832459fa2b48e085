import type { Deadline, Reminder, Subscriber } from '../../../src/domain/index.ts';
import type { DeadlineRepo, DeadlineStatus, ReminderStatus } from '../../../src/ports/deadlines.ts';
import type { BackgroundJob, JobRunner } from '../../../src/ports/jobs.ts';
import type { OneTimeSchedule, Scheduler } from '../../../src/ports/scheduler.ts';

/** In-memory twin of DynamoDeadlineRepo (same conditional semantics). */
export class MemoryDeadlineRepo implements DeadlineRepo {
  readonly deadlines = new Map<string, Deadline>();
  readonly reminderMap = new Map<string, Reminder>();

  async create(d: Deadline) {
    if (this.deadlines.has(d.deadlineId)) return false;
    this.deadlines.set(d.deadlineId, structuredClone(d));
    return true;
  }
  async get(id: string) {
    const d = this.deadlines.get(id);
    return d && structuredClone(d);
  }
  async replace(d: Deadline, expectedVersion: number) {
    if (this.deadlines.get(d.deadlineId)?.version !== expectedVersion) return false;
    this.deadlines.set(d.deadlineId, structuredClone(d));
    return true;
  }
  async list(opts: { status: DeadlineStatus; dueFrom?: Date; limit?: number }) {
    return [...this.deadlines.values()]
      .filter((d) => d.status === opts.status && (!opts.dueFrom || new Date(d.dueAt) >= opts.dueFrom))
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
      .slice(0, opts.limit);
  }
  async reminders(id: string) {
    return [...this.reminderMap.values()].filter((r) => r.deadlineId === id).map((r) => structuredClone(r));
  }
  async getReminder(id: string, offset: string) {
    const r = this.reminderMap.get(`${id}#${offset}`);
    return r && structuredClone(r);
  }
  async saveReminder(r: Reminder, unlessStatus: ReminderStatus[] = []) {
    const key = `${r.deadlineId}#${r.offset}`;
    const prev = this.reminderMap.get(key);
    if (prev && unlessStatus.includes(prev.status)) return false;
    this.reminderMap.set(key, structuredClone(r));
    return true;
  }
}

export class FakeScheduler implements Scheduler {
  readonly schedules = new Map<string, OneTimeSchedule>();
  private upserts = 0;
  private failAt?: number;
  /** Fault injection: the n-th upsert from now fails (once), as a Scheduler outage or throttle would. */
  failNthUpsert(n: number) {
    this.upserts = 0;
    this.failAt = n;
  }
  async upsert(s: OneTimeSchedule) {
    if (++this.upserts === this.failAt) {
      this.failAt = undefined;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    this.schedules.set(s.name, structuredClone(s));
  }
  async delete(name: string) {
    this.schedules.delete(name);
  }
}

export class FakeJobs implements JobRunner {
  readonly ran: BackgroundJob[] = [];
  async run(job: BackgroundJob) {
    this.ran.push(job);
  }
}

export function subscriber(over: Partial<Subscriber> & { email: string }): Subscriber {
  return {
    subscriberId: `s_${over.email.replace(/[^a-z0-9]/g, '')}`,
    name: '',
    language: 'en',
    timeZone: 'UTC',
    audiences: ['newsletter', 'reminders'],
    status: 'confirmed',
    source: 'admin',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    softBounces: 0,
    ...over,
  };
}

export const pages = (subs: Subscriber[], size = 2) => ({
  async *listByStatus(status: Subscriber['status']) {
    const list = subs.filter((s) => s.status === status);
    for (let i = 0; i < list.length; i += size) yield list.slice(i, i + size);
  },
});
