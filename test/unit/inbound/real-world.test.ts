/**
 * Issue 16: real-world mail from every client and language, classified right and read faithfully.
 * Inline messages are shaped after what the clients send (headers, separators, encodings).
 */
import { describe, expect, it } from 'vitest';
import { isAutoReply, isAutoReplySubject } from '../../../src/use-cases/inbound/classify.ts';
import { readDeadline, readEventTime } from '../../../src/use-cases/inbound/when.ts';
import { mail } from '../../fixtures/inbound/index.ts';
import { member, world } from './fakes.ts';

describe('automatic replies', () => {
  const head = (headers: Record<string, string[]>, subject = 'Re: Green ICT webinar') => ({
    headers,
    subject,
    from: { address: 'news@greenbuy.example' },
  });

  it('are recognised by their headers first (RFC 3834, vacation programs, Precedence, Exchange)', () => {
    const cases: Record<string, string[]>[] = [
      { 'auto-submitted': ['auto-replied'] },
      { 'auto-submitted': ['auto-generated'] },
      { 'x-autoreply': ['yes'] },
      { 'x-autorespond': ['Out of office'] },
      { precedence: ['auto_reply'] },
      { precedence: ['bulk'] },
      { precedence: ['junk'] },
      { 'x-auto-response-suppress': ['All'] },
      { 'x-auto-response-suppress': ['DR, OOF, AutoReply'] },
      { 'x-ms-exchange-generated-message-source': ['Mailbox Rules Agent'] },
      { 'x-ms-exchange-inbox-rules-loop': ['news@greenbuy.example'] },
    ];
    for (const h of cases) expect(isAutoReply(head(h)), JSON.stringify(h)).toBe(true);
    expect(isAutoReply(head({ 'auto-submitted': ['no'] }))).toBe(false);
    expect(isAutoReply(head({ precedence: ['list'] }))).toBe(false);
  });

  it('are recognised by subject in the languages of IGPN members (no \\b after CJK)', () => {
    for (const s of [
      'Automatic reply: Green ICT webinar',
      'Out of Office: Green ICT webinar',
      'AUTO: Jane Doe is out of the office (returning 02/03/2026)',
      '[Auto-Reply] Your message',
      '自动回复: 绿色采购',
      '自动答复: 绿色采购',
      '自動回覆：綠色採購',
      '自動応答: グリーン購入',
      '自動返信：グリーン購入',
      '자동 응답: 녹색구매',
      '자동 회신: 녹색구매',
      'Automatische Antwort: Webinar',
      'Abwesenheitsnotiz: Webinar',
      'Réponse automatique : webinaire',
      'Respuesta automática: seminario',
      'Risposta automatica: webinar',
      'Resposta automática: webinar',
      'Automatisch antwoord: webinar',
      'Automatyczna odpowiedź: webinar',
      'Автоматический ответ: вебинар',
      'การตอบกลับอัตโนมัติ: สัมมนา',
      'Trả lời tự động: hội thảo',
      'Balasan otomatis: webinar',
      'Balasan automatik: webinar',
      'תשובה אוטומטית: כנס',
      'رد تلقائي: ندوة',
      'Otomatik yanıt: seminer',
      '【自动回复】您好',
    ])
      expect(isAutoReplySubject(s), s).toBe(true);
    for (const s of [
      'Webinar on auto-reply etiquette? No: on green ICT',
      'Absence of green criteria in tenders',
      'Automation in public procurement',
      '自动化采购指南',
    ])
      expect(isAutoReplySubject(s), s).toBe(false);
  });

  it('are ignored quietly: no acknowledgement, no update, and the inbound log says why', async () => {
    const w = world();
    for (const [subject, headers] of [
      ['自动回复: 绿色采购', {}],
      ['Automatyczna odpowiedź: webinar', {}],
      ['Re: webinar', { 'X-MS-Exchange-Generated-Message-Source': 'Mailbox Rules Agent' }],
      ['Re: webinar', { 'Auto-Submitted': 'auto-replied' }],
    ] as const) {
      const r = await w.send(mail({ subject, headers }));
      expect(r, subject).toMatchObject({
        outcome: 'rejected',
        reason: expect.stringMatching(/automatic reply/),
      });
      expect(r.updateId).toBeUndefined();
    }
    expect(w.mailer.sent).toEqual([]);
    expect(w.updates.byId.size).toBe(0);
    expect([...w.inbound.byId.values()].map((r) => r.outcome)).toEqual(Array(4).fill('rejected'));
  });
});

