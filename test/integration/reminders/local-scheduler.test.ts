import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduledJob } from '../../../src/ports/scheduler.ts';
import { startTestStack } from '../../support/local-stack.ts';
import { SettableClock } from './wiring.ts';

describe('local scheduler (EventBridge Scheduler stand-in) over dynalite', () => {
  const clock = new SettableClock(new Date('2027-03-31T23:00:00Z'));
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const fired: { job: ScheduledJob; name: string }[] = [];
  let onFire: (job: ScheduledJob, name: string) => Promise<void> = async () => {};

  beforeAll(async () => {
    stack = await startTestStack({ clock });
    stack.scheduler.setTarget(async (job, s) => {
      fired.push({ job, name: s.name });
      await onFire(job, s.name);
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('fires the quarterly edition compile once, at 09:00 Beijing time on the first day of the quarter', async () => {
    const compile = () => fired.filter((f) => f.job.type === 'compile-edition');
    expect(stack.scheduler.listRecurring()).toEqual([
      {
        name: 'edition-compile',
        expression: 'cron(0 9 1 1,4,7,10 ? *)',
        timeZone: 'Asia/Shanghai',
        next: new Date('2027-04-01T01:00:00Z'),
      },
    ]);
    clock.set('2027-04-01T00:59:00Z');
    await stack.scheduler.tick();
    expect(compile()).toEqual([]);
    clock.set('2027-04-01T01:00:20Z');
    await stack.scheduler.tick();
    await stack.scheduler.tick();
    expect(compile()).toEqual([{ job: { type: 'compile-edition' }, name: 'edition-compile' }]);
    expect(stack.scheduler.listRecurring()[0]?.next).toEqual(new Date('2027-07-01T01:00:00Z'));
  });

  it('does not delete a schedule that was moved while it was firing', async () => {
    clock.set('2027-05-01T00:00:00Z');
    const job: ScheduledJob = { type: 'reminder', deadlineId: 'dl_move', offset: 'P1D', version: 1 };
    await stack.scheduler.upsert({ name: 'gz-rem-dl_move-P1D', at: new Date('2027-05-01T00:00:00Z'), job });
    onFire = async (_job, name) => {
      if (name === 'gz-rem-dl_move-P1D') {
        await stack.scheduler.upsert({
          name,
          at: new Date('2027-06-01T00:00:00Z'),
          job: { ...job, version: 2 },
        });
      }
    };
    await stack.scheduler.tick();
    onFire = async () => {};
    const left = (await stack.scheduler.list()).filter((s) => s.name === 'gz-rem-dl_move-P1D');
    expect(left).toEqual([
      { name: 'gz-rem-dl_move-P1D', at: new Date('2027-06-01T00:00:00Z'), job: { ...job, version: 2 } },
    ]);
    await stack.scheduler.delete('gz-rem-dl_move-P1D');
  });

  it('retries a failing target: at once, then with backoff, and deletes the schedule once it succeeds', async () => {
    clock.set('2027-05-02T00:00:00Z');
    const name = 'gz-rem-dl_fail-P1D';
    const job: ScheduledJob = { type: 'reminder', deadlineId: 'dl_fail', offset: 'P1D', version: 1 };
    await stack.scheduler.upsert({ name, at: new Date('2027-05-02T00:00:00Z'), job });
    let failures = 2;
    onFire = async (_j, n) => {
      if (n === name && failures-- > 0) throw new Error('target unavailable');
    };
    const attempts = () => fired.filter((f) => f.name === name).length;
    await stack.scheduler.tick(); // fails
    await stack.scheduler.tick(); // immediate retry, fails again → backoff
    await stack.scheduler.tick(); // within backoff: not attempted
    expect(attempts()).toBe(2);
    clock.set('2027-05-02T00:00:05Z');
    await stack.scheduler.tick();
    expect(attempts()).toBe(3);
    expect((await stack.scheduler.list()).some((s) => s.name === name)).toBe(false);
    onFire = async () => {};
  });

  it('a schedule due while the process was down fires on the first tick after start', async () => {
    clock.set('2027-05-03T00:00:00Z');
    const name = 'gz-rem-dl_overdue-P7D';
    await stack.scheduler.upsert({
      name,
      at: new Date('2027-05-02T12:00:00Z'),
      job: { type: 'reminder', deadlineId: 'dl_overdue', offset: 'P7D', version: 1 },
    });
    expect(await stack.scheduler.tick()).toBe(1);
    expect(fired.at(-1)?.name).toBe(name);
  });
});
