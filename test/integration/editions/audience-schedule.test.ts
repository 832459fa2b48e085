import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import { DynamoMemberRepo } from '../../../src/adapters/dynamodb/member-repo.ts';
import { DynamoSubscriberRepo } from '../../../src/adapters/dynamodb/subscriber-repo.ts';
import { DynamoSuppressionRepo } from '../../../src/adapters/dynamodb/suppression-repo.ts';
import type { Edition, Update } from '../../../src/domain/index.ts';
import { startTestStack } from '../../support/local-stack.ts';
import { anUpdate } from '../../unit/editions/fixtures.ts';
import { aMember, confirmedSubscriber, SettableClock } from '../reminders/wiring.ts';

type Preview = {
  count: number;
  suppressed: number;
  sample: { email: string }[];
  target: { kind: string; segmentId?: string };
};

describe('an edition targets a saved segment and is sent at a scheduled time (embedded stack)', () => {
  const clock = new SettableClock(new Date('2027-01-02T00:00:00Z'));
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let n = 0;

  const api = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const res = await stack.admin(path, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, data: (await res.json()) as T };
  };
  const seed = async (u: Update) =>
    stack.infra.table.put({
      ...keys.update(u.updateId),
      type: 'update',
      gsi1pk: `UPDATES#${u.status}`,
      gsi1sk: `${u.receivedAt}#${u.updateId}`,
      ...u,
    });
  /** Wait until the send the app started has been planned and every queued batch processed. */
  const idle = async () => {
    for (let i = 0; i < 100; i++) {
      await stack.jobs.idle();
      await stack.queue.idle();
      if (stack.queue.depth === 0) break;
    }
    await stack.jobs.idle();
  };
  const recipients = async () =>
    (await stack.sentMail())
      .filter((m) => !m.subject.startsWith('[TEST]'))
      .map((m) => m.destination.to[0])
      .sort();

  beforeAll(async () => {
    stack = await startTestStack({ clock });
    const members = new DynamoMemberRepo(stack.infra.table);
    for (const m of [aMember('m_cec', { type: 'council' }), aMember('m_jgpn', { type: 'network' })])
      await members.create(m);
    const subs = new DynamoSubscriberRepo(stack.infra.table);
    const reader = { audiences: ['newsletter' as const] };
    for (const s of [
      confirmedSubscriber('li@cec.example', { ...reader, memberId: 'm_cec', timeZone: 'Asia/Shanghai' }),
      confirmedSubscriber('comms@cec.example', { ...reader, memberId: 'm_cec', language: 'zh' }),
      confirmedSubscriber('bounced@cec.example', { ...reader, memberId: 'm_cec' }),
      // A council contact who asked for reminders only: a newsletter segment never widens past its readers.
      confirmedSubscriber('remindme@cec.example', { memberId: 'm_cec' }),
      confirmedSubscriber('tanaka@jgpn.example', { ...reader, memberId: 'm_jgpn' }),
      confirmedSubscriber('reader@example.org', reader),
      confirmedSubscriber('pending@example.org', { ...reader, status: 'unconfirmed' }),
    ])
      await subs.create(s);
    await new DynamoSuppressionRepo(stack.infra.table).suppress(
      'bounced@cec.example',
      'hard-bounce',
      new Date('2026-12-01T00:00:00Z'),
    );
    for (const segment of [
      { segmentId: 'council', name: 'Council contacts', filter: { memberTypes: ['council'] } },
      { segmentId: 'associates', name: 'Associates', filter: { memberTypes: ['associate'] } },
    ])
      expect((await api('POST', '/admin/segments', segment)).status).toBe(201);
    await seed(
      anUpdate({ updateId: 'u_q4', title: 'Council agenda', receivedAt: '2026-11-10T08:00:00.000Z' }),
    );
    const compiled = await api<{ edition: { number: number } }>('POST', '/admin/editions/compile', {
      from: '2026-10-01',
      to: '2026-12-31',
      wait: true,
    });
    expect(compiled.status).toBe(201);
    n = compiled.data.edition.number;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a dry run shows every confirmed, unsuppressed newsletter reader by default, with a sample', async () => {
    const { status, data } = await api<Preview>('GET', `/admin/editions/${n}/audience`);
    expect(status).toBe(200);
    expect(data.target).toMatchObject({ kind: 'list' });
    expect(data.count).toBe(4);
    expect(data.suppressed).toBe(1);
    expect(data.sample.map((s) => s.email).sort()).toEqual([
      'comms@cec.example',
      'li@cec.example',
      'reader@example.org',
      'tanaka@jgpn.example',
    ]);
  });

  it('a draft cannot be given an audience or a schedule: it must be approved first', async () => {
    const put = await api<{ message: string }>('PUT', `/admin/editions/${n}/audience`, {
      segmentId: 'council',
    });
    expect(put.status).toBe(409);
    expect(put.data.message).toMatch(/draft: approve it/);
    const sch = await api('PUT', `/admin/editions/${n}/schedule`, { at: '2027-01-05 09:00' });
    expect(sch.status).toBe(409);
  });

  it('approval can target a segment; an empty one is refused with a clear 400, before anything is planned', async () => {
    const empty = await api<{ message: string }>('POST', `/admin/editions/${n}/approve`, {
      segmentId: 'associates',
    });
    expect(empty.status).toBe(400);
    expect(empty.data.message).toMatch(/no confirmed, unsuppressed subscribers: nothing would be sent/);
    const unknown = await api<{ message: string }>('POST', `/admin/editions/${n}/approve`, {
      segmentId: 'nobody-here',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.data.message).toMatch(/no segment nobody-here/);

    const ok = await api<{ edition: Edition }>('POST', `/admin/editions/${n}/approve`, {
      segmentId: 'council',
    });
    expect(ok.status).toBe(200);
    expect(ok.data.edition).toMatchObject({ status: 'approved', target: { segmentId: 'council' } });

    const dry = await api<Preview>('POST', `/admin/editions/${n}/send`, { dryRun: true });
    expect(dry.status).toBe(200);
    expect((dry.data as unknown as { audience: Preview }).audience).toMatchObject({
      count: 2,
      suppressed: 1,
      target: { kind: 'segment', segmentId: 'council' },
    });
    const tried = await api<Preview>('GET', `/admin/editions/${n}/audience?segment=associates`);
    expect(tried.data.count).toBe(0);

    const refused = await api<{ message: string }>('POST', `/admin/editions/${n}/send`, {
      segmentId: 'associates',
    });
    expect(refused.status).toBe(400);
    expect(refused.data.message).toMatch(/segment associates/);
    // Nothing was planned: no send job exists, and the edition still targets the council.
    expect((await api('GET', `/admin/sends/${encodeURIComponent(`edition#${n}`)}`)).status).toBe(404);
    expect(
      (await api<{ edition: Edition }>('GET', `/admin/editions/${n}`)).data.edition.target?.segmentId,
    ).toBe('council');
  });

  it('refuses a time in the past, a wall time the clocks skip, and a time that is not one', async () => {
    const past = await api<{ message: string }>('PUT', `/admin/editions/${n}/schedule`, {
      at: '2027-01-01 09:00',
      timeZone: 'Asia/Shanghai',
    });
    expect(past.status).toBe(400);
    expect(past.data.message).toMatch(/is in the past/);
    const gap = await api<{ message: string }>('PUT', `/admin/editions/${n}/schedule`, {
      at: '2027-03-28 02:30',
      timeZone: 'Europe/Berlin',
    });
    expect(gap.status).toBe(400);
    expect(gap.data.message).toMatch(/does not exist in Europe\/Berlin/);
    const bad = await api('PUT', `/admin/editions/${n}/schedule`, { at: 'next tuesday' });
    expect(bad.status).toBe(400);
    const zone = await api('PUT', `/admin/editions/${n}/schedule`, {
      at: '2027-01-05 09:00',
      timeZone: 'Mars/Base',
    });
    expect(zone.status).toBe(400);
  });

  it('schedules at a wall time in a zone, moves and cancels it; a fire of a moved or cancelled schedule sends nothing', async () => {
    const first = await api<{ edition: Edition }>('PUT', `/admin/editions/${n}/schedule`, {
      at: '2027-01-05 09:00',
      timeZone: 'Asia/Shanghai',
    });
    expect(first.status).toBe(200);
    expect(first.data.edition.schedule).toMatchObject({
      at: '2027-01-05T01:00:00.000Z',
      localTime: '2027-01-05T09:00',
      timeZone: 'Asia/Shanghai',
    });
    const mine = async () => (await stack.scheduler.list()).filter((s) => s.job.type === 'send-edition');
    expect((await mine()).map((s) => s.at.toISOString())).toEqual(['2027-01-05T01:00:00.000Z']);

    // Moved to 10:00 in the edition's own zone (GAZETTE_EDITION_TIMEZONE, Asia/Shanghai by default).
    const moved = await api<{ edition: Edition }>('PUT', `/admin/editions/${n}/schedule`, {
      at: '2027-01-05 10:00',
    });
    expect(moved.data.edition.schedule?.at).toBe('2027-01-05T02:00:00.000Z');
    expect((await mine()).map((s) => s.at.toISOString())).toEqual(['2027-01-05T02:00:00.000Z']);
    // The listing shows it too, for the console.
    const list = await api<{ editions: { number: number; schedule?: { at: string }; segmentId?: string }[] }>(
      'GET',
      '/admin/editions',
    );
    expect(list.data.editions.find((e) => e.number === n)).toMatchObject({
      segmentId: 'council',
      schedule: { at: '2027-01-05T02:00:00.000Z' },
    });

    // A fire still on its way for the old time is ignored.
    await stack.app.runJob({ type: 'send-edition', number: n, at: '2027-01-05T01:00:00.000Z' });
    const off = await api<{ edition: Edition }>('DELETE', `/admin/editions/${n}/schedule`);
    expect(off.status).toBe(200);
    expect(off.data.edition.schedule).toBeUndefined();
    expect(await mine()).toEqual([]);
    await stack.app.runJob({ type: 'send-edition', number: n, at: '2027-01-05T02:00:00.000Z' });
    await idle();
    expect((await api('GET', `/admin/sends/${encodeURIComponent(`edition#${n}`)}`)).status).toBe(404);
    expect(await recipients()).toEqual([]);
  });

  it('the local scheduler fires it at its time to exactly the segment’s confirmed, unsuppressed readers; firing again sends nothing twice', async () => {
    const sch = await api<{ edition: Edition }>('PUT', `/admin/editions/${n}/schedule`, {
      at: '2027-01-05 09:00',
      timeZone: 'Asia/Shanghai',
    });
    expect(sch.status).toBe(200);
    clock.set('2027-01-05T00:59:00Z');
    expect(await stack.scheduler.tick()).toBe(0);
    clock.set('2027-01-05T01:00:01Z');
    expect(await stack.scheduler.tick()).toBe(1);
    await idle();
    expect(await recipients()).toEqual(['comms@cec.example', 'li@cec.example']);

    const shown = (await api<{ edition: Edition }>('GET', `/admin/editions/${n}`)).data.edition;
    expect(shown.status).toMatch(/sending|sent/);
    expect(shown.schedule).toMatchObject({ at: '2027-01-05T01:00:00.000Z', firedAt: expect.any(String) });
    expect(shown.schedule?.scheduledBy).toBeTruthy();

    // Scheduler delivers at least once: the same fire again, twice at once, sends nothing more.
    const job = { type: 'send-edition' as const, number: n, at: '2027-01-05T01:00:00.000Z' };
    await Promise.all([stack.app.runJob(job), stack.app.runJob(job)]);
    await idle();
    expect(await recipients()).toEqual(['comms@cec.example', 'li@cec.example']);
    const status = await api<{ recipients: number; sent: number; job: { startedBy: string } }>(
      'GET',
      `/admin/sends/${encodeURIComponent(`edition#${n}`)}?exact=1`,
    );
    // The suppressed council contact is planned and skipped, never mailed.
    expect(status.data).toMatchObject({ recipients: 3, sent: 2 });
    expect(status.data.job.startedBy).toMatch(/^system:scheduler/);

    // Once started, it can no longer be moved or unscheduled.
    expect((await api('PUT', `/admin/editions/${n}/schedule`, { at: '2027-02-01 09:00' })).status).toBe(409);
    expect((await api('DELETE', `/admin/editions/${n}/schedule`)).status).toBe(409);
  });

  describe("per reader: 09:00 on the day in each reader's own zone", () => {
    let m = 0;
    const mailsOf = async (edition: number) =>
      (await stack.sentMail())
        .filter((x) => x.subject.includes(`No. ${edition} `) || x.subject.includes(`第${edition}期`))
        .map((x) => x.destination.to[0])
        .sort();

    beforeAll(async () => {
      const subs = new DynamoSubscriberRepo(stack.infra.table);
      const reader = { audiences: ['newsletter' as const] };
      await subs.create(confirmedSubscriber('be@readers.example', { ...reader, timeZone: 'Europe/Berlin' }));
      await subs.create(
        confirmedSubscriber('ny@readers.example', { ...reader, timeZone: 'America/New_York' }),
      );
      await seed(
        anUpdate({ updateId: 'u_q4b', title: 'Winter notes', receivedAt: '2026-12-10T08:00:00.000Z' }),
      );
      const compiled = await api<{ edition: { number: number } }>('POST', '/admin/editions/compile', {
        from: '2026-10-01',
        to: '2026-12-31',
        wait: true,
      });
      expect(compiled.status).toBe(201);
      m = compiled.data.edition.number;
      expect(m).toBe(n + 1);
      expect((await api('POST', `/admin/editions/${m}/approve`)).status).toBe(200);
    });

    it('the first readers get it at their 09:00 and each later zone at its own, once each', async () => {
      const sch = await api<{ edition: Edition }>('PUT', `/admin/editions/${m}/schedule`, {
        at: '2027-02-01 09:00',
        perReader: true,
      });
      expect(sch.status, JSON.stringify(sch.data)).toBe(200);
      // Shanghai reaches 09:00 first among these readers (UTC, Berlin and New York come later).
      expect(sch.data.edition.schedule).toMatchObject({ at: '2027-02-01T01:00:00.000Z', perReader: true });
      const steps: [string, string[]][] = [
        ['2027-02-01T01:00:05Z', ['li@cec.example']],
        ['2027-02-01T08:00:05Z', ['be@readers.example', 'li@cec.example']], // 09:00 CET
        [
          '2027-02-01T09:00:05Z', // 09:00 UTC
          [
            'be@readers.example',
            'comms@cec.example',
            'li@cec.example',
            'reader@example.org',
            'tanaka@jgpn.example',
          ],
        ],
        [
          '2027-02-01T14:00:05Z', // 09:00 EST
          [
            'be@readers.example',
            'comms@cec.example',
            'li@cec.example',
            'ny@readers.example',
            'reader@example.org',
            'tanaka@jgpn.example',
          ],
        ],
      ];
      for (const [at, expected] of steps) {
        clock.set(at);
        await stack.scheduler.tick();
        await idle();
        expect(await mailsOf(m), at).toEqual(expected);
      }
      const shown = (await api<{ edition: Edition }>('GET', `/admin/editions/${m}`)).data.edition;
      expect(shown.schedule?.nextAt).toBeUndefined();
      expect(shown.status).toBe('sent');
      // Nothing more is scheduled, and a late repeat of any fire sends nothing twice.
      expect((await stack.scheduler.list()).filter((x) => x.job.type === 'send-edition')).toEqual([]);
      await stack.app.runJob({ type: 'send-edition', number: m, at: '2027-02-01T01:00:00.000Z' });
      await idle();
      const all = await mailsOf(m);
      expect(all).toEqual([...new Set(all)]);
      expect(all).toHaveLength(6);
    });
  });
});
