import ical from 'node-ical';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Infra } from '../../../src/app/infra.ts';
import { composeReminders, type RemindersDeps } from '../../../src/app/reminders.ts';
import { ConfigSchema, loadConfig } from '../../../src/config/config.ts';
import {
  ConfigError,
  ConflictError,
  InvalidStateError,
  NotFoundError,
  RateLimitedError,
  type Subscriber,
} from '../../../src/domain/index.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import { FakeJobs, FakeScheduler, MemoryDeadlineRepo, pages, subscriber } from './fakes.ts';

const T0 = new Date('2027-03-01T00:00:00Z');

function setup(opts: { subscribers?: Subscriber[]; deps?: Partial<RemindersDeps> } = {}) {
  const repo = new MemoryDeadlineRepo();
  const scheduler = new FakeScheduler();
  const jobs = new FakeJobs();
  const started: { campaign: string; by: string }[] = [];
  /** While set, the send engine refuses every start with this error (an outage, a configuration problem). */
  let refusal: Error | undefined;
  const infra = {
    config: loadConfig(ConfigSchema, {}),
    table: {},
    scheduler,
    jobs,
    clock: systemClock, // Date is frozen by vi.useFakeTimers
    logger: silentLogger,
  } as unknown as Infra;
  const members = new Map([
    ['m_council', { type: 'council', status: 'active' }],
    ['m_network', { type: 'network', status: 'active' }],
    ['m_gone', { type: 'council', status: 'disabled' }],
  ]);
  const app = composeReminders(infra, {
    repo,
    // Like the real engine: a campaign starts once; a second start is refused with a ConflictError.
    startSend: async (campaign, by) => {
      if (refusal) throw refusal;
      if (started.some((s) => s.campaign === campaign))
        throw new ConflictError(`${campaign} was started before`);
      started.push({ campaign, by });
    },
    subscribers: pages(opts.subscribers ?? []),
    members: { get: async (id) => members.get(id) },
    ...opts.deps,
  });
  const refuse = (e: Error | undefined) => {
    refusal = e;
  };
  return { app, repo, scheduler, jobs, started, refuse };
}

const SURVEY = {
  title: 'IGPN survey on green purchasing and climate change closes',
  due: '2027-03-30 23:59',
  timeZone: 'Asia/Shanghai',
  link: 'https://igpn.example/survey',
};

