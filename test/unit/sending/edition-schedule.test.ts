import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventBridgeScheduler } from '../../../src/adapters/scheduler/eventbridge-scheduler.ts';
import {
  ConflictError,
  type Edition,
  parseScheduleTime,
  ValidationError,
} from '../../../src/domain/index.ts';
import type { EditionRepo } from '../../../src/ports/editions.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import { makeEditionLifecycle } from '../../../src/use-cases/editions/lifecycle.ts';
import { makeEditionSends } from '../../../src/use-cases/editions/schedule.ts';
import type { EditionAudience } from '../../../src/use-cases/editions/schedule-audience.ts';
import { makeEditionSource } from '../../../src/use-cases/editions/source.ts';

describe('a scheduled send time: a wall time in an IANA zone', () => {
  const at = (s: string, zone: string) => parseScheduleTime(s, zone).at.toISOString();

  it('reads "YYYY-MM-DD HH:MM" in the zone given, across offsets and DST', () => {
    expect(at('2027-01-05 09:00', 'Asia/Shanghai')).toBe('2027-01-05T01:00:00.000Z');
    expect(at('2027-01-05T09:00', 'Asia/Kolkata')).toBe('2027-01-05T03:30:00.000Z');
    expect(at('2027-01-05 09:00', 'Europe/Berlin')).toBe('2027-01-05T08:00:00.000Z');
    expect(at('2027-07-05 09:00', 'Europe/Berlin')).toBe('2027-07-05T07:00:00.000Z');
    expect(at('2027-07-05 09:00', 'America/New_York')).toBe('2027-07-05T13:00:00.000Z');
    expect(parseScheduleTime('2027-01-05 09:00', 'Asia/Shanghai').localTime).toBe('2027-01-05T09:00');
  });

  it('refuses the hour the clocks skip, and takes the first of an hour that happens twice', () => {
    expect(() => parseScheduleTime('2027-03-28 02:30', 'Europe/Berlin')).toThrow(
      /does not exist in Europe\/Berlin/,
    );
    expect(() => parseScheduleTime('2027-03-14 02:30', 'America/New_York')).toThrow(ValidationError);
    // 31 October 2027, 02:30 in Berlin happens at +02:00 and again at +01:00.
    expect(at('2027-10-31 02:30', 'Europe/Berlin')).toBe('2027-10-31T00:30:00.000Z');
  });

  it('takes an ISO instant with an offset as it is, and refuses anything else', () => {
    expect(at('2027-01-05T01:00:00Z', 'Europe/Berlin')).toBe('2027-01-05T01:00:00.000Z');
    expect(parseScheduleTime('2027-01-05T09:00+08:00', 'Europe/Berlin')).toEqual({
      at: new Date('2027-01-05T01:00:00.000Z'),
      localTime: '2027-01-05T02:00',
    });
    for (const bad of ['tomorrow 9am', '2027-13-05 09:00', '2027-01-05', '05/01/2027 09:00'])
      expect(() => parseScheduleTime(bad, 'Asia/Shanghai'), bad).toThrow(ValidationError);
  });
});

const approved = (over: Partial<Edition> = {}): Edition => ({
  number: 8,
  title: 'IGPN Gazette No. 8',
  status: 'approved',
  windowStart: '2026-10-01T00:00:00.000Z',
  windowEnd: '2027-01-01T00:00:00.000Z',
  items: [],
  variants: [{ language: 'en', subject: 'No. 8', htmlKey: 'h', textKey: 't' }],
  audience: 'newsletter',
  createdAt: '2027-01-01T00:00:00.000Z',
  compiledAt: '2027-01-01T00:00:00.000Z',
  skipped: [],
  schedule: {
    at: '2027-01-05T01:00:00.000Z',
    localTime: '2027-01-05T09:00',
    timeZone: 'Asia/Shanghai',
    scheduleName: 'gz-edition-send-8',
    scheduledBy: 'alice',
    scheduledAt: '2027-01-02T00:00:00.000Z',
  },
  ...over,
});

