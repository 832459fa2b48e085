import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { OneTimeSchedule, Scheduler } from '../../ports/scheduler.ts';
import type { AwsClientOptions } from '../aws-options.ts';
import { type ClientSource, clientGetter, once } from '../lazy.ts';

const sdk = once(() => import('@aws-sdk/client-scheduler'));

/**
 * Scheduler refuses an at() already in the past, and a request takes a moment to arrive: a schedule due
 * sooner than this is placed this far ahead instead (still well inside the 60 s lateness target).
 */
const MIN_LEAD_MS = 15_000;

/**
 * at() for an instant: whole seconds, rounded UP so a reminder never fires before its time, and at least
 * MIN_LEAD_MS after `now`.
 */
export function atExpression(at: Date, now: number = Date.now()): string {
  const ms = Math.ceil(Math.max(at.getTime(), now + MIN_LEAD_MS) / 1000) * 1000;
  return `at(${new Date(ms).toISOString().slice(0, 19)})`;
}

export interface SchedulerTarget {
  group: string;
  targetArn: string;
  roleArn: string;
  /** Where a fire that still fails after the retry policy goes (the alarmed jobs DLQ): never dropped. */
  deadLetterArn?: string;
}

/** EventBridge Scheduler one-time schedules: at(yyyy-mm-ddThh:mm:ss) in UTC, deleted after completion. */
export class EventBridgeScheduler implements Scheduler {
  private readonly client: () => Promise<SchedulerClient>;
  constructor(
    client: ClientSource<SchedulerClient>,
    private readonly opts: SchedulerTarget,
  ) {
    this.client = clientGetter(client);
  }

  static connect(aws: AwsClientOptions, opts: SchedulerTarget) {
    return new EventBridgeScheduler(async () => new (await sdk()).SchedulerClient(aws), opts);
  }

  async upsert(s: OneTimeSchedule): Promise<void> {
    const input = {
      Name: s.name,
      GroupName: this.opts.group,
      ScheduleExpression: atExpression(s.at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      ActionAfterCompletion: 'DELETE' as const,
      Target: {
        Arn: this.opts.targetArn,
        RoleArn: this.opts.roleArn,
        Input: JSON.stringify({ gazetteScheduled: s.job }),
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: this.opts.deadLetterArn ? { Arn: this.opts.deadLetterArn } : undefined,
      },
    };
    try {
      await (await this.client()).send(new (await sdk()).CreateScheduleCommand(input));
    } catch (e) {
      if ((e as Error).name !== 'ConflictException') throw e;
      await (await this.client()).send(new (await sdk()).UpdateScheduleCommand(input));
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await (await this.client()).send(
        new (await sdk()).DeleteScheduleCommand({ Name: name, GroupName: this.opts.group }),
      );
    } catch (e) {
      if ((e as Error).name === 'ResourceNotFoundException') return;
      throw e;
    }
  }
}