describe('deadline reminders (time frozen)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('plans one schedule per default offset (14, 7, 1 days) at the due wall-clock time in the announcing zone', async () => {
    const { app, scheduler } = setup();
    const { deadline, reminders } = await app.createDeadline(SURVEY);
    expect(deadline).toMatchObject({
      dueAt: '2027-03-30T15:59:00.000Z',
      offsets: ['P14D', 'P7D', 'P1D'],
      version: 1,
    });
    expect(reminders.map((r) => [r.offset, r.status, r.fireAt])).toEqual([
      ['P14D', 'pending', '2027-03-16T15:59:00.000Z'],
      ['P7D', 'pending', '2027-03-23T15:59:00.000Z'],
      ['P1D', 'pending', '2027-03-29T15:59:00.000Z'],
    ]);
    const s = [...scheduler.schedules.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
    expect(s.map((x) => [x.at.toISOString(), x.job])).toEqual(
      reminders.map((r) => [
        r.fireAt,
        { type: 'reminder', deadlineId: deadline.deadlineId, offset: r.offset, version: 1 },
      ]),
    );
  });

  it('does not schedule a reminder whose time has passed (skipped-late) unless asked to send late', async () => {
    vi.setSystemTime(new Date('2027-03-20T00:00:00Z'));
    const { app, scheduler, jobs } = setup();
    const late = await app.createDeadline(SURVEY);
    expect(late.reminders.map((r) => [r.offset, r.status])).toEqual([
      ['P14D', 'skipped-late'],
      ['P7D', 'pending'],
      ['P1D', 'pending'],
    ]);
    expect(scheduler.schedules.size).toBe(2);
    expect(jobs.ran).toEqual([]);

    const sendLate = await app.createDeadline({ ...SURVEY, sendLate: true });
    expect(sendLate.reminders.find((r) => r.offset === 'P14D')?.status).toBe('pending');
    expect(jobs.ran).toEqual([
      { type: 'reminder', deadlineId: sendLate.deadline.deadlineId, offset: 'P14D', version: 1 },
    ]);
  });

  it('sending late sends only the missed reminder nearest the due time, saying how long is really left', async () => {
    vi.setSystemTime(new Date('2027-03-25T00:00:00Z')); // P14D and P7D both missed, P1D ahead
    const { app, jobs } = setup();
    const { deadline, reminders } = await app.createDeadline({ ...SURVEY, sendLate: true });
    expect(reminders.map((r) => [r.offset, r.status])).toEqual([
      ['P14D', 'skipped-late'],
      ['P7D', 'pending'],
      ['P1D', 'pending'],
    ]);
    expect(jobs.ran).toEqual([
      { type: 'reminder', deadlineId: deadline.deadlineId, offset: 'P7D', version: 1 },
    ]);
    const msg = (await app.source.prepare(`reminder#${deadline.deadlineId}#P7D`))(
      subscriber({ email: 'late@example.org', timeZone: 'Asia/Shanghai' }),
      { unsubscribeUrl: 'https://x.example/u', preferencesUrl: 'https://x.example/p', listHeaders: {} },
    );
    expect(msg.subject).toBe(`Reminder: ${SURVEY.title} – closes in 5 days`);
  });

  it('sending late sends nothing for an item whose due time has already passed', async () => {
    vi.setSystemTime(new Date('2027-04-02T00:00:00Z'));
    const { app, jobs } = setup();
    const { reminders } = await app.createDeadline({ ...SURVEY, sendLate: true, force: true });
    expect(reminders.map((r) => r.status)).toEqual(['skipped-late', 'skipped-late', 'skipped-late']);
    expect(jobs.ran).toEqual([]);
  });

  it('refuses an item whose due time has passed (a typo in the year or zone), unless forced (issue 15)', async () => {
    vi.setSystemTime(new Date('2027-04-02T00:00:00Z'));
    const { app, repo, scheduler } = setup();
    await expect(app.createDeadline(SURVEY)).rejects.toThrow(
      /due time 2027-03-30, 23:59 \(Asia\/Shanghai\) has already passed.*--force/,
    );
    await expect(app.createDeadline({ ...SURVEY, dryRun: true })).rejects.toThrow(/already passed/);
    expect(repo.deadlines.size).toBe(0);
    expect(scheduler.schedules.size).toBe(0);
    const { deadline } = await app.createDeadline({ ...SURVEY, due: '2027-04-30 23:59' });
    await expect(
      app.updateDeadline(deadline.deadlineId, { due: '2027-03-30 23:59' }, 'cli:a'),
    ).rejects.toThrow(/already passed/);
    const moved = await app.updateDeadline(
      deadline.deadlineId,
      { due: '2027-03-30 23:59', force: true },
      'cli:a',
    );
    expect(moved.deadline.dueAt).toBe('2027-03-30T15:59:00.000Z');
  });

  it('a create cut short by a Scheduler error is finished by a retry with the same requestId: one item, every reminder planned', async () => {
    const { app, repo, scheduler } = setup();
    const request = { ...SURVEY, requestId: 'cli-2f6c1d' };
    scheduler.failNthUpsert(2); // P14D is planned, then Scheduler fails: P7D and P1D have nothing
    await expect(app.createDeadline(request)).rejects.toThrow(/Rate exceeded/);
    expect(scheduler.schedules.size).toBe(1);

    const retried = await app.createDeadline(request);
    expect(repo.deadlines.size).toBe(1);
    expect(retried.deadline.version).toBe(1);
    expect(retried.reminders.map((r) => [r.offset, r.status, r.version])).toEqual([
      ['P14D', 'pending', 1],
      ['P7D', 'pending', 1],
      ['P1D', 'pending', 1],
    ]);
    expect(
      [...scheduler.schedules.values()]
        .map((s) => s.job)
        .sort((a, b) => (a as { offset: string }).offset.localeCompare((b as { offset: string }).offset)),
    ).toEqual(
      ['P14D', 'P1D', 'P7D'].map((offset) => ({
        type: 'reminder',
        deadlineId: retried.deadline.deadlineId,
        offset,
        version: 1,
      })),
    );
    // A retry of a create that had succeeded answers with the same item, still one.
    expect((await app.createDeadline(request)).deadline.deadlineId).toBe(retried.deadline.deadlineId);
    expect(repo.deadlines.size).toBe(1);
    // The same key for a different item is refused rather than answered with the wrong one.
    await expect(app.createDeadline({ ...request, title: 'Another survey' })).rejects.toThrow(
      /already used for a different item/,
    );
    // Without a key, two creates are two items (as before).
    await app.createDeadline(SURVEY);
    expect(repo.deadlines.size).toBe(2);
  });

  it('moving the due date moves the pending schedules; removing an offset cancels its reminder', async () => {
    const { app, scheduler } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    const moved = await app.updateDeadline(
      deadline.deadlineId,
      { due: '2027-04-30 23:59', offsets: ['P14D', 'P2D'] },
      'cli:test',
    );
    expect(moved.deadline.version).toBe(2);
    expect(moved.reminders.map((r) => [r.offset, r.status, r.fireAt, r.version])).toEqual([
      ['P7D', 'cancelled', '2027-03-23T15:59:00.000Z', 2],
      ['P1D', 'cancelled', '2027-03-29T15:59:00.000Z', 2],
      ['P14D', 'pending', '2027-04-16T15:59:00.000Z', 2],
      ['P2D', 'pending', '2027-04-28T15:59:00.000Z', 2],
    ]);
    expect([...scheduler.schedules.values()].map((s) => [s.job, s.at.toISOString()])).toEqual([
      [
        { type: 'reminder', deadlineId: deadline.deadlineId, offset: 'P14D', version: 2 },
        '2027-04-16T15:59:00.000Z',
      ],
      [
        { type: 'reminder', deadlineId: deadline.deadlineId, offset: 'P2D', version: 2 },
        '2027-04-28T15:59:00.000Z',
      ],
    ]);
  });

  it('an outdated fire at the unchanged reminder time still sends it (update crashed before moving the schedule)', async () => {
    const { app, repo, started } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    // The update wrote version 2 (title only) and crashed before reconciling: the version-1 schedules remain.
    await repo.replace({ ...deadline, title: 'Survey closes (updated)', version: 2 }, 1);
    vi.setSystemTime(new Date('2027-03-23T15:59:05Z')); // P7D time
    expect(await app.fireReminder({ deadlineId: deadline.deadlineId, offset: 'P7D', version: 1 })).toEqual({
      outcome: 'started',
      campaign: `reminder#${deadline.deadlineId}#P7D`,
    });
    expect(started.map((s) => s.campaign)).toEqual([`reminder#${deadline.deadlineId}#P7D`]);
    expect((await repo.getReminder(deadline.deadlineId, 'P7D'))?.status).toBe('sent');
  });

  it('an edit made after a reminder became due but before its schedule fired keeps that reminder', async () => {
    const { app, repo, scheduler, started } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    const name = `gz-rem-${deadline.deadlineId}-P7D`;
    // P7D is due (15:59:00) and Scheduler has not invoked it yet (it fires within the minute, or is retrying).
    vi.setSystemTime(new Date('2027-03-23T15:59:10Z'));
    const edited = await app.updateDeadline(deadline.deadlineId, { title: 'Survey closes (typo)' }, 'cli:a');
    expect(edited.reminders.find((r) => r.offset === 'P7D')).toMatchObject({
      status: 'pending',
      fireAt: '2027-03-23T15:59:00.000Z',
    });
    const schedule = scheduler.schedules.get(name);
    expect(schedule?.job).toEqual({
      type: 'reminder',
      deadlineId: deadline.deadlineId,
      offset: 'P7D',
      version: 2,
    });
    await app.fireReminder(schedule!.job as { deadlineId: string; offset: string; version: number });
    expect(started.map((s) => s.campaign)).toEqual([`reminder#${deadline.deadlineId}#P7D`]);
    expect((await repo.getReminder(deadline.deadlineId, 'P7D'))?.status).toBe('sent');
  });

  it('fires that arrive late send only the reminder nearest the due time, and nothing once the item is due', async () => {
    const { app, repo, started } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    const fire = (offset: string) =>
      app.fireReminder({ deadlineId: deadline.deadlineId, offset, version: 1 });
    // The embedded runtime was stopped from 10 to 25 March: on start the overdue P14D and P7D schedules fire.
    vi.setSystemTime(new Date('2027-03-25T00:00:00Z'));
    expect(await fire('P14D')).toMatchObject({ outcome: 'skipped-late' });
    expect(await fire('P7D')).toMatchObject({ outcome: 'started' });
    expect(started.map((s) => s.campaign)).toEqual([`reminder#${deadline.deadlineId}#P7D`]);
    expect((await repo.getReminder(deadline.deadlineId, 'P14D'))?.status).toBe('skipped-late');
    // A P1D fire retried past the due time: the survey has closed, so no "closes" reminder goes out.
    vi.setSystemTime(new Date('2027-03-31T00:00:00Z'));
    expect(await fire('P1D')).toMatchObject({ outcome: 'skipped-late' });
    expect(started).toHaveLength(1);
    expect((await repo.getReminder(deadline.deadlineId, 'P1D'))?.status).toBe('skipped-late');
  });

  it('a fire for an outdated version or a cancelled item sends nothing', async () => {
    const { app, started } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    await app.updateDeadline(deadline.deadlineId, { title: 'Survey closes (updated)' }, 'cli:test');
    expect(await app.fireReminder({ deadlineId: deadline.deadlineId, offset: 'P7D', version: 1 })).toEqual({
      outcome: 'stale',
      currentVersion: 2,
    });
    await app.cancelDeadline(deadline.deadlineId, 'cli:test');
    expect(await app.fireReminder({ deadlineId: deadline.deadlineId, offset: 'P7D', version: 3 })).toEqual({
      outcome: 'ignored',
      reason: 'cancelled',
    });
    expect(await app.fireReminder({ deadlineId: 'dl_missing', offset: 'P7D', version: 1 })).toMatchObject({
      outcome: 'ignored',
    });
    expect(started).toEqual([]);
  });

  it('firing the same reminder twice starts its wave once; a fire cut short is retried', async () => {
    const { app, repo, started } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    const job = { deadlineId: deadline.deadlineId, offset: 'P7D', version: 1 };
    vi.setSystemTime(new Date('2027-03-23T15:59:05Z'));
    expect(await app.fireReminder(job)).toEqual({
      outcome: 'started',
      campaign: `reminder#${deadline.deadlineId}#P7D`,
    });
    expect(await app.fireReminder(job)).toMatchObject({ outcome: 'already-sent' });
    expect(started).toEqual([{ campaign: `reminder#${deadline.deadlineId}#P7D`, by: 'system:scheduler' }]);
    expect(await repo.getReminder(deadline.deadlineId, 'P7D')).toMatchObject({
      status: 'sent',
      sentAt: '2027-03-23T15:59:05.000Z',
    });

    // A fire that crashed after marking "sending": the retry asks the (idempotent) engine again.
    const r = (await repo.getReminder(deadline.deadlineId, 'P1D'))!;
    await repo.saveReminder({ ...r, status: 'sending' });
    expect(await app.fireReminder({ ...job, offset: 'P1D' })).toMatchObject({ outcome: 'started' });
    expect(started).toHaveLength(2);

    // Crashed after the engine accepted the start: the retry's start is refused, and that counts as done.
    const p7 = (await repo.getReminder(deadline.deadlineId, 'P7D'))!;
    await repo.saveReminder({ ...p7, status: 'sending', sentAt: undefined });
    expect(await app.fireReminder(job)).toMatchObject({ outcome: 'started' });
    expect(started).toHaveLength(2);
    expect(await repo.getReminder(deadline.deadlineId, 'P7D')).toMatchObject({ status: 'sent' });
  });

  it('a wave the engine refuses because the item was cancelled during the fire ends cancelled, not sending for good', async () => {
    let duringStart: (() => Promise<void>) | undefined;
    const app: ReturnType<typeof setup>['app'] = setup({
      deps: {
        // As the real engine: it asks the campaign's source first and refuses a cancelled item.
        startSend: async (campaign) => {
          await duringStart?.();
          const ready = await app.source.ready!(campaign);
          if (ready !== true) throw new InvalidStateError(ready || 'not ready');
        },
      },
    }).app;
    const { deadline } = await app.createDeadline(SURVEY);
    const id = deadline.deadlineId;
    vi.setSystemTime(new Date('2027-03-23T15:59:05Z'));
    // The secretariat cancels between the fire marking P7D `sending` and the engine's start.
    duringStart = async () => {
      duringStart = undefined;
      await app.cancelDeadline(id, 'cli:other');
    };
    expect(await app.fireReminder({ deadlineId: id, offset: 'P7D', version: 1 })).toEqual({
      outcome: 'ignored',
      reason: 'cancelled',
    });
    expect((await app.getDeadline(id)).reminders.map((r) => [r.offset, r.status])).toEqual([
      ['P14D', 'cancelled'],
      ['P7D', 'cancelled'],
      ['P1D', 'cancelled'],
    ]);
  });

  it('a wave left sending by a transient refusal stays retryable, and a retry after a change completes or settles it', async () => {
    const { app, repo, started, refuse } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    const id = deadline.deadlineId;
    vi.setSystemTime(new Date('2027-03-23T15:59:05Z'));
    refuse(new RateLimitedError('send engine busy'));
    await expect(app.fireReminder({ deadlineId: id, offset: 'P7D', version: 1 })).rejects.toThrow(/busy/);
    expect((await repo.getReminder(id, 'P7D'))?.status).toBe('sending');
    // Edited meanwhile (title): the retry of that fire completes the wave instead of leaving it sending.
    await app.updateDeadline(id, { title: 'Survey closes (typo fixed)' }, 'cli:a');
    refuse(undefined);
    expect(await app.fireReminder({ deadlineId: id, offset: 'P7D', version: 1 })).toMatchObject({
      outcome: 'started',
    });
    expect((await repo.getReminder(id, 'P7D'))?.status).toBe('sent');
    expect(started.map((s) => s.campaign)).toEqual([`reminder#${id}#P7D`]);

    // P1D left sending, then its offset removed: the retry withdraws it.
    vi.setSystemTime(new Date('2027-03-29T15:59:05Z'));
    refuse(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(app.fireReminder({ deadlineId: id, offset: 'P1D', version: 2 })).rejects.toThrow();
    await app.updateDeadline(id, { offsets: ['P14D', 'P7D'] }, 'cli:a');
    expect(await app.fireReminder({ deadlineId: id, offset: 'P1D', version: 2 })).toEqual({
      outcome: 'ignored',
      reason: 'offset-removed',
    });
    expect((await repo.getReminder(id, 'P1D'))?.status).toBe('cancelled');
    expect(started).toHaveLength(1);
  });

  it('a wave the engine refuses for good (a configuration error) ends failed with its reason, is not retried by itself, and a retry or an update moves it on', async () => {
    const { app, repo, scheduler, jobs, started, refuse } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    const id = deadline.deadlineId;
    vi.setSystemTime(new Date('2027-03-16T15:59:05Z'));
    scheduler.schedules.delete(`gz-rem-${id}-P14D`); // deleted after completion, as on AWS
    refuse(new ConfigError('send engine: no suppression list wired'));
    // Final: answered (not thrown), so Scheduler does not retry it for hours with nothing to show for it.
    expect(await app.fireReminder({ deadlineId: id, offset: 'P14D', version: 1 })).toEqual({
      outcome: 'failed',
      campaign: `reminder#${id}#P14D`,
      error: 'config: send engine: no suppression list wired',
    });
    expect((await app.showDeadline(id)).reminders.find((r) => r.offset === 'P14D')).toMatchObject({
      status: 'failed',
      error: 'config: send engine: no suppression list wired',
    });
    const list = app.routes.find((r) => r.method === 'GET' && r.path === '/admin/deadlines')!;
    const listed = JSON.parse(String((await list.handler({ query: {} } as never)).body));
    expect(listed.deadlines[0]).toMatchObject({
      deadlineId: id,
      failedReminders: [{ offset: 'P14D', error: 'config: send engine: no suppression list wired' }],
    });
    // Nothing re-plans it by itself: no schedule, no job; the next reminder fires as planned.
    expect([...scheduler.schedules.keys()].some((n) => n.endsWith('-P14D'))).toBe(false);
    expect(jobs.ran).toEqual([]);

    // No campaign source for reminders (the engine's NotFoundError) is final too; a later retry that works sends it.
    refuse(new NotFoundError(`no campaign source handles reminder#${id}#P14D`));
    expect(await app.fireReminder({ deadlineId: id, offset: 'P14D', version: 1 })).toMatchObject({
      outcome: 'failed',
      error: `not_found: no campaign source handles reminder#${id}#P14D`,
    });
    refuse(undefined);
    expect(await app.fireReminder({ deadlineId: id, offset: 'P14D', version: 1 })).toMatchObject({
      outcome: 'started',
    });
    const sent = await repo.getReminder(id, 'P14D');
    expect(sent).toMatchObject({ status: 'sent' });
    expect(sent?.error).toBeUndefined();

    // P7D fails; the cause is fixed and the item updated: the failed reminder is re-planned, not stuck.
    vi.setSystemTime(new Date('2027-03-23T15:59:05Z'));
    refuse(new ConfigError('send engine: no subscriber directory wired'));
    expect(await app.fireReminder({ deadlineId: id, offset: 'P7D', version: 1 })).toMatchObject({
      outcome: 'failed',
    });
    refuse(undefined);
    const updated = await app.updateDeadline(id, { sendLate: true }, 'cli:a');
    expect(updated.reminders.map((r) => [r.offset, r.status, r.error])).toEqual([
      ['P14D', 'sent', undefined],
      ['P7D', 'pending', undefined],
      ['P1D', 'pending', undefined],
    ]);
    expect(jobs.ran).toEqual([{ type: 'reminder', deadlineId: id, offset: 'P7D', version: 2 }]);
    expect(await app.fireReminder({ deadlineId: id, offset: 'P7D', version: 2 })).toMatchObject({
      outcome: 'started',
    });
    expect(started.map((s) => s.campaign)).toEqual([`reminder#${id}#P14D`, `reminder#${id}#P7D`]);

    // P1D fails; an extension moves it to a time still ahead: pending again, with its schedule.
    vi.setSystemTime(new Date('2027-03-29T15:59:05Z'));
    refuse(new ConfigError('send engine: no subscriber directory wired'));
    expect(await app.fireReminder({ deadlineId: id, offset: 'P1D', version: 2 })).toMatchObject({
      outcome: 'failed',
    });
    refuse(undefined);
    const extended = await app.updateDeadline(id, { due: '2027-04-15 23:59' }, 'cli:a');
    expect(extended.reminders.find((r) => r.offset === 'P1D')).toMatchObject({
      status: 'pending',
      version: 3,
    });
    expect(extended.reminders.find((r) => r.offset === 'P1D')?.error).toBeUndefined();
    expect(scheduler.schedules.get(`gz-rem-${id}-P1D`)?.job).toMatchObject({ version: 3 });
  });

  it('a failed reminder whose item is cancelled or whose offset is removed ends cancelled, without its error', async () => {
    const { app, repo, refuse } = setup();
    refuse(new ConfigError('send engine: no suppression list wired'));
    const { deadline } = await app.createDeadline(SURVEY);
    const id = deadline.deadlineId;
    vi.setSystemTime(new Date('2027-03-16T15:59:05Z'));
    await app.fireReminder({ deadlineId: id, offset: 'P14D', version: 1 });
    expect((await repo.getReminder(id, 'P14D'))?.status).toBe('failed');
    refuse(undefined);
    await app.updateDeadline(id, { offsets: ['P7D', 'P1D'] }, 'cli:a');
    const r = await repo.getReminder(id, 'P14D');
    expect(r).toMatchObject({ status: 'cancelled', version: 2 });
    expect(r?.error).toBeUndefined();

    vi.setSystemTime(new Date('2027-03-23T15:59:05Z'));
    refuse(new ConfigError('send engine: no suppression list wired'));
    await app.fireReminder({ deadlineId: id, offset: 'P7D', version: 2 });
    expect((await repo.getReminder(id, 'P7D'))?.status).toBe('failed');
    await app.cancelDeadline(id, 'cli:a');
    const c = await repo.getReminder(id, 'P7D');
    expect(c).toMatchObject({ status: 'cancelled', version: 3 });
    expect(c?.error).toBeUndefined();
  });

  it('a reminder already sent is not planned again when the deadline is extended', async () => {
    const { app, scheduler } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    await app.fireReminder({ deadlineId: deadline.deadlineId, offset: 'P14D', version: 1 });
    scheduler.schedules.delete(`gz-rem-${deadline.deadlineId}-P14D`); // deleted after completion, as on AWS
    const extended = await app.updateDeadline(deadline.deadlineId, { due: '2027-04-15 23:59' }, 'cli:test');
    expect(extended.reminders.find((r) => r.offset === 'P14D')).toMatchObject({ status: 'sent', version: 1 });
    expect([...scheduler.schedules.keys()].some((n) => n.endsWith('-P14D'))).toBe(false);
  });

  it('cancelling deletes every pending schedule, and cancelling again is harmless', async () => {
    const { app, scheduler } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    const c = await app.cancelDeadline(deadline.deadlineId, 'cli:test');
    expect(c.deadline.status).toBe('cancelled');
    expect(c.reminders.every((r) => r.status === 'cancelled')).toBe(true);
    expect(scheduler.schedules.size).toBe(0);
    await expect(app.cancelDeadline(deadline.deadlineId, 'cli:test')).resolves.toMatchObject({
      deadline: { status: 'cancelled', version: 2 },
    });
    await expect(app.updateDeadline(deadline.deadlineId, { title: 'x' }, 'cli:test')).rejects.toThrow(
      /cancelled/,
    );
  });

  it('an "extended" notice goes out only when the due time moves later', async () => {
    const { app, started } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    await expect(
      app.updateDeadline(deadline.deadlineId, { due: '2027-03-29 23:59', notifyExtension: true }, 'cli:a'),
    ).rejects.toThrow(/later/);
    const r = await app.updateDeadline(
      deadline.deadlineId,
      { due: '2027-04-30 23:59', notifyExtension: true },
      'cli:a',
    );
    expect(r.notice).toBe(`reminder#${deadline.deadlineId}#extended-v2`);
    expect(started).toEqual([{ campaign: r.notice, by: 'cli:a' }]);
  });

  it('an "extended" notice that failed to start after the update was saved goes out when the same update is retried', async () => {
    const { app, repo, started, refuse } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    const id = deadline.deadlineId;
    // Never extended: the same due time with a notice is still refused.
    await expect(app.updateDeadline(id, { due: SURVEY.due, notifyExtension: true }, 'cli:a')).rejects.toThrow(
      /later/,
    );
    const update = { due: '2027-04-30 23:59', notifyExtension: true, ifVersion: 1 };
    refuse(new Error('send engine unavailable'));
    await expect(app.updateDeadline(id, update, 'cli:a')).rejects.toThrow(/unavailable/);
    expect((await repo.get(id))?.version).toBe(2); // saved; its notice was not started
    expect(started).toEqual([]);
    refuse(undefined);
    const retried = await app.updateDeadline(id, update, 'cli:a');
    expect(retried.notice).toBe(`reminder#${id}#extended-v2`);
    expect(retried.deadline.version).toBe(2);
    expect(started).toEqual([{ campaign: `reminder#${id}#extended-v2`, by: 'cli:a' }]);
    // Retried once more (the answer was lost): the notice is not sent twice.
    expect((await app.updateDeadline(id, update, 'cli:a')).notice).toBe(`reminder#${id}#extended-v2`);
    expect(started).toHaveLength(1);
    // A different change against the old version is still a conflict.
    await expect(app.updateDeadline(id, { ...update, due: '2027-05-30 23:59' }, 'cli:a')).rejects.toThrow(
      /version 2/,
    );
  });

  it('repeating the due time with a notice after an unrelated edit is refused: the item was not extended then', async () => {
    const { app, started } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    const id = deadline.deadlineId;
    await app.updateDeadline(id, { due: '2027-04-30 23:59', notifyExtension: true }, 'cli:a');
    expect(started).toHaveLength(1);
    // An extension without a notice, then a retitle: the current version asked for no notice.
    await app.updateDeadline(id, { due: '2027-05-30 23:59' }, 'cli:a');
    await app.updateDeadline(id, { title: 'Survey (renamed)' }, 'cli:a');
    await expect(
      app.updateDeadline(id, { due: '2027-05-30 23:59', notifyExtension: true }, 'cli:a'),
    ).rejects.toThrow(/later/);
    expect(started).toHaveLength(1);
  });

  it('refuses an update made against an old version (optimistic concurrency)', async () => {
    const { app } = setup();
    const { deadline } = await app.createDeadline(SURVEY);
    await app.updateDeadline(deadline.deadlineId, { title: 'First edit' }, 'cli:a');
    await expect(
      app.updateDeadline(deadline.deadlineId, { title: 'Late edit', ifVersion: 1 }, 'cli:b'),
    ).rejects.toThrow(/version 2/);
  });

  it('stores the time zone in its canonical spelling, so a reader in that zone is not shown the time twice', async () => {
    const { app } = setup();
    const { deadline } = await app.createDeadline({ ...SURVEY, timeZone: 'asia/shanghai' });
    expect(deadline.timeZone).toBe('Asia/Shanghai');
    const updated = await app.updateDeadline(deadline.deadlineId, { timeZone: 'europe/berlin' }, 'cli:a');
    expect(updated.deadline.timeZone).toBe('Europe/Berlin');
    const msg = (await app.source.prepare(`reminder#${deadline.deadlineId}#P7D`))(
      subscriber({ email: 'b@example.org', timeZone: 'Europe/Berlin' }),
      { unsubscribeUrl: 'u', preferencesUrl: 'p', listHeaders: {} },
    );
    expect(msg.text).not.toContain('In your time zone');
  });

  it('validates events, audiences and offsets with clear messages', async () => {
    const { app } = setup();
    await expect(app.createDeadline({ ...SURVEY, kind: 'event' })).rejects.toThrow(/needs end/);
    await expect(
      app.createDeadline({
        ...SURVEY,
        kind: 'event',
        start: '2027-05-25 15:00',
        due: undefined,
        end: '2027-05-25 14:00',
      }),
    ).rejects.toThrow(/after start/);
    await expect(app.createDeadline({ ...SURVEY, audience: 'member-type:royalty' })).rejects.toThrow(
      /member type/,
    );
    await expect(app.createDeadline({ ...SURVEY, offsets: ['P2W'] })).rejects.toThrow(/offset/);
    await expect(app.createDeadline({ ...SURVEY, link: 'javascript:alert(1)' })).rejects.toThrow(/http\(s\)/);
    await expect(app.createDeadline({ ...SURVEY, bogus: 1 })).rejects.toThrow(/bogus|Unrecognized/i);
    const ev = await app.createDeadline({
      kind: 'event',
      title: 'Webinar',
      start: '2027-05-25 15:00',
      end: '2027-05-25 18:00',
      timeZone: 'Asia/Shanghai',
      offsets: 'P7D,PT2H',
      audience: 'member-type:council',
    });
    expect(ev.deadline).toMatchObject({
      dueAt: '2027-05-25T07:00:00.000Z',
      endAt: '2027-05-25T10:00:00.000Z',
      offsets: ['P7D', 'PT2H'],
      audience: { kind: 'member-type', memberType: 'council' },
    });
  });
});

