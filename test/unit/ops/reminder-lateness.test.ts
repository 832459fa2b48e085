import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Infra } from '../../../src/app/infra.ts';
import { composeReminders } from '../../../src/app/reminders.ts';
import { ConfigSchema, loadConfig } from '../../../src/config/config.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import type { Metrics } from '../../../src/ports/metrics.ts';
import { FakeJobs, FakeScheduler, MemoryDeadlineRepo, pages } from '../reminders/fakes.ts';

/** The reminders area as the reminder Lambda composes it, with a metrics port that keeps what it is given. */
function setup() {
  const recorded: { values: Record<string, number>; unit: 'ms' | 'count' }[] = [];
  const metrics: Metrics = {
    count: (values) => recorded.push({ values, unit: 'count' }),
    milliseconds: (values) => recorded.push({ values, unit: 'ms' }),
  };
  const repo = new MemoryDeadlineRepo();
  const infra = {
    config: loadConfig(ConfigSchema, {}),
    table: {},
    scheduler: new FakeScheduler(),
    jobs: new FakeJobs(),
    clock: systemClock, // Date is frozen by vi.useFakeTimers
    logger: silentLogger,
  } as unknown as Infra;
  const app = composeReminders(infra, {
    repo,
    startSend: async () => {},
    subscribers: pages([]),
    members: { get: async () => undefined },
    metrics,
  });
  return { app, recorded };
}

const SURVEY = {
  title: 'IGPN survey on green purchasing and climate change closes',
  due: '2027-03-30 23:59',
  timeZone: 'Asia/Shanghai',
  link: 'https://igpn.example/survey',
};

describe('reminder lateness metric', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2027-03-01T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('records how long after its time a wave started (ReminderLatenessMs, in milliseconds)', async () => {
    const { app, recorded } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    // P7D is due at 2027-03-23T15:59:00Z (23:59 in Shanghai, 7 days before); Scheduler fired 4.25 s late.
    vi.setSystemTime(new Date('2027-03-23T15:59:04.250Z'));
    expect(
      await app.fireReminder({ deadlineId: deadline.deadlineId, offset: 'P7D', version: 1 }),
    ).toMatchObject({
      outcome: 'started',
    });
    expect(recorded).toEqual([{ values: { ReminderLatenessMs: 4250 }, unit: 'ms' }]);
  });

  it('records nothing for a fire that sends nothing (a repeat of a wave already sent)', async () => {
    const { app, recorded } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    vi.setSystemTime(new Date('2027-03-23T15:59:01Z'));
    const job = { deadlineId: deadline.deadlineId, offset: 'P7D', version: 1 };
    await app.fireReminder(job);
    recorded.length = 0;
    expect(await app.fireReminder(job)).toMatchObject({ outcome: 'already-sent' });
    expect(recorded).toEqual([]);
  });
});
