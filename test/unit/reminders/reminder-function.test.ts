import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { atExpression, EventBridgeScheduler } from '../../../src/adapters/scheduler/eventbridge-scheduler.ts';

describe('reminder Lambda ⇄ EventBridge Scheduler contract', () => {
  beforeAll(() => {
    // The function builds its composition at import time; give it the settings a deployed function has.
    vi.stubEnv('GAZETTE_TOKEN_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:t');
    vi.stubEnv('GAZETTE_SES_CONFIGURATION_SET', 'gazette');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('parses exactly the input the scheduler adapter puts on a reminder schedule, and refuses others', async () => {
    const sent: { input: Record<string, unknown> }[] = [];
    const client = { send: async (cmd: { input: Record<string, unknown> }) => sent.push(cmd) };
    const adapter = new EventBridgeScheduler(client as unknown as SchedulerClient, {
      group: 'gazette',
      targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:reminder',
      roleArn: 'arn:aws:iam::123456789012:role/scheduler',
      deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:gazette-jobs-dlq',
    });
    const job = {
      type: 'reminder' as const,
      deadlineId: 'dl_0mk2x9a0bcAbCdEfGh',
      offset: 'P14D',
      version: 3,
    };
    await adapter.upsert({
      name: 'gz-rem-dl_0mk2x9a0bcAbCdEfGh-P14D',
      at: new Date('2027-03-16T15:59:00Z'),
      job,
    });
    const input = sent[0]!.input as {
      ScheduleExpression: string;
      ActionAfterCompletion: string;
      Target: { Input: string };
    };
    expect(input.ScheduleExpression).toBe('at(2027-03-16T15:59:00)');
    expect(input.ActionAfterCompletion).toBe('DELETE');
    // A fire that keeps failing lands in the alarmed jobs DLQ instead of vanishing.
    expect((input.Target as unknown as { DeadLetterConfig?: { Arn: string } }).DeadLetterConfig).toEqual({
      Arn: 'arn:aws:sqs:us-east-1:123456789012:gazette-jobs-dlq',
    });

    const { ReminderEvent } = await import('../../../functions/reminder.ts');
    expect(ReminderEvent.parse(JSON.parse(input.Target.Input))).toEqual({ gazetteScheduled: job });
    expect(ReminderEvent.safeParse({ gazetteScheduled: { ...job, version: '3' } }).success).toBe(false);
    expect(ReminderEvent.safeParse({ gazetteScheduled: { type: 'compile-edition' } }).success).toBe(false);
  });

  it('never asks Scheduler for a time in the past, and never fires a reminder before its time', () => {
    const now = Date.parse('2027-03-16T15:58:50.000Z');
    expect(atExpression(new Date('2027-03-16T16:30:00.250Z'), now)).toBe('at(2027-03-16T16:30:01)');
    expect(atExpression(new Date('2027-03-16T15:59:00.000Z'), now)).toBe('at(2027-03-16T15:59:05)');
    expect(atExpression(new Date('2027-03-16T15:00:00.000Z'), now)).toBe('at(2027-03-16T15:59:05)');
  });

  it('a fire the send engine refuses for good is recorded failed and answered, not rethrown for Scheduler to retry in vain', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2027-03-16T15:59:05Z'));
    vi.resetModules();
    const { MemoryDeadlineRepo } = await import('./fakes.ts');
    const repo = new MemoryDeadlineRepo();
    await repo.create({
      deadlineId: 'dl_x',
      kind: 'deadline',
      title: 'Survey closes',
      description: '',
      dueAt: '2027-03-30T15:59:00.000Z',
      timeZone: 'Asia/Shanghai',
      audience: { kind: 'all', audience: 'reminders' },
      offsets: ['P14D', 'P7D'],
      language: 'en',
      status: 'active',
      createdAt: '2027-03-01T00:00:00.000Z',
      updatedAt: '2027-03-01T00:00:00.000Z',
      version: 1,
    });
    await repo.saveReminder({
      deadlineId: 'dl_x',
      offset: 'P14D',
      fireAt: '2027-03-16T15:59:00.000Z',
      status: 'pending',
      scheduleName: 'gz-rem-dl_x-P14D',
      version: 1,
    });
    vi.doMock('../../../src/app/reminders.ts', async (original) => {
      const real = await original<typeof import('../../../src/app/reminders.ts')>();
      const { ConfigError } = await import('../../../src/domain/errors.ts');
      return {
        ...real,
        // The real reminders composition over an in-memory repo, wired to an engine that is misconfigured.
        composeReminders: (infra: Parameters<typeof real.composeReminders>[0]) =>
          real.composeReminders(infra, {
            repo,
            startSend: async () => {
              throw new ConfigError('send engine: no suppression list wired');
            },
          }),
      };
    });
    try {
      const { handler } = await import('../../../functions/reminder.ts');
      await expect(
        handler({ gazetteScheduled: { type: 'reminder', deadlineId: 'dl_x', offset: 'P14D', version: 1 } }),
      ).resolves.toMatchObject({ ok: false, outcome: 'failed', error: /no suppression list wired/ });
      expect(await repo.getReminder('dl_x', 'P14D')).toMatchObject({
        status: 'failed',
        error: 'config: send engine: no suppression list wired',
      });
    } finally {
      vi.doUnmock('../../../src/app/reminders.ts');
      vi.resetModules();
      vi.useRealTimers();
    }
  });

  it('a fire the send engine refused is retried by Scheduler, not answered ok:false (which ended it with the reminder stuck sending)', async () => {
    vi.resetModules();
    vi.doMock('../../../src/app/reminders.ts', async (original) => {
      const real = await original<typeof import('../../../src/app/reminders.ts')>();
      // From the same (reset) module graph as the function, so it is a domain error there.
      const { ConfigError } = await import('../../../src/domain/errors.ts');
      return {
        ...real,
        composeReminders: (...args: Parameters<typeof real.composeReminders>) => ({
          ...real.composeReminders(...args),
          fireReminder: async () => {
            throw new ConfigError('the send engine is not wired');
          },
        }),
      };
    });
    try {
      const { handler } = await import('../../../functions/reminder.ts');
      await expect(
        handler({ gazetteScheduled: { type: 'reminder', deadlineId: 'dl_x', offset: 'P7D', version: 1 } }),
      ).rejects.toThrow(/not wired/);
    } finally {
      vi.doUnmock('../../../src/app/reminders.ts');
      vi.resetModules();
    }
  });
});
