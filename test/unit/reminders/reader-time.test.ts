import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Infra } from '../../../src/app/infra.ts';
import { composeReminders } from '../../../src/app/reminders.ts';
import { ConfigSchema, loadConfig } from '../../../src/config/config.ts';
import { ConflictError, type Subscriber, ValidationError } from '../../../src/domain/index.ts';
import { readerReminderTime, waveStartTime } from '../../../src/domain/reminder-schedule.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import { FakeJobs, FakeScheduler, MemoryDeadlineRepo, pages, subscriber } from './fakes.ts';

/** 30 March 2026 23:59 in Beijing; Berlin moves to summer time on Sunday 29 March 2026 at 02:00. */
const SURVEY = { dueAt: '2026-03-30T15:59:00.000Z', timeZone: 'Asia/Shanghai', readerTime: '09:00' };
const at = (offset: string, zone: string) => readerReminderTime(SURVEY, offset, zone).toISOString();

describe("each reader's hour (time maths)", () => {
  it('sends the day-before reminder of a 23:59 Beijing deadline at 09:00 in every reader zone, not at midnight', () => {
    expect(at('P1D', 'Asia/Shanghai')).toBe('2026-03-29T01:00:00.000Z'); // 09:00 CST
    expect(at('P1D', 'Asia/Kolkata')).toBe('2026-03-29T03:30:00.000Z'); // 09:00 IST (+05:30)
    expect(at('P1D', 'Europe/Berlin')).toBe('2026-03-29T07:00:00.000Z'); // 09:00 CEST: the clocks moved at 02:00
    expect(at('P1D', 'America/New_York')).toBe('2026-03-29T13:00:00.000Z'); // 09:00 EDT
  });

  it('keeps 09:00 local in Berlin across the DST change between two waves', () => {
    expect(at('P7D', 'Europe/Berlin')).toBe('2026-03-23T08:00:00.000Z'); // 09:00 CET (+01)
    expect(at('P1D', 'Europe/Berlin')).toBe('2026-03-29T07:00:00.000Z'); // 09:00 CEST (+02)
    // A reader hour the zone skips (02:30 on 29 March in Berlin) moves forward by the gap.
    expect(readerReminderTime({ ...SURVEY, readerTime: '02:30' }, 'P1D', 'Europe/Berlin').toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
  });

  it('keeps hour offsets exact and items without a reader time at the due wall time', () => {
    expect(at('PT2H', 'America/New_York')).toBe('2026-03-30T13:59:00.000Z');
    expect(
      readerReminderTime({ ...SURVEY, readerTime: undefined }, 'P1D', 'America/New_York').toISOString(),
    ).toBe('2026-03-29T15:59:00.000Z');
  });

  it("falls back to the exact offset when the reader's hour would come after the due time", () => {
    // Due 00:30 on 30 March at UTC+14 (29 March 10:30 UTC): 09:00 on 29 March in New York is after it.
    const early = { dueAt: '2026-03-29T10:30:00.000Z', timeZone: 'Pacific/Kiritimati', readerTime: '09:00' };
    expect(readerReminderTime(early, 'P1D', 'America/New_York').toISOString()).toBe(
      '2026-03-28T10:30:00.000Z',
    );
  });

  it('starts a day wave at the first 09:00 on Earth that day, never after any reader', () => {
    expect(waveStartTime(SURVEY, 'P1D').toISOString()).toBe('2026-03-28T19:00:00.000Z');
    for (const z of [
      'Asia/Shanghai',
      'Asia/Kolkata',
      'Europe/Berlin',
      'America/New_York',
      'Pacific/Honolulu',
    ])
      expect(readerReminderTime(SURVEY, 'P1D', z).getTime()).toBeGreaterThanOrEqual(
        waveStartTime(SURVEY, 'P1D').getTime(),
      );
  });
});

describe("each reader's hour (one wave, fired per readers' hour)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T00:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  const READERS: Subscriber[] = [
    subscriber({ email: 'sh@readers.example', timeZone: 'Asia/Shanghai' }),
    subscriber({ email: 'in@readers.example', timeZone: 'Asia/Kolkata' }),
    subscriber({ email: 'be@readers.example', timeZone: 'Europe/Berlin' }),
    subscriber({ email: 'ny@readers.example', timeZone: 'America/New_York' }),
    subscriber({ email: 'ny2@readers.example', timeZone: 'America/New_York' }),
  ];

  function setup(subs = READERS) {
    const repo = new MemoryDeadlineRepo();
    const scheduler = new FakeScheduler();
    const calls: { op: 'start' | 'rerun'; campaign: string; at: string; to: string[] }[] = [];
    const infra = {
      config: loadConfig(ConfigSchema, {}),
      table: {},
      scheduler,
      jobs: new FakeJobs(),
      clock: systemClock,
      logger: silentLogger,
    } as unknown as Infra;
    // Like the engine: recipients are read when the wave is planned (start, rerun).
    const plan = async (op: 'start' | 'rerun', campaign: string) => {
      if (op === 'start' && calls.some((c) => c.campaign === campaign))
        throw new ConflictError(`${campaign} was started before`);
      const to: string[] = [];
      for await (const page of app.source.recipients(campaign)) to.push(...page.map((s) => s.email));
      calls.push({ op, campaign, at: new Date().toISOString(), to: to.sort() });
    };
    const app = composeReminders(infra, {
      repo,
      startSend: (c) => plan('start', c),
      rerunSend: (c) => plan('rerun', c),
      subscribers: pages(subs),
      members: { get: async () => undefined },
      requireAudience: true,
    });
    /** Fire the earliest schedule at its time, as Scheduler would (and delete it, ActionAfterCompletion). */
    const fireNext = async () => {
      const next = [...scheduler.schedules.values()].sort((a, b) => a.at.getTime() - b.at.getTime())[0];
      if (!next) return undefined;
      scheduler.schedules.delete(next.name);
      vi.setSystemTime(next.at);
      const job = next.job as { deadlineId: string; offset: string; version: number };
      return app.fireReminder(job);
    };
    return { app, repo, scheduler, calls, fireNext };
  }

  it('reaches each reader once, at 09:00 in their own zone, with one fire per distinct readers hour', async () => {
    const { app, repo, calls, fireNext } = setup();
    const { deadline, reminders, audience } = await app.createDeadline({
      title: 'IGPN survey closes',
      due: '2026-03-30 23:59',
      timeZone: 'Asia/Shanghai',
      offsets: ['P1D'],
      readerTime: '09:00',
    });
    expect(audience?.count).toBe(5);
    expect(audience?.byTimeZone).toMatchObject({ 'America/New_York': 2 });
    expect(reminders.map((r) => r.fireAt)).toEqual(['2026-03-28T19:00:00.000Z']);
    for (let i = 0; i < 10 && (await fireNext()); i++);
    const campaign = `reminder#${deadline.deadlineId}#P1D`;
    expect(calls).toEqual([
      { op: 'start', campaign, at: '2026-03-28T19:00:00.000Z', to: [] },
      { op: 'rerun', campaign, at: '2026-03-29T01:00:00.000Z', to: ['sh@readers.example'] },
      {
        op: 'rerun',
        campaign,
        at: '2026-03-29T03:30:00.000Z',
        to: ['in@readers.example', 'sh@readers.example'],
      },
      {
        op: 'rerun',
        campaign,
        at: '2026-03-29T07:00:00.000Z',
        to: ['be@readers.example', 'in@readers.example', 'sh@readers.example'],
      },
      { op: 'rerun', campaign, at: '2026-03-29T13:00:00.000Z', to: READERS.map((r) => r.email).sort() },
    ]);
    // Each plan lists everyone due so far; the engine's per-(campaign, recipient) claims send each once.
    expect((await repo.getReminder(deadline.deadlineId, 'P1D'))?.status).toBe('sent');
  });

  it('refuses an item whose audience is empty before anything is scheduled, and shows a dry run', async () => {
    const { app, scheduler, repo } = setup();
    const err = await app
      .createDeadline({
        title: 'Council meeting',
        due: '2026-03-30 10:00',
        timeZone: 'Europe/Berlin',
        audience: 'member-type:council',
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/no confirmed subscribers/);
    expect(scheduler.schedules.size).toBe(0);
    expect(repo.deadlines.size).toBe(0);

    const dry = await app.createDeadline({
      title: 'Survey',
      due: '2026-03-30 23:59',
      timeZone: 'Asia/Shanghai',
      readerTime: '09:00',
      dryRun: true,
    });
    expect(dry).toMatchObject({ dryRun: true, audience: { count: 5 } });
    expect(dry.audience?.sample).toHaveLength(5);
    expect(dry.reminders.map((r) => r.offset)).toEqual(['P14D', 'P7D', 'P1D']);
    expect(scheduler.schedules.size).toBe(0);
    expect(repo.deadlines.size).toBe(0);
  });
});