function wire(opts: { empty?: boolean; start?: () => Promise<never> } = {}) {
  let stored = approved();
  const editions = {
    get: async () => stored,
    save: async (e: Edition) => {
      stored = e;
    },
    claimSchedule: async (_n: number, at: string, claimedAt: string) => {
      if (stored.status !== 'approved' || stored.schedule?.at !== at) return false;
      stored = { ...stored, schedule: { ...stored.schedule, claimedAt } };
      return true;
    },
  } as unknown as EditionRepo;
  const audience = {
    requireRecipients: async () => {
      if (opts.empty)
        throw new ValidationError('edition 8 cannot be sent: its audience … has no confirmed subscribers');
      return { count: 3 };
    },
  } as unknown as EditionAudience;
  const starts: string[] = [];
  const sends = makeEditionSends({
    editions,
    audience,
    scheduler: { upsert: async () => {}, delete: async () => {} },
    startSend: async (campaign) => {
      if (opts.start) return opts.start();
      if (starts.includes(campaign)) throw new ConflictError(`${campaign} was started before`);
      starts.push(campaign);
      return {} as never;
    },
    clock: { now: () => new Date('2027-01-05T01:00:02Z'), sleep: async () => {} },
    logger: silentLogger,
    timeZone: () => 'Asia/Shanghai',
  });
  return { sends, starts, stored: () => stored };
}

describe('the scheduled send fires', () => {
  const job = { number: 8, at: '2027-01-05T01:00:00.000Z' };

  it('starts the send once however often it fires, and records when it fired', async () => {
    const w = wire();
    expect(await w.sends.fire(job)).toEqual({ outcome: 'started', campaign: 'edition#8' });
    expect(w.stored().schedule?.firedAt).toBe('2027-01-05T01:00:02.000Z');
    expect(await w.sends.fire(job)).toEqual({ outcome: 'already-started', campaign: 'edition#8' });
    expect(w.starts).toEqual(['edition#8']);
  });

  it('two first fires at once start one send: a start refused as already started (ConflictError) is answered already-started', async () => {
    const w = wire();
    const outs = await Promise.all([w.sends.fire(job), w.sends.fire(job)]);
    expect(outs.map((o) => o.outcome).sort()).toEqual(['already-started', 'started']);
    expect(w.starts).toEqual(['edition#8']);
  });

  it('ignores a fire for a time the edition no longer holds (moved or cancelled)', async () => {
    const w = wire();
    expect(await w.sends.fire({ ...job, at: '2027-01-05T00:00:00.000Z' })).toEqual({
      outcome: 'ignored',
      reason: 'moved',
    });
    expect(w.starts).toEqual([]);
  });

  it('an audience that became empty is recorded on the schedule and answered, not retried in vain', async () => {
    const w = wire({ empty: true });
    const out = await w.sends.fire(job);
    expect(out).toMatchObject({ outcome: 'failed', error: /validation: .*no confirmed subscribers/ });
    expect(w.stored().schedule?.error).toMatch(/no confirmed subscribers/);
    expect(w.stored().schedule?.firedAt).toBeUndefined();
    expect(w.starts).toEqual([]);
  });

  it('rethrows a transient failure of the start, so the scheduler retries it', async () => {
    const w = wire({
      start: async () => {
        throw new Error('ThrottlingException');
      },
    });
    await expect(w.sends.fire(job)).rejects.toThrow(/Throttling/);
    expect(w.stored().schedule?.firedAt).toBeUndefined();
  });
});

