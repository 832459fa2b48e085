import { randomBytes } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { nextFireTime, parseScheduleExpression, type ScheduleExpression } from '../../domain/cron.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { OneTimeSchedule, ScheduledJob, Scheduler } from '../../ports/scheduler.ts';
import { keys, TABLE_KEYS } from '../dynamodb/keys.ts';
import { ConditionFailed, type Table } from '../dynamodb/table.ts';

interface StoredSchedule {
  pk: string;
  sk: string;
  name: string;
  at: string;
  job: ScheduledJob;
  /** Changes on every upsert: the post-fire delete must not remove a schedule moved meanwhile. */
  schedRev?: string;
}

interface Recurring {
  name: string;
  expression: ScheduleExpression;
  timeZone: string;
  job: ScheduledJob;
  next?: Date;
}

type Target = (job: ScheduledJob, schedule: { name: string; at: Date }) => Promise<void>;

/** How many schedules fire at once: enough that one slow job does not make the others late. */
const CONCURRENCY = 16;
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * EventBridge Scheduler stand-in for the embedded runtime.
 * - One-time schedules are persisted in the table (they survive a restart; one overdue after a restart
 *   fires on the first tick), fired once due, then deleted (ActionAfterCompletion: DELETE, as on AWS).
 *   A failed target is retried on the next tick, then with exponential backoff up to 5 minutes.
 * - Recurring schedules (cron/rate, e.g. the quarterly edition compile) are registered at start-up from
 *   config and kept in memory; a fire missed while the process was down is not replayed, as on AWS.
 * The loop polls every second and never waits for a running job, so a long send cannot make other
 * schedules late; a schedule already firing is not fired again until that attempt ends.
 */
