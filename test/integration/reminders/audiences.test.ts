import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deadline, Reminder } from '../../../src/domain/index.ts';
import { startTestStack } from '../../support/local-stack.ts';
import { aMember, confirmedSubscriber, SettableClock, wireReminders } from './wiring.ts';

type View = { deadline: Deadline; reminders: Reminder[]; audience?: { count: number } };

describe('audiences and each reader’s hour through the local stack', () => {
  const clock = new SettableClock(new Date('2027-03-01T00:00:00Z'));
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let w: ReturnType<typeof wireReminders>;

  beforeAll(async () => {
    stack = await startTestStack({ clock });
    w = wireReminders(stack);
    for (const m of [
      aMember('m_cec', { type: 'council' }),
      aMember('m_jgpn', { type: 'network' }),
      aMember('m_old', { type: 'council', status: 'disabled' }),
    ])
      await w.members.create(m);
    for (const s of [
      confirmedSubscriber('li@cec.example', {
        timeZone: 'Asia/Shanghai',
        memberId: 'm_cec',
        memberRole: 'main-contact',
      }),
      confirmedSubscriber('comms@cec.example', { timeZone: 'Asia/Shanghai', memberId: 'm_cec' }),
      confirmedSubscriber('tanaka@jgpn.example', { timeZone: 'Asia/Tokyo', memberId: 'm_jgpn' }),
      confirmedSubscriber('old@former.example', { memberId: 'm_old' }),
      confirmedSubscriber('sh@readers.example', { timeZone: 'Asia/Shanghai' }),
      confirmedSubscriber('in@readers.example', { timeZone: 'Asia/Kolkata' }),
      confirmedSubscriber('be@readers.example', { timeZone: 'Europe/Berlin' }),
      confirmedSubscriber('ny@readers.example', { timeZone: 'America/New_York' }),
    ])
      await w.subscribers.create(s);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const api = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; data: T }> => {
    const res = await stack.admin(path, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, data: (await res.json()) as T };
  };
  const recipientsOf = async (title: string) =>
    (await stack.sentMail())
      .filter((m) => m.subject.includes(title))
      .map((m) => m.destination.to[0])
      .sort();

  it('a council-only reminder reaches exactly the contacts of active council members', async () => {
    const title = 'Council meeting papers due';
    const { status, data } = await api<View>('POST', '/admin/deadlines', {
      title,
      due: '2027-03-20 12:00',
      timeZone: 'Europe/Berlin',
      offsets: ['P7D'],
      audience: 'member-type:council',
    });
    expect(status, JSON.stringify(data)).toBe(201);
    expect(data.audience?.count).toBe(2);
    clock.set('2027-03-13T11:00:30Z');
    await w.tick();
    expect(await recipientsOf(title)).toEqual(['comms@cec.example', 'li@cec.example']);
  });

  it('an empty audience is refused before anything is scheduled', async () => {
    const { status, data } = await api<{ message: string }>('POST', '/admin/deadlines', {
      title: 'Associates only',
      due: '2027-03-25 12:00',
      timeZone: 'Europe/Berlin',
      audience: 'member-type:associate',
    });
    expect(status).toBe(400);
    expect(data.message).toMatch(/no confirmed subscribers/);
    const schedules = await stack.scheduler.list();
    expect(schedules.some((s) => s.job.type === 'reminder' && s.at.toISOString() > '2027-03-20')).toBe(false);
  });

  it('a day reminder goes out at 09:00 in each reader’s zone: Shanghai, Kolkata, Berlin (after DST), New York', async () => {
    const title = 'Member survey closes';
    const segment = await api('POST', '/admin/segments', {
      segmentId: 'readers',
      name: 'Readers without a member',
      filter: { lists: ['reminders'], countries: undefined, languages: ['en'] },
    });
    expect(segment.status).toBe(201);
    const { status, data } = await api<View>('POST', '/admin/deadlines', {
      title,
      due: '2027-03-30 23:59',
      timeZone: 'Asia/Shanghai',
      offsets: ['P1D'],
      readerTime: '09:00',
      audience: { kind: 'filter', filter: { memberIds: undefined, lists: ['reminders'] } },
    });
    expect(status).toBe(201);
    expect(data.reminders.map((r) => r.fireAt)).toEqual(['2027-03-28T19:00:00.000Z']);
    const readers = (xs: (string | undefined)[]) =>
      xs.filter((x): x is string => x?.includes('@readers.example') === true);
    const steps: [string, string[]][] = [
      ['2027-03-28T19:00:30Z', []],
      ['2027-03-29T01:00:30Z', ['sh@readers.example']], // 09:00 Shanghai
      ['2027-03-29T03:30:30Z', ['in@readers.example', 'sh@readers.example']], // 09:00 Kolkata (+05:30)
      ['2027-03-29T07:00:30Z', ['be@readers.example', 'in@readers.example', 'sh@readers.example']], // 09:00 CEST
      [
        '2027-03-29T13:00:30Z',
        ['be@readers.example', 'in@readers.example', 'ny@readers.example', 'sh@readers.example'],
      ],
    ];
    for (const [at, expected] of steps) {
      clock.set(at);
      await w.tick();
      expect(readers(await recipientsOf(title)), at).toEqual(expected);
    }
    // Once each: the council contacts (Shanghai) got theirs at 01:00, the Tokyo one at 00:00 UTC.
    const all = await recipientsOf(title);
    expect(all).toEqual([...new Set(all)]);
    expect(all).toContain('tanaka@jgpn.example');
    const shown = await api<View>('GET', `/admin/deadlines/${data.deadline.deadlineId}`);
    expect(shown.data.reminders.map((r) => r.status)).toEqual(['sent']);
  });

  it('a saved audience cannot be deleted while a live deadline targets it; once that is cancelled, it can', async () => {
    expect(
      (
        await api('POST', '/admin/segments', {
          segmentId: 'council-contacts',
          name: 'Council contacts',
          filter: { lists: ['reminders'], memberTypes: ['council'] },
        })
      ).status,
    ).toBe(201);
    const { data } = await api<View>('POST', '/admin/deadlines', {
      title: 'Council vote closes',
      due: '2027-04-20 12:00',
      timeZone: 'Europe/Berlin',
      offsets: ['P7D'],
      audience: 'segment:council-contacts',
    });
    const refused = await api<{ error: { message: string } }>('DELETE', '/admin/segments/council-contacts');
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.data)).toContain('deadline \\"Council vote closes\\"');
    expect((await api('GET', '/admin/segments/council-contacts')).status).toBe(200);
    await api('POST', `/admin/deadlines/${data.deadline.deadlineId}/cancel`);
    expect((await api('DELETE', '/admin/segments/council-contacts')).status).toBe(200);
  });
});