describe('the reminder Lambda ⇄ EventBridge Scheduler contract for edition sends', () => {
  beforeAll(() => {
    vi.stubEnv('GAZETTE_TOKEN_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:t');
    vi.stubEnv('GAZETTE_SES_CONFIGURATION_SET', 'gazette');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('parses exactly the input the scheduler adapter puts on an edition send schedule', async () => {
    const sent: { input: Record<string, unknown> }[] = [];
    const client = { send: async (cmd: { input: Record<string, unknown> }) => sent.push(cmd) };
    const adapter = new EventBridgeScheduler(client as unknown as SchedulerClient, {
      group: 'gazette',
      targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:reminder',
      roleArn: 'arn:aws:iam::123456789012:role/scheduler',
    });
    const job = { type: 'send-edition' as const, number: 8, at: '2027-01-05T01:00:00.000Z' };
    await adapter.upsert({ name: 'gz-edition-send-8', at: new Date(job.at), job });
    const input = sent[0]!.input as { ScheduleExpression: string; Target: { Input: string } };
    expect(input.ScheduleExpression).toBe('at(2027-01-05T01:00:00)');
    const { EditionSendEvent, ReminderEvent } = await import('../../../functions/reminder.ts');
    expect(EditionSendEvent.parse(JSON.parse(input.Target.Input))).toEqual({ gazetteScheduled: job });
    expect(ReminderEvent.safeParse(JSON.parse(input.Target.Input)).success).toBe(false);
    expect(EditionSendEvent.safeParse({ gazetteScheduled: { ...job, number: '8' } }).success).toBe(false);
  });
});

describe('an edition that is cancelled or started by hand', () => {
  it('cancelling an approved edition deletes its scheduled send, so nothing fires for it', async () => {
    let stored = approved();
    const deleted: string[] = [];
    const lifecycle = makeEditionLifecycle({
      editions: {
        get: async () => stored,
        save: async (e: Edition) => {
          stored = e;
        },
        clearDraftMarker: async () => {},
      } as unknown as EditionRepo,
      stats: {} as never,
      clock: { now: () => new Date('2027-01-03T00:00:00Z'), sleep: async () => {} },
      scheduler: { delete: async (name) => void deleted.push(name) },
    });
    const e = await lifecycle.cancel(8, 'alice');
    expect(e.status).toBe('cancelled');
    expect(e.schedule).toBeUndefined();
    expect(deleted).toEqual(['gz-edition-send-8']);
  });

  it('the engine’s own start (sends start edition#N) refuses a targeted edition whose segment has nobody left', async () => {
    const target = {
      segmentId: 'council',
      name: 'Council',
      version: 1,
      filter: { statuses: ['confirmed' as const], memberTypes: ['council' as const] },
      setBy: 'alice',
      setAt: '2027-01-02T00:00:00.000Z',
    };
    const source = (e: Edition, empty: boolean) =>
      makeEditionSource({
        editions: { get: async () => e } as unknown as EditionRepo,
        subscribers: {} as never,
        content: {} as never,
        settings: () => ({}) as never,
        requireAudience: async () => {
          if (empty) throw new ValidationError('edition 8 cannot be sent: its audience … is empty');
        },
      });
    expect(await source(approved({ target }), true).ready?.('edition#8')).toMatch(/cannot be sent/);
    expect(await source(approved({ target }), false).ready?.('edition#8')).toBe(true);
    // The default audience keeps its behaviour on this route (editions send checks it).
    expect(await source(approved(), true).ready?.('edition#8')).toBe(true);
  });
});

/** The scheduled-send use case over one stored edition, recording what it asks of the scheduler and engine. */
function sendsOver(initial: Edition, o: { now: string; audience?: Partial<EditionAudience> }) {
  const w = {
    stored: initial,
    deleted: [] as string[],
    upserts: [] as { name: string; at: Date }[],
    starts: [] as string[],
    reruns: [] as string[],
  };
  const sends = makeEditionSends({
    editions: {
      get: async () => w.stored,
      save: async (e: Edition) => {
        w.stored = e;
      },
      claimSchedule: async (_n: number, at: string, claimedAt: string) => {
        if (w.stored.status !== 'approved' || w.stored.schedule?.at !== at) return false;
        w.stored = { ...w.stored, schedule: { ...w.stored.schedule, claimedAt } };
        return true;
      },
    } as unknown as EditionRepo,
    audience: (o.audience ?? {}) as EditionAudience,
    scheduler: {
      upsert: async (x) => void w.upserts.push({ name: x.name, at: x.at }),
      delete: async (name) => void w.deleted.push(name),
    },
    startSend: async (c) => {
      w.starts.push(c);
      return {} as never;
    },
    rerunSend: async (c) => {
      w.reruns.push(c);
      return {} as never;
    },
    clock: { now: () => new Date(o.now), sleep: async () => {} },
    logger: silentLogger,
    timeZone: () => 'Asia/Shanghai',
  });
  return Object.assign(w, { sends });
}

describe("per reader: calling off the later readers' hours", () => {
  it('after the first readers, DELETE …/schedule deletes the next hour’s schedule and a late fire of it sends nothing', async () => {
    const w = sendsOver(
      approved({
        status: 'sent',
        schedule: {
          ...approved().schedule!,
          perReader: true,
          firedAt: '2027-01-05T01:00:02.000Z',
          nextAt: '2027-01-05T08:00:00.000Z',
        },
      }),
      { now: '2027-01-05T03:00:00Z' },
    );
    const e = await w.sends.unschedule(8, 'alice');
    expect(e.schedule).toMatchObject({ stopped: { by: 'alice' }, firedAt: '2027-01-05T01:00:02.000Z' });
    expect(e.schedule?.nextAt).toBeUndefined();
    expect(w.deleted).toEqual(['gz-edition-send-8.202701050800']);
    expect(await w.sends.fire({ number: 8, at: '2027-01-05T08:00:00.000Z' })).toEqual({
      outcome: 'ignored',
      reason: 'moved',
    });
    expect(w.reruns).toEqual([]);
  });
});

describe('per reader: a send started by hand before its first readers’ hour', () => {
  it('the first fire re-plans it, so the first zone is mailed at its hour, not at the next zone’s', async () => {
    const w = sendsOver(
      approved({ status: 'sent', schedule: { ...approved().schedule!, perReader: true } }),
      {
        now: '2027-01-05T01:00:05Z',
        audience: { readerTimes: async () => [new Date('2027-01-05T01:00:00Z')] },
      },
    );
    const out = await w.sends.fire({ number: 8, at: '2027-01-05T01:00:00.000Z' });
    expect(out.outcome).toBe('topped-up');
    expect(w.reruns).toEqual(['edition#8']);
    expect(w.starts).toEqual([]);
    expect(w.stored.schedule?.firedAt).toBe('2027-01-05T01:00:05.000Z');
  });
});

describe('per reader: a new audience moves the first readers’ hour', () => {
  it('choosing another segment re-plans the schedule at the new audience’s first 09:00', async () => {
    const w = sendsOver(
      approved({
        schedule: {
          ...approved().schedule!,
          localTime: '2027-01-05T09:00',
          at: '2027-01-05T01:00:00.000Z', // Shanghai readers first
          perReader: true,
        },
      }),
      {
        now: '2027-01-03T00:00:00Z',
        audience: {
          targetFor: async (segmentId: string) => ({
            segmentId,
            name: 'Berlin readers',
            version: 1,
            filter: { statuses: ['confirmed'] },
            setBy: 'alice',
            setAt: '2027-01-02T00:00:00.000Z',
          }),
          requireRecipients: async () => ({ count: 1 }),
          // The new segment's only zone is Europe/Berlin: 09:00 CET.
          readerTimes: async () => [new Date('2027-01-05T08:00:00.000Z')],
        } as unknown as Partial<EditionAudience>,
      },
    );
    const e = await w.sends.setAudience(8, 'berlin', 'bob');
    expect(e.target?.segmentId).toBe('berlin');
    expect(e.schedule).toMatchObject({ at: '2027-01-05T08:00:00.000Z', perReader: true });
    expect(w.upserts.map((u) => [u.name, u.at.toISOString()])).toEqual([
      ['gz-edition-send-8', '2027-01-05T08:00:00.000Z'],
    ]);
  });
});
