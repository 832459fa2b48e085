import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { OneTimeSchedule, ScheduledJob, Scheduler } from '../../ports/scheduler.ts';
import { keys } from '../dynamodb/keys.ts';
import type { Table } from '../dynamodb/table.ts';

interface StoredSchedule {
  pk: string;
  sk: string;
  name: string;
  at: string;
  job: ScheduledJob;
}

/**
 * EventBridge Scheduler stand-in: one-time schedules persisted in the table (so they survive a restart),
 * fired by tick() once due, then deleted (ActionAfterCompletion: DELETE, as on AWS).
 */
export class LocalScheduler implements Scheduler {
  private fire?: (job: ScheduledJob, schedule: { name: string; at: Date }) => Promise<void>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  setTarget(fire: (job: ScheduledJob, schedule: { name: string; at: Date }) => Promise<void>) {
    this.fire = fire;
  }

  async upsert(s: OneTimeSchedule): Promise<void> {
    const at = s.at.toISOString();
    await this.table.put({
      ...keys.schedule(s.name),
      gsi1pk: 'SCHEDULES',
      gsi1sk: `${at}#${s.name}`,
      type: 'schedule',
      name: s.name,
      at,
      job: s.job,
    });
  }

  async delete(name: string): Promise<void> {
    await this.table.delete(keys.schedule(name));
  }

  async list(): Promise<{ name: string; at: Date; job: ScheduledJob }[]> {
    const items = await this.table.queryGsi1<StoredSchedule>('SCHEDULES');
    return items.map((i) => ({ name: i.name, at: new Date(i.at), job: i.job }));
  }

  /** Fire every schedule due at or before now. Returns how many fired. */
  async tick(): Promise<number> {
    const now = this.clock.now().toISOString();
    const due = (await this.table.queryGsi1<StoredSchedule>('SCHEDULES')).filter((i) => i.at <= now);
    for (const s of due) {
      try {
        await this.fire?.(s.job, { name: s.name, at: new Date(s.at) });
        await this.table.delete(keys.schedule(s.name));
      } catch (e) {
        // Left in place: retried on the next tick, as Scheduler retries a failed target.
        this.logger.error('scheduled job failed', { schedule: s.name, error: String(e) });
      }
    }
    return due.length;
  }

  start(intervalMs = 1000) {
    const loop = async () => {
      await this.tick().catch((e) => this.logger.error('scheduler tick failed', { error: String(e) }));
      this.timer = setTimeout(loop, intervalMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  stop() {
    if (this.timer) clearTimeout(this.timer);
  }
}
