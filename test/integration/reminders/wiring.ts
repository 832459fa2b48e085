import { DynamoMemberRepo } from '../../../src/adapters/dynamodb/member-repo.ts';
import { DynamoSubscriberRepo } from '../../../src/adapters/dynamodb/subscriber-repo.ts';
import { DynamoSuppressionRepo } from '../../../src/adapters/dynamodb/suppression-repo.ts';
import { LocalJobRunner } from '../../../src/adapters/local/local-jobs.ts';
import { LocalQueue } from '../../../src/adapters/local/local-queue.ts';
import { mergeJobHandlers } from '../../../src/app/jobs.ts';
import { composeReminders } from '../../../src/app/reminders.ts';
import { composeSending, type SendingApp } from '../../../src/app/sending.ts';
import type { Member, Subscriber } from '../../../src/domain/index.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import type { SendBatchMessage } from '../../../src/ports/queue.ts';
import type { startTestStack } from '../../support/local-stack.ts';

type TestStack = Awaited<ReturnType<typeof startTestStack>>;

/** A clock that runs in real time from a settable origin (the send engine needs time to pass while it waits). */
export class SettableClock implements Clock {
  private origin: number;
  private realAtOrigin = Date.now();
  constructor(start: Date) {
    this.origin = start.getTime();
  }
  set(at: Date | string) {
    this.origin = new Date(at).getTime();
    this.realAtOrigin = Date.now();
  }
  now() {
    return new Date(this.origin + (Date.now() - this.realAtOrigin));
  }
  sleep(ms: number) {
    return new Promise<void>((r) => setTimeout(r, ms));
  }
}

/**
 * Reminders wired to the REAL send engine, subscriber, suppression and member repositories over the stack's
 * servers, with the stack's LocalScheduler firing into them: the wiring src/app/container.ts does.
 */
export function wireReminders(stack: TestStack) {
  const queue = new LocalQueue<SendBatchMessage>(stack.infra.logger, {
    clock: stack.infra.clock,
    visibilityMs: 200,
  });
  const runner = new LocalJobRunner(stack.infra.logger);
  const infra = { ...stack.infra, sendQueue: queue, jobs: runner };
  const subscribers = new DynamoSubscriberRepo(infra.table);
  const suppressions = new DynamoSuppressionRepo(infra.table);
  const members = new DynamoMemberRepo(infra.table);
  let sending: SendingApp | undefined;
  const reminders = composeReminders(infra, {
    startSend: (campaign, by) => sending!.startSend(campaign, by),
    rerunSend: (campaign, by) => sending!.rerun(campaign, by),
    subscribers,
    suppressions,
    members,
  });
  sending = composeSending(infra, { sources: [reminders.source], subscribers, suppressions });
  const runJob = mergeJobHandlers(reminders.jobs, sending.jobs);
  queue.setConsumer((m) => sending!.processBatch(m));
  runner.setHandler(runJob);
  stack.scheduler.setTarget(async (job) => {
    if (job.type === 'reminder') await runJob(job);
  });
  return {
    reminders,
    sending,
    subscribers,
    suppressions,
    members,
    runJob,
    /** Tick the scheduler, then wait until every send it started is done. */
    async tick() {
      const fired = await stack.scheduler.tick();
      await this.idle();
      return fired;
    },
    async idle() {
      for (let i = 0; i < 100; i++) {
        await runner.idle();
        await queue.idle();
        if (queue.depth === 0) {
          await runner.idle();
          return;
        }
      }
    },
  };
}

/** An active member organisation (a network in China unless `over` says otherwise), sending from press@<id>. */
export function aMember(memberId: string, over: Partial<Member> = {}): Member {
  return {
    memberId,
    organisation: `${memberId} organisation`,
    type: 'network',
    country: 'China',
    language: 'en',
    senders: [`press@${memberId.replace('_', '-')}.example`],
    trusted: true,
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

export function confirmedSubscriber(email: string, over: Partial<Subscriber> = {}): Subscriber {
  const id = `s_${email.replace(/[^a-z0-9]/gi, '').slice(0, 24)}`;
  return {
    subscriberId: id,
    email,
    name: '',
    language: 'en',
    timeZone: 'UTC',
    audiences: ['reminders'],
    status: 'confirmed',
    source: 'admin',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    confirmedAt: '2026-01-01T00:00:00.000Z',
    softBounces: 0,
    ...over,
  };
}