describe('reminder recipients and message', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const subs = [
    subscriber({ email: 'all@example.org', timeZone: 'Europe/Berlin' }),
    subscriber({ email: 'council@example.org', memberId: 'm_council', timeZone: 'America/New_York' }),
    subscriber({ email: 'network@example.org', memberId: 'm_network' }),
    subscriber({ email: 'disabled-member@example.org', memberId: 'm_gone' }),
    subscriber({ email: 'news-only@example.org', audiences: ['newsletter'], memberId: 'm_council' }),
    subscriber({ email: 'unconfirmed@example.org', status: 'unconfirmed' }),
  ];
  const emails = async (it: AsyncIterable<Subscriber[]>) => {
    const out: string[] = [];
    for await (const page of it) out.push(...page.map((s) => s.email));
    return out.sort();
  };

  it('selects confirmed reminder subscribers by audience scope: all, members only, a member type', async () => {
    const { app } = setup({ subscribers: subs });
    const all = await app.createDeadline(SURVEY);
    const members = await app.createDeadline({ ...SURVEY, audience: 'members' });
    const council = await app.createDeadline({
      ...SURVEY,
      audience: { kind: 'member-type', memberType: 'council' },
    });
    const key = (id: string) => `reminder#${id}#P7D`;
    expect(await emails(app.source.recipients(key(all.deadline.deadlineId)))).toEqual([
      'all@example.org',
      'council@example.org',
      'disabled-member@example.org',
      'network@example.org',
    ]);
    expect(await emails(app.source.recipients(key(members.deadline.deadlineId)))).toEqual([
      'council@example.org',
      'network@example.org',
    ]);
    expect(await emails(app.source.recipients(key(council.deadline.deadlineId)))).toEqual([
      'council@example.org',
    ]);
    await app.cancelDeadline(all.deadline.deadlineId, 'cli:test');
    expect(await emails(app.source.recipients(key(all.deadline.deadlineId)))).toEqual([]);
    expect(app.source.handles(key(all.deadline.deadlineId))).toBe(true);
    expect(app.source.handles('edition#3')).toBe(false);
  });

  it('remind-now dry run lists who would receive it, leaving out suppressed addresses, and sends nothing', async () => {
    const { app, started } = setup({
      subscribers: subs,
      deps: { suppressions: { isSuppressed: async (e) => e === 'network@example.org' } },
    });
    const { deadline } = await app.createDeadline({ ...SURVEY, audience: 'members' });
    const dry = await app.remindNow(deadline.deadlineId, { dryRun: true }, 'cli:a');
    expect(dry).toMatchObject({
      dryRun: true,
      campaign: `reminder#${deadline.deadlineId}#now-202703010000`,
      count: 1,
      suppressed: 1,
      truncated: false,
    });
    expect(dry.dryRun && dry.recipients.map((r) => r.email)).toEqual(['council@example.org']);
    expect(started).toEqual([]);
    const real = await app.remindNow(deadline.deadlineId, {}, 'cli:a');
    expect(real).toEqual({ dryRun: false, campaign: dry.campaign, started: true });
    expect(started).toEqual([{ campaign: dry.campaign, by: 'cli:a' }]);
  });

  it('shows the due time in the recipient zone and the announcing zone, with a valid .ics and one-click headers', async () => {
    const { app } = setup({ subscribers: subs });
    const { deadline } = await app.createDeadline({ ...SURVEY, description: 'Ten questions, <15 minutes.' });
    const personalise = await app.source.prepare(`reminder#${deadline.deadlineId}#P7D`);
    const links = {
      unsubscribeUrl: 'https://x.example/v1/unsubscribe?token=abc',
      preferencesUrl: 'https://x.example/v1/preferences?token=def',
      listHeaders: {
        'List-Unsubscribe': '<https://x.example/v1/unsubscribe?token=abc>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    };
    const berlin = personalise(subs[0]!, links);
    expect(berlin.subject).toBe(`Reminder: ${SURVEY.title} – closes in 7 days`);
    expect(berlin.to).toBe('all@example.org');
    // Exact punctuation comes from the runtime's ICU data, so match the parts that matter.
    expect(berlin.text).toMatch(/^Due: Tue, March 30, 2027\D+23:59 GMT\+8 \(Asia\/Shanghai\)$/m);
    expect(berlin.text).toMatch(
      /^In your time zone: Tue, March 30, 2027\D+17:59 GMT\+2 \(Europe\/Berlin\)$/m,
    );
    expect(berlin.text).toContain(links.unsubscribeUrl);
    expect(berlin.html).toContain('Ten questions, &lt;15 minutes.');
    expect(berlin.headers).toEqual(links.listHeaders);
    const ny = personalise(subs[1]!, links);
    expect(ny.text).toMatch(/11:59 (EDT|GMT-4) \(America\/New_York\)/); // already summer time on 30 March

    const att = berlin.attachments?.[0];
    expect(att?.filename).toBe('deadline.ics');
    expect(att?.contentType).toMatch(/^text\/calendar/);
    const parsed = Object.values(ical.sync.parseICS(String(att?.content))).filter(
      (c) => c?.type === 'VEVENT',
    );
    expect(parsed).toHaveLength(1);
    const ev = parsed[0] as ical.VEvent;
    expect(ev.summary).toBe(SURVEY.title);
    expect(new Date(ev.start).toISOString()).toBe('2027-03-30T15:59:00.000Z');
    expect(ev.uid).toBe(`${deadline.deadlineId}@gazette`);
    expect(ev.url).toBe(SURVEY.link);
  });

  it('gives an event a calendar entry with its start and end, and words an extension notice', async () => {
    const { app } = setup({ subscribers: subs });
    const { deadline } = await app.createDeadline({
      kind: 'event',
      title: 'Webinar on eco-labels',
      start: '2027-05-25 15:00',
      end: '2027-05-25 18:00',
      timeZone: 'Asia/Shanghai',
      language: 'zh',
    });
    const links = { unsubscribeUrl: 'u', preferencesUrl: 'p', listHeaders: {} };
    const msg = (await app.source.prepare(`reminder#${deadline.deadlineId}#P1D`))(subs[2]!, links);
    expect(msg.subject).toContain('Webinar on eco-labels');
    expect(msg.text).toContain('(Asia/Shanghai)');
    const ev = Object.values(ical.sync.parseICS(String(msg.attachments?.[0]?.content))).find(
      (c) => c?.type === 'VEVENT',
    ) as ical.VEvent;
    expect(new Date(ev.start).toISOString()).toBe('2027-05-25T07:00:00.000Z');
    expect(new Date(ev.end).toISOString()).toBe('2027-05-25T10:00:00.000Z');
    // Each reader's language, not the item's (issue 14): subs[2] reads English.
    const prepared = await app.source.prepare(`reminder#${deadline.deadlineId}#extended-v2`);
    expect(prepared(subs[2]!, links).subject).toBe('Rescheduled: Webinar on eco-labels');
    expect(prepared({ ...subs[2]!, language: 'zh' }, links).subject).toBe('时间变更: Webinar on eco-labels');
  });
});
