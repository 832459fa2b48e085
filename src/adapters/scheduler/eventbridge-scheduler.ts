import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { OneTimeSchedule, Scheduler } from '../../ports/scheduler.ts';

/** EventBridge Scheduler one-time schedules: at(yyyy-mm-ddThh:mm:ss) in UTC, deleted after completion. */
export class EventBridgeScheduler implements Scheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly opts: { group: string; targetArn: string; roleArn: string },
  ) {}

  async upsert(s: OneTimeSchedule): Promise<void> {
    const input = {
      Name: s.name,
      GroupName: this.opts.group,
      ScheduleExpression: `at(${s.at.toISOString().slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      ActionAfterCompletion: 'DELETE' as const,
      Target: {
        Arn: this.opts.targetArn,
        RoleArn: this.opts.roleArn,
        Input: JSON.stringify({ gazetteScheduled: s.job }),
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
      },
    };
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (e) {
      if (!(e instanceof ConflictException) && (e as Error).name !== 'ConflictException') throw e;
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.opts.group }));
    } catch (e) {
      if (e instanceof ResourceNotFoundException || (e as Error).name === 'ResourceNotFoundException') return;
      throw e;
    }
  }
}
