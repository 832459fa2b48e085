import { Command } from 'commander';
import ical from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deadline, Reminder } from '../../../src/domain/index.ts';
import type { OneTimeSchedule } from '../../../src/ports/scheduler.ts';
import { ApiClient } from '../../../src/runtimes/cli/api-client.ts';
import { register } from '../../../src/runtimes/cli/commands/reminders.ts';
import type { CliContext } from '../../../src/runtimes/cli/context.ts';
import { type SentMail, startTestStack, TEST_ADMIN_TOKEN } from '../../support/local-stack.ts';
import { confirmedSubscriber, SettableClock, wireReminders } from './wiring.ts';

type View = { deadline: Deadline; reminders: Reminder[] };

describe('deadline reminders through the local stack', () => {
  const clock = new SettableClock(new Date('2027-03-01T00:00:00Z'));
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let w: ReturnType<typeof wireReminders>;

  beforeAll(async () => {
    stack = await startTestStack({ clock });
    w = wireReminders(stack);
    await w.members.create({
      memberId: 'm_council1',
      organisation: 'Council Org',
      type: 'council',
      country: 'China',
      language: 'zh',
      senders: ['press@council.example'],
      trusted: true,
      status: 'active',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    for (const s of [
      confirmedSubscriber('berlin@readers.example', { timeZone: 'Europe/Berlin' }),
      confirmedSubscriber('ny@readers.example', { timeZone: 'America/New_York' }),
      confirmedSubscriber('council@council.example', { timeZone: 'Asia/Shanghai', memberId: 'm_council1' }),
      confirmedSubscriber('newsonly@readers.example', { audiences: ['newsletter'] }),
    ]) {
      await w.subscribers.create(s);
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await stack.admin(path, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
    return data;
  };
  const mailsAbout = async (title: string): Promise<SentMail[]> =>
    (await stack.sentMail()).filter((m) => m.subject.includes(title));
  const schedulesOf = async (id: string) =>
    (await stack.scheduler.list())
      .filter((s) => s.job.type === 'reminder' && s.job.deadlineId === id)
      .map((s) => ({ at: s.at.toISOString(), job: s.job }))
      .sort((a, b) => a.at.localeCompare(b.at));

  it('sends each reminder at its time, in both time zones, with a valid .ics and one-click unsubscribe', async () => {
    clock.set('2027-03-01T00:00:00Z');
    const title = 'IGPN survey closes';
    const { deadline } = await api<View>('POST', '/admin/deadlines', {
      title,
      due: '2027-03-30 23:59',
      timeZone: 'Asia/Shanghai',
      link: 'https://igpn.example/survey',
    });
    expect(await schedulesOf(deadline.deadlineId)).toEqual([
      {
        at: '2027-03-16T15:59:00.000Z',
        job: { type: 'reminder', deadlineId: deadline.deadlineId, offset: 'P14D', version: 1 },
      },
      {
        at: '2027-03-23T15:59:00.000Z',
        job: { type: 'reminder', deadlineId: deadline.deadlineId, offset: 'P7D', version: 1 },
      },
      {
        at: '2027-03-29T15:59:00.000Z',
        job: { type: 'reminder', deadlineId: deadline.deadlineId, offset: 'P1D', version: 1 },
      },
    ]);

    clock.set('2027-03-16T15:58:00Z'); // a minute early: nothing yet
    await w.tick();
    expect(await mailsAbout(title)).toEqual([]);

    clock.set('2027-03-16T15:59:01Z');
    await w.tick();
    const mails = await mailsAbout(title);
    expect(mails.map((m) => m.destination.to[0]).sort()).toEqual([
      'berlin@readers.example',
      'council@council.example',
      'ny@readers.example',
    ]);
    const berlin = mails.find((m) => m.destination.to[0] === 'berlin@readers.example')!;
    expect(berlin.subject).toBe(`Reminder: ${title} – closes in 14 days`);
    expect(berlin.body.text).toMatch(/23:59 GMT\+8 \(Asia\/Shanghai\)/);
    expect(berlin.body.text).toMatch(/17:59 GMT\+2 \(Europe\/Berlin\)/);
    const header = (n: string) => berlin.headers?.find((h) => h.name === n)?.value;
    expect(header('List-Unsubscribe')).toMatch(/^<http:\/\/.+\/v1\/unsubscribe\?token=.+>, <mailto:.+>$/);
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');

    const ics = berlin.attachments.find((a) => a.filename === 'deadline.ics');
    expect(ics?.contentType).toMatch(/^text\/calendar/);
    const text = Buffer.from(
      ics!.content,
      /^[A-Za-z0-9+/=\s]+$/.test(ics!.content) ? 'base64' : 'utf8',
    ).toString('utf8');
    const events = Object.values(ical.sync.parseICS(text)).filter(
      (c) => c?.type === 'VEVENT',
    ) as ical.VEvent[];
    expect(events).toHaveLength(1);
    expect(events[0]!.summary).toBe(title);
    expect(new Date(events[0]!.start).toISOString()).toBe('2027-03-30T15:59:00.000Z');

    const shown = await api<View>('GET', `/admin/deadlines/${deadline.deadlineId}`);
    const p14 = shown.reminders.find((r) => r.offset === 'P14D')!;
    expect(p14.status).toBe('sent');
    expect(p14.sentAt! >= '2027-03-16T15:59:00.000Z').toBe(true);
    expect(await schedulesOf(deadline.deadlineId)).toHaveLength(2); // the fired schedule deleted itself
  });

  it('moving the due date replaces the pending schedules; nothing goes out at the old times', async () => {
    clock.set('2027-03-01T00:00:00Z');
    const title = 'Moved deadline';
    const { deadline } = await api<View>('POST', '/admin/deadlines', {
      title,
      due: '2027-03-30 23:59',
      timeZone: 'Asia/Shanghai',
      offsets: ['P7D', 'P1D'],
    });
    const moved = await api<View>('PATCH', `/admin/deadlines/${deadline.deadlineId}`, {
      due: '2027-04-30 23:59',
    });
    expect(moved.reminders.map((r) => [r.offset, r.status, r.fireAt, r.version])).toEqual([
      ['P7D', 'pending', '2027-04-23T15:59:00.000Z', 2],
      ['P1D', 'pending', '2027-04-29T15:59:00.000Z', 2],
    ]);
    expect((await schedulesOf(deadline.deadlineId)).map((s) => [s.at, s.job])).toEqual([
      [
        '2027-04-23T15:59:00.000Z',
        { type: 'reminder', deadlineId: deadline.deadlineId, offset: 'P7D', version: 2 },
      ],
      [
        '2027-04-29T15:59:00.000Z',
        { type: 'reminder', deadlineId: deadline.deadlineId, offset: 'P1D', version: 2 },
      ],
    ]);

    clock.set('2027-03-29T16:00:00Z'); // past both old times
    await w.tick();
    expect(await mailsAbout(title)).toEqual([]);
    clock.set('2027-04-23T16:00:00Z');
    await w.tick();
    expect(await mailsAbout(title)).toHaveLength(3);
  });

  it('`deadlines add` survives a Scheduler failure halfway: its retry finishes the one item, and readers get the reminder once', async () => {
    clock.set('2027-03-01T00:00:00Z');
    const title = 'Scheduler hiccup';
    // Fault injection: the real local scheduler, whose 2nd upsert fails once (as a Scheduler throttle would).
    const realUpsert = stack.scheduler.upsert;
    let upserts = 0;
    stack.scheduler.upsert = async function (this: typeof stack.scheduler, s: OneTimeSchedule) {
      if (++upserts === 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return realUpsert.call(this, s);
    };
    const printed: View[] = [];
    const ctx = {
      client: async () => new ApiClient(stack.urls.api, { kind: 'bearer', token: TEST_ADMIN_TOKEN }),
      json: true,
      print: (data: unknown) => printed.push(data as View),
    } as unknown as CliContext;
    const program = new Command().exitOverride();
    register(program, ctx);
    try {
      await program.parseAsync(
        ['deadlines', 'add', '--title', title, '--due', '2027-03-10 12:00', '--tz', 'Europe/Berlin'],
        { from: 'user' },
      );
    } finally {
      stack.scheduler.upsert = realUpsert;
    }
    expect(upserts).toBeGreaterThan(3); // the first attempt failed halfway, the retry re-planned
    const mine = (await api<{ deadlines: Deadline[] }>('GET', '/admin/deadlines')).deadlines.filter(
      (d) => d.title === title,
    );
    expect(mine).toHaveLength(1);
    expect(printed.map((v) => v.deadline.deadlineId)).toEqual([mine[0]!.deadlineId]);
    expect(printed[0]!.reminders.map((r) => [r.offset, r.status])).toEqual([
      ['P14D', 'skipped-late'],
      ['P7D', 'pending'],
      ['P1D', 'pending'],
    ]);
    expect((await schedulesOf(mine[0]!.deadlineId)).map((s) => s.job)).toEqual(
      ['P7D', 'P1D'].map((offset) => ({
        type: 'reminder',
        deadlineId: mine[0]!.deadlineId,
        offset,
        version: 1,
      })),
    );
    clock.set('2027-03-09T12:00:00Z'); // past both reminder times (P7D is overtaken), before the due time
    await w.tick();
    expect((await mailsAbout(title)).map((m) => m.destination.to[0]).sort()).toEqual([
      'berlin@readers.example',
      'council@council.example',
      'ny@readers.example',
    ]);
  });

  it('cancelling removes every pending schedule and nothing is sent', async () => {
    clock.set('2027-03-01T00:00:00Z');
    const title = 'Cancelled webinar';
    const { deadline } = await api<View>('POST', '/admin/deadlines', {
      kind: 'event',
      title,
      start: '2027-05-25 15:00',
      end: '2027-05-25 18:00',
      timeZone: 'Asia/Shanghai',
    });
    expect(await schedulesOf(deadline.deadlineId)).toHaveLength(3);
    const cancelled = await api<View>('POST', `/admin/deadlines/${deadline.deadlineId}/cancel`);
    expect(cancelled.reminders.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(await schedulesOf(deadline.deadlineId)).toEqual([]);
    clock.set('2027-05-26T00:00:00Z');
    await w.tick();
    // Even a fire that slipped through (e.g. delivered before the delete) does nothing.
    await w.runJob({ type: 'reminder', deadlineId: deadline.deadlineId, offset: 'P1D', version: 1 });
    await w.idle();
    expect(await mailsAbout(title)).toEqual([]);
    const list = await api<{ deadlines: Deadline[] }>('GET', '/admin/deadlines?status=cancelled');
    expect(list.deadlines.map((d) => d.deadlineId)).toContain(deadline.deadlineId);
  });

  it('cancelled while its reminder fires: the engine refuses the wave, the reminder ends cancelled, nothing is retried or sent', async () => {
    clock.set('2027-03-01T00:00:00Z');
    const title = 'Cancelled mid-fire';
    const { deadline } = await api<View>('POST', '/admin/deadlines', {
      title,
      due: '2027-03-10 12:00',
      timeZone: 'Europe/Berlin',
      offsets: ['P1D'],
    });
    const realStart = w.sending.startSend;
    w.sending.startSend = async (campaign, by) => {
      await api('POST', `/admin/deadlines/${deadline.deadlineId}/cancel`);
      return realStart(campaign, by);
    };
    clock.set('2027-03-09T11:00:30Z');
    try {
      expect(await w.tick()).toBe(1);
    } finally {
      w.sending.startSend = realStart;
    }
    const shown = await api<View>('GET', `/admin/deadlines/${deadline.deadlineId}`);
    expect(shown.reminders.map((r) => [r.offset, r.status])).toEqual([['P1D', 'cancelled']]);
    expect(await schedulesOf(deadline.deadlineId)).toEqual([]); // the fire is done, not retried forever
    expect(await mailsAbout(title)).toEqual([]);
  });

  it('exactly one reminder per (item, offset, recipient) even when the schedule fires twice', async () => {
    clock.set('2027-03-01T00:00:00Z');
    const title = 'Fires twice';
    const { deadline } = await api<View>('POST', '/admin/deadlines', {
      title,
      due: '2027-03-10 12:00',
      timeZone: 'Europe/Berlin',
      offsets: ['P1D'],
    });
    const [schedule] = await stack.scheduler
      .list()
      .then((l) => l.filter((s) => s.name.includes(deadline.deadlineId)));
    clock.set('2027-03-09T11:00:30Z');
    const job = { type: 'reminder' as const, deadlineId: deadline.deadlineId, offset: 'P1D', version: 1 };
    // Two deliveries of the same fire at once (at-least-once targets), then the schedule again later.
    await Promise.all([w.runJob(job), w.runJob(job)]);
    await w.idle();
    await stack.scheduler.upsert(schedule!);
    await w.tick();
    await w.runJob(job);
    await w.idle();
    const mails = await mailsAbout(title);
    expect(mails.map((m) => m.destination.to[0]).sort()).toEqual([
      'berlin@readers.example',
      'council@council.example',
      'ny@readers.example',
    ]);
  });

  it('remind now: the dry run lists the member-type audience and sends nothing; the real one sends', async () => {
    clock.set('2027-03-01T00:00:00Z');
    const title = 'Council vote';
    const { deadline } = await api<View>('POST', '/admin/deadlines', {
      title,
      due: '2027-03-20 17:00',
      timeZone: 'Asia/Shanghai',
      audience: 'member-type:council',
    });
    const dry = await w.reminders.remindNow(deadline.deadlineId, { dryRun: true }, 'cli:test');
    expect(dry).toMatchObject({ dryRun: true, count: 1, suppressed: 0 });
    expect(dry.dryRun && dry.recipients.map((r) => r.email)).toEqual(['council@council.example']);
    expect(await mailsAbout(title)).toEqual([]);
    await w.reminders.remindNow(deadline.deadlineId, {}, 'cli:test');
    await w.idle();
    const mails = await mailsAbout(title);
    expect(mails.map((m) => m.destination.to[0])).toEqual(['council@council.example']);
    expect(mails[0]!.subject).toBe(`Reminder: ${title} – closes in 19 days`);
  });
});
