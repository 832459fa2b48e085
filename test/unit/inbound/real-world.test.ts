/**
 * Issue 16: real-world mail from every client and language, classified right and read faithfully.
 * Inline messages are shaped after what the clients send (headers, separators, encodings).
 */
import { describe, expect, it } from 'vitest';
import { isAutoReply, isAutoReplySubject } from '../../../src/use-cases/inbound/classify.ts';
import { memberHtml } from '../../../src/use-cases/inbound/quotes.ts';
import { cleanTitle, memberText, summarise } from '../../../src/use-cases/inbound/text.ts';
import { readDeadline, readEventTime } from '../../../src/use-cases/inbound/when.ts';
import { mail } from '../../fixtures/inbound/index.ts';
import { member, world } from './fakes.ts';

const htmlMail = (o: Parameters<typeof mail>[0]) =>
  Buffer.from(mail(o).toString().replace('Content-Type: text/plain', 'Content-Type: text/html'));

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

describe('text fidelity', () => {
  it('keeps them out of titles, summaries, bodies and file names of an accepted update', async () => {
    const w = world();
    const raw = Buffer.from(
      [
        'From: news@greenbuy.example',
        'To: updates@gazette.local',
        'Subject: =?UTF-8?Q?Green=E2=80=AE_ICT=E2=80=8B_=F0=9F=91=A9=E2=80=8D=F0=9F=92=BB_news?=',
        'Date: Tue, 03 Mar 2026 10:15:00 +0100',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Our \u0000new\u202e guide\u200b is out.\u2066',
        '--b',
        'Content-Type: application/pdf; name="=?UTF-8?Q?guide=E2=80=AEfdp.pdf?="',
        'Content-Disposition: attachment; filename="=?UTF-8?Q?guide=E2=80=AEfdp.pdf?="',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4').toString('base64'),
        '--b--',
        '',
      ].join('\r\n'),
    );
    const r = await w.send(raw);
    const u = w.updates.byId.get(r.updateId ?? '');
    expect(u?.title).toBe('Green ICT 👩\u200d💻 news');
    expect(u?.summary).toBe('Our new guide is out.');
    expect(u?.bodyText).not.toMatch(/[\u0000\u202e\u200b\u2066]/u);
    expect(u?.bodyHtml).not.toMatch(/[\u0000\u202e\u200b\u2066]/u);
    expect(u?.attachments[0]?.filename).toBe('guidefdp.pdf');
  });

  it('notes in the audit trail that a 1 MB subject was cut', async () => {
    const w = world([member()], { maxBytes: 4 * 1024 * 1024 });
    const r = await w.send(mail({ subject: `Green ${'x'.repeat(1024 * 1024)}` }));
    const u = w.updates.byId.get(r.updateId ?? '');
    expect(u?.title.length).toBeLessThanOrEqual(300);
    expect(u?.audit[0]?.note).toMatch(/subject cut at 1000 of its 1,048,582 characters/);
    expect(u?.audit[0]?.note).toMatch(/title shortened/);
  });

  it('gives a link label written over several lines as one line', async () => {
    const w = world();
    const html =
      '<p>See <a href="https://greenbuy.example/guide">the new\r\n   <b>eco-label</b>\nguide</a>.</p>';
    const r = await w.send(htmlMail({ body: html }));
    const u = w.updates.byId.get(r.updateId ?? '');
    expect(u?.links).toContainEqual({
      url: 'https://greenbuy.example/guide',
      label: 'the new eco-label guide',
    });
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

describe('quoted replies and signatures', () => {
  const long = 'Our network published the 2026 green procurement guide for cities and regions. '.repeat(3);

  it('recognise Outlook’s localised separators and header blocks in the text', () => {
    for (const quote of [
      '-----Original Message-----\nFrom: A\nSent: Monday\nTo: B\nSubject: C',
      '-----邮件原件-----\n发件人: A\n发送时间: 2026年3月2日\n收件人: B\n主题: C',
      '-----Ursprüngliche Nachricht-----\nVon: A\nGesendet: Montag\nAn: B\nBetreff: C',
      "-----Message d'origine-----\nDe : A\nEnvoyé : lundi\nÀ : B\nObjet : C",
      '-----Mensaje original-----\nDe: A\nEnviado el: lunes\nPara: B\nAsunto: C',
      '-----元のメッセージ-----\n差出人: A\n送信日時: 2026年3月2日\n宛先: B\n件名: C',
      '-----원본 메시지-----\n보낸 사람: A\n보낸 날짜: 2026년 3월 2일\n받는 사람: B\n제목: C',
      'Von: A <a@x.de>\nGesendet: Montag, 2. März 2026 10:00\nAn: B\nBetreff: C',
      '发件人: A <a@x.cn>\n发送时间: 2026年3月2日 10:00\n收件人: B\n主题: C',
      '________________________________\nFrom: A\nSent: Monday\nTo: B',
      'Am Mo., 2. März 2026 um 10:00 Uhr schrieb A <a@x.de>:',
      'Le lun. 2 mars 2026 à 10:00, A <a@x.fr> a écrit :',
      '在 2026年3月2日 10:00，A <a@x.cn> 写道：',
      '2026년 3월 2일 (월) 오전 10:00, A <a@x.kr>님이 작성:',
    ]) {
      const t = memberText(`${long}\n\n${quote}\n\nQuoted old text that must go.`);
      expect(t, quote).toBe(long.trim());
    }
  });

  it('remove the quote from the HTML body too (Gmail, Apple Mail, Thunderbird, Outlook)', () => {
    const own = `<p>${long}</p>`;
    for (const quote of [
      '<div class="gmail_quote"><div class="gmail_attr">On Mon, A wrote:</div><blockquote>old</blockquote></div>',
      '<blockquote type="cite">old</blockquote>',
      '<div class="moz-cite-prefix">On 02.03.26 A wrote:</div><blockquote type="cite">old</blockquote>',
      '<div id="divRplyFwdMsg"><b>From:</b> A<br><b>Sent:</b> Monday<br></div><div>old</div>',
      '<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>Von:</b> A<br><b>Gesendet:</b> Montag<br><b>An:</b> B<br><b>Betreff:</b> C</p></div><p>old</p>',
      '<p class="MsoNormal">-----邮件原件-----<br>发件人: A<br>发送时间: 2026年3月2日<br>主题: C</p><p>old</p>',
      '<div>------------------&nbsp;原始邮件&nbsp;------------------</div><div>old</div>',
      '<div>-- <br>Jane Doe<br>GreenBuy</div>',
    ]) {
      const cut = memberHtml(`${own}${quote}`, { forwarded: false });
      expect(cut.cut, quote).toBe(true);
      expect(cut.html, quote).not.toMatch(/old|Jane Doe/);
      expect(cut.html).toContain(long.slice(0, 40));
    }
  });

  it('keep a bare forward whole', () => {
    const html =
      '<div>FYI</div><div class="gmail_quote">---------- Forwarded message ---------<br>From: A<br><p>The forwarded news.</p></div>';
    expect(memberHtml(html, { forwarded: true })).toEqual({ html, cut: false });
  });

  it('an accepted HTML reply keeps only the member’s part in bodyHtml, bodyText and links', async () => {
    const w = world();
    const raw = htmlMail({
      subject: 'Re: Gazette call for news',
      body: `<p>${long} <a href="https://greenbuy.example/guide">Guide</a></p><div class="gmail_quote">On Mon, 2 Mar 2026 Secretariat &lt;s@igpn.example&gt; wrote:<blockquote>Send us news! <a href="https://igpn.example/old">old</a></blockquote></div>`,
    });
    const r = await w.send(raw);
    const u = w.updates.byId.get(r.updateId ?? '');
    expect(u?.bodyHtml).not.toMatch(/Send us news|igpn\.example\/old/);
    expect(u?.bodyText).not.toMatch(/Send us news/);
    expect(u?.links.map((l) => l.url)).toEqual(['https://greenbuy.example/guide']);
  });
});

describe('titles and summaries', () => {
  it('keeps a country tag in the title and drops list tags', () => {
    expect(cleanTitle('[Korea] KEITI opens green product centre')).toBe(
      '[Korea] KEITI opens green product centre',
    );
    expect(cleanTitle('Fwd: [IGPN] [Korea] KEITI news')).toBe('[Korea] KEITI news');
    expect(cleanTitle('【韩国】 绿色采购')).toBe('[韩国] 绿色采购');
    expect(cleanTitle('[GreenBuy] Webinar')).toBe('Webinar');
  });

  it('removes sign-offs and signatures from summaries', () => {
    for (const [text, expected] of [
      ['Our guide is out.\n\nBest regards,\nAnna Schmidt\nGreenBuy e.V.', 'Our guide is out.'],
      ['Our guide is out.\nRegards', 'Our guide is out.'],
      ['Unser Leitfaden ist da.\n\nMit freundlichen Grüßen\nAnna', 'Unser Leitfaden ist da.'],
      ['我们发布了新的指南。\n\n此致\n敬礼\n\n张三', '我们发布了新的指南。'],
      ['新しいガイドを公開しました。\n\nよろしくお願いします。\nGPN事務局', '新しいガイドを公開しました。'],
      ['新しいガイドを公開しました。\n\nGPN事務局', '新しいガイドを公開しました。'],
      ['새 지침을 발표했습니다.\n\n감사합니다.\n홍길동 드림', '새 지침을 발표했습니다.'],
      ['Best practice guide published.\nSee the annex.', 'Best practice guide published. See the annex.'],
    ] as const)
      expect(summarise(text), text).toBe(expected);
  });

  it('keeps a list (an agenda) as lines in the summary', () => {
    expect(
      summarise('Agenda of the webinar:\n\n1. Welcome\n2. Green ICT criteria\n3. Q&A\n\nKind regards,\nAnna'),
    ).toBe('Agenda of the webinar:\n1. Welcome\n2. Green ICT criteria\n3. Q&A');
  });
});

describe('calendar invitations', () => {
  it('are stored once, though Outlook sends the invitation as the calendar part and as invite.ics', async () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'METHOD:REQUEST',
      'BEGIN:VEVENT',
      'UID:040000008200E00074C5B7101A82E0080000000',
      'SUMMARY:Green ICT webinar',
      'DTSTART;TZID=W. Europe Standard Time:20260512T100000',
      'DTEND;TZID=W. Europe Standard Time:20260512T113000',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const raw = Buffer.from(
      [
        'From: news@greenbuy.example',
        'To: updates@gazette.local',
        'Subject: Green ICT webinar',
        'Date: Tue, 03 Mar 2026 10:15:00 +0100',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="m"',
        '',
        '--m',
        'Content-Type: multipart/alternative; boundary="a"',
        '',
        '--a',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Join our webinar.',
        '--a',
        'Content-Type: text/calendar; charset=utf-8; method=REQUEST',
        '',
        ics,
        '--a--',
        '--m',
        'Content-Type: application/ics; name="invite.ics"',
        'Content-Disposition: attachment; filename="invite.ics"',
        '',
        ics,
        '--m--',
        '',
      ].join('\r\n'),
    );
    const w = world();
    const r = await w.send(raw);
    const u = w.updates.byId.get(r.updateId ?? '');
    expect(u?.kind).toBe('event');
    expect(u?.event?.start).toBe('2026-05-12T08:00:00Z');
    expect(u?.attachments.filter((a) => /calendar|ics/.test(a.contentType))).toHaveLength(1);
    expect(u?.attachments[0]?.filename).toBe('invite.ics');
  });

  it('only calendar files are merged: two identical PDFs are both kept', async () => {
    const pdf = Buffer.from('%PDF-1.4 same bytes').toString('base64');
    const part = (name: string) => [
      '--m',
      `Content-Type: application/pdf; name="${name}"`,
      `Content-Disposition: attachment; filename="${name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      pdf,
    ];
    const raw = Buffer.from(
      [
        'From: news@greenbuy.example',
        'To: updates@gazette.local',
        'Subject: Two copies',
        'Date: Tue, 03 Mar 2026 10:15:00 +0100',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="m"',
        '',
        '--m',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Both files.',
        ...part('a.pdf'),
        ...part('b.pdf'),
        '--m--',
        '',
      ].join('\r\n'),
    );
    const w = world();
    const r = await w.send(raw);
    expect(w.updates.byId.get(r.updateId ?? '')?.attachments.map((a) => a.filename)).toEqual([
      'a.pdf',
      'b.pdf',
    ]);
  });
});