describe('who wrote it', () => {
  it('a From: with a second mailbox that is not an allowed sender is not a member’s mail', async () => {
    const w = world();
    const r = await w.send(mail({ from: 'news@greenbuy.example, someone@elsewhere.example' }));
    expect(r).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/From: someone@elsewhere/),
    });
    expect(w.mailer.sent).toEqual([]);
  });

  it('a Sender: other than the allowed From: is not a member’s mail; both allowed is', async () => {
    const w = world([member({ senders: ['news@greenbuy.example', 'office@greenbuy.example'] })]);
    const r = await w.send(mail({ headers: { Sender: 'relay@lists.example' } }));
    expect(r).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/Sender: relay@lists/) });
    expect(await w.send(mail({ headers: { Sender: 'office@greenbuy.example' } }))).toMatchObject({
      outcome: 'accepted',
    });
    expect(
      await w.send(mail({ from: 'News <news@greenbuy.example>, Office <office@greenbuy.example>' })),
    ).toMatchObject({ outcome: 'accepted' });
  });
});

describe('who sent it on the member’s behalf', () => {
  const invite = (sender: string, withCalendar: boolean) =>
    Buffer.from(
      [
        'From: Anna <news@greenbuy.example>',
        `Sender: ${sender}`,
        'To: updates@gazette.local',
        'Subject: Invitation: Green ICT webinar @ Tue 12 May 2026',
        'Date: Tue, 03 Mar 2026 10:15:00 +0100',
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary="a"',
        '',
        '--a',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Join our webinar.',
        ...(withCalendar
          ? [
              '--a',
              'Content-Type: text/calendar; charset=utf-8; method=REQUEST',
              '',
              'BEGIN:VCALENDAR',
              'BEGIN:VEVENT',
              'UID:abc@google.com',
              'SUMMARY:Green ICT webinar',
              'DTSTART:20260512T080000Z',
              'END:VEVENT',
              'END:VCALENDAR',
            ]
          : []),
        '--a--',
        '',
      ].join('\r\n'),
    );

  it('Google Calendar as Sender: of the member’s own invitation is the member’s mail; without one it is not', async () => {
    const w = world();
    const google = 'Google Calendar <calendar-notification@google.com>';
    expect(await w.send(invite(google, true))).toMatchObject({ outcome: 'accepted' });
    expect(await w.send(invite(google, false))).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/Sender: calendar-notification@google\.com/),
    });
    expect(await w.send(invite('relay@lists.example', true))).toMatchObject({ outcome: 'rejected' });
  });
});

describe('dates and kinds', () => {
  const fallback = { zone: 'UTC', offsetMinutes: 60 };

  it('does not read "14:00 CST" with the Date header’s offset: time left unset, with a note', () => {
    const r = readEventTime('12 May 2026, 14:00 CST', fallback);
    expect(r.event).toMatchObject({ allDay: true });
    expect(r.event?.timeZone).toBeUndefined();
    expect(r.notes.join()).toMatch(/“CST” is ambiguous \(China, US Central or Cuba\).*left unset/);
    const d = readDeadline('30 June 2026 17:00 IST', fallback);
    expect(d.notes.join()).toMatch(/“IST” is ambiguous/);
  });

  it('resolves an ambiguous abbreviation by the member’s country, and says so', () => {
    const cn = readEventTime('12 May 2026, 14:00 CST', fallback, { country: 'CN' });
    expect(cn.event).toMatchObject({ start: '2026-05-12T06:00:00Z', timeZone: 'Asia/Shanghai' });
    expect(cn.notes.join()).toMatch(/read as Asia\/Shanghai \(the member is in CN\)/);
    const us = readEventTime('12 May 2026, 14:00 CST', fallback, { country: 'US' });
    expect(us.event).toMatchObject({ start: '2026-05-12T19:00:00Z', timeZone: 'America/Chicago' });
    const inIst = readEventTime('12 May 2026, 14:00 IST', fallback, { country: 'IN' });
    expect(inIst.event).toMatchObject({ start: '2026-05-12T08:30:00Z' });
  });

  it('an update from a member in China reads CST as China time; elsewhere it notes the ambiguity', async () => {
    const cn = world([member({ country: 'China' })]);
    const r = await cn.send(
      mail({ subject: 'Green forum', body: 'Join us.\n\nWhen: 12 May 2026, 14:00 CST' }),
    );
    expect(cn.updates.byId.get(r.updateId ?? '')?.event).toMatchObject({ timeZone: 'Asia/Shanghai' });
    const de = world();
    const r2 = await de.send(
      mail({ subject: 'Green forum', body: 'Join us.\n\nWhen: 12 May 2026, 14:00 CST' }),
    );
    const u = de.updates.byId.get(r2.updateId ?? '');
    expect(u?.event).toMatchObject({ allDay: true });
    expect(u?.audit[0]?.note).toMatch(/ambiguous/);
  });

  it('keeps the kind news when the title says Forum or Call but no date was found', async () => {
    const w = world();
    for (const subject of ['Asia Green Forum recap', 'Call for good practices']) {
      const r = await w.send(mail({ subject, body: 'A short note from our network.' }));
      expect(w.updates.byId.get(r.updateId ?? ''), subject).toMatchObject({ kind: 'news', section: 'news' });
    }
    const r = await w.send(mail({ subject: 'Asia Green Forum', body: 'Join.\n\nWhen: 12 May 2026' }));
    expect(w.updates.byId.get(r.updateId ?? '')).toMatchObject({ kind: 'event' });
  });
});