export class LocalScheduler implements Scheduler {
  private fire?: Target;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private ticking?: Promise<void>;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, { attempts: number; retryAt: number }>();
  private readonly recurring = new Map<string, Recurring>();

  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  setTarget(fire: Target) {
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
      schedRev: randomBytes(6).toString('base64url'),
    });
    this.failures.delete(s.name);
  }

  async delete(name: string): Promise<void> {
    await this.table.delete(keys.schedule(name));
    this.failures.delete(name);
  }

  async list(): Promise<{ name: string; at: Date; job: ScheduledJob }[]> {
    const items = await this.table.queryGsi1<StoredSchedule>('SCHEDULES');
    return items.map((i) => ({ name: i.name, at: new Date(i.at), job: i.job }));
  }

  /**
   * A recurring schedule, evaluated like EventBridge Scheduler in `timeZone` (cron, rate; see domain/cron.ts).
   * Re-registering a name replaces it.
   */
  addRecurring(name: string, expression: string, timeZone: string, job: ScheduledJob): { next?: Date } {
    const parsed = parseScheduleExpression(expression);
    const next = nextFireTime(parsed, this.clock.now(), timeZone);
    this.recurring.set(name, { name, expression: parsed, timeZone, job, next });
    this.logger.info('recurring schedule registered', {
      name,
      expression,
      timeZone,
      next: next?.toISOString(),
    });
    return { next };
  }

  removeRecurring(name: string) {
    this.recurring.delete(name);
  }

  listRecurring(): { name: string; expression: string; timeZone: string; next?: Date }[] {
    return [...this.recurring.values()].map((r) => ({
      name: r.name,
      expression: r.expression.source,
      timeZone: r.timeZone,
      next: r.next,
    }));
  }

  /** Fire every schedule due at or before now and wait for those fires. Returns how many fired. */
  async tick(): Promise<number> {
    const started = await this.dispatchDue();
    await Promise.all(started);
    return started.length;
  }

  /** Wait for fires still running (the loop does not wait for them). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight.values()]);
  }

  private async dispatchDue(): Promise<Promise<void>[]> {
    const now = this.clock.now();
    const started: Promise<void>[] = [];
    for (const r of this.recurring.values()) {
      if (!r.next || r.next.getTime() > now.getTime() || this.inFlight.has(`recurring:${r.name}`)) continue;
      const at = r.next;
      // Next occurrence after now: occurrences missed while stopped are not replayed.
      r.next = nextFireTime(r.expression, now, r.timeZone);
      started.push(this.track(`recurring:${r.name}`, () => this.target(r.job, r.name, at)));
    }
    const due = await this.table.queryAll<StoredSchedule>({
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :p AND gsi1sk <= :now',
      // '~' sorts after every schedule name character, so "<at>#<name>" with at == now is included.
      ExpressionAttributeValues: { ':p': 'SCHEDULES', ':now': `${now.toISOString()}#~` },
    });
    for (const s of due) {
      if (this.inFlight.has(s.name)) continue;
      const failed = this.failures.get(s.name);
      if (failed && failed.retryAt > now.getTime()) continue;
      started.push(this.track(s.name, () => this.fireOne(s)));
      if (this.inFlight.size >= CONCURRENCY) await Promise.race(this.inFlight.values());
    }
    return started;
  }

  private track(key: string, run: () => Promise<void>): Promise<void> {
    const p = run()
      .catch((e) => this.logger.error('scheduled job failed', { schedule: key, error: String(e) }))
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async target(job: ScheduledJob, name: string, at: Date) {
    if (!this.fire) throw new Error('LocalScheduler has no target');
    await this.fire(job, { name, at });
  }

  private async fireOne(s: StoredSchedule): Promise<void> {
    try {
      await this.target(s.job, s.name, new Date(s.at));
    } catch (e) {
      // Left in place: retried, as Scheduler retries a failed target.
      const attempts = (this.failures.get(s.name)?.attempts ?? 0) + 1;
      const backoff = attempts === 1 ? 0 : Math.min(1000 * 2 ** (attempts - 1), MAX_BACKOFF_MS);
      this.failures.set(s.name, { attempts, retryAt: this.clock.now().getTime() + backoff });
      this.logger.error('scheduled job failed', { schedule: s.name, attempts, error: String(e) });
      return;
    }
    this.failures.delete(s.name);
    try {
      await this.table.delete(keys.schedule(s.name), {
        ConditionExpression: 'attribute_not_exists(schedRev) OR schedRev = :r',
        ExpressionAttributeValues: { ':r': s.schedRev ?? '' },
      });
    } catch (e) {
      if (!(e instanceof ConditionFailed)) throw e;
      // Moved or replaced while it fired: the new version stays.
    }
  }

  /** The earliest pending one-time or recurring fire time, if any. */
  private async nextDueAt(): Promise<number | undefined> {
    const out = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.name,
        IndexName: TABLE_KEYS.gsi1.name,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'SCHEDULES' },
        Limit: 1,
      }),
    );
    const first = out.Items?.[0] as StoredSchedule | undefined;
    const times = [...this.recurring.values()].flatMap((r) => (r.next ? [r.next.getTime()] : []));
    if (first) times.push(Date.parse(first.at));
    return times.length ? Math.min(...times) : undefined;
  }

  /**
   * Poll at most every `intervalMs`, and wake up early for a schedule due sooner, so a fire is late by
   * milliseconds rather than by the poll interval (EventBridge itself promises only the minute).
   */
  start(intervalMs = 1000) {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      let done!: () => void;
      this.ticking = new Promise((resolve) => {
        done = resolve;
      });
      let wait = intervalMs;
      try {
        await this.dispatchDue();
        const next = await this.nextDueAt();
        const ahead = next === undefined ? intervalMs : next - this.clock.now().getTime();
        // Due but still firing (or backing off): look again soon, without spinning on the table.
        wait = ahead > 0 ? Math.max(10, Math.min(intervalMs, ahead)) : Math.min(intervalMs, 200);
      } catch (e) {
        this.logger.error('scheduler tick failed', { error: String(e) });
      }
      done();
      if (!this.stopped) this.timer = setTimeout(loop, wait);
    };
    this.timer = setTimeout(loop, 0);
  }

  /**
   * Stops polling and resolves once a tick in progress is over: the table must outlive it (closing dynalite
   * under a running query was the "Iterator is not open" error seen on Ctrl-C).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
  }
}
