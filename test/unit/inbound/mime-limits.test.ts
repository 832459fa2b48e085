/**
 * The MIME adapter's contract beyond charsets: the limits that keep a hostile message from holding the
 * ingest function (several rely on postal-mime internals, so these tests also catch an upgrade that
 * renames them), and the ParsedMail fields the inbound use cases read.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMimeParser } from '../../../src/adapters/mime/mail-parser.ts';
import { UnparseableMessageError } from '../../../src/domain/index.ts';

const parser = createMimeParser();

function message(headers: string[], body: string): Buffer {
  const head = [
    'From: "Member" <member@example.org>',
    'To: updates@gazette.local',
    'Subject: Test',
    'Date: Tue, 03 Mar 2026 10:15:00 +0100',
    'Message-ID: <limits@example.org>',
    'MIME-Version: 1.0',
    ...headers,
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}\r\n`);
}

const multipart = (parts: string[], type = 'mixed', extra = '') =>
  message(
    [`Content-Type: multipart/${type}; boundary="b"${extra}`],
    `${parts.map((p) => `--b\r\n${p}\r\n`).join('')}--b--`,
  );

describe('MIME parser limits', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('refuses a message with more than 1000 MIME parts, which the multipart pre-scan does not count', async () => {
    const parts = (n: number) =>
      Array.from({ length: n }, (_, i) => `Content-Type: text/plain\r\n\r\npart ${i}`);
    await expect(parser.parse(multipart(parts(1_001)))).rejects.toThrow(/more than 1000 MIME parts/);
    const ok = await parser.parse(multipart(parts(999)));
    expect(ok.text).toContain('part 998');
  });

  it('refuses a 7bit part of more than 100 000 lines before joining them', async () => {
    const raw = message(['Content-Type: text/plain'], 'a\r\n'.repeat(120_000));
    await expect(parser.parse(raw)).rejects.toThrow(UnparseableMessageError);
    await expect(parser.parse(raw)).rejects.toThrow(/more than 100000 lines or encoded pieces/);
    // …and still names the sender, so the refusal can be routed.
    expect((await parser.parseHeaders(raw)).from?.address).toBe('member@example.org');
  });

  it('does not count the lines of a base64 attachment (a large PDF is not hostile)', async () => {
    const line = Buffer.alloc(57, 0x25).toString('base64'); // one 76-character line
    const raw = multipart([
      'Content-Type: text/plain\r\n\r\nReport attached.',
      `Content-Type: application/pdf; name="report.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${`${line}\r\n`.repeat(110_000)}`,
    ]);
    const m = await parser.parse(raw);
    expect(m.attachments).toEqual([
      expect.objectContaining({ filename: 'report.pdf', contentType: 'application/pdf', size: 57 * 110_000 }),
    ]);
  });

  it('refuses base64 padded after every unit, on one line or on many', async () => {
    const oneLine = message(['Content-Transfer-Encoding: base64'], 'QQ=='.repeat(210_000));
    await expect(parser.parse(oneLine)).rejects.toThrow(/more than 100000 lines or encoded pieces/);
    const manyLines = message(
      ['Content-Transfer-Encoding: base64'],
      `${'QQ=='.repeat(19)}\r\n`.repeat(12_000),
    );
    await expect(parser.parse(manyLines)).rejects.toThrow(/more than 100000 lines or encoded pieces/);
  });

  it('checks its time budget while reading the message, not only once it is done', async () => {
    // A clock that moves 50 ms per reading: only checks inside the line loop see the budget run out
    // (a check before and after the parse would see 50 ms).
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 50));
    const slow = createMimeParser({ timeoutMs: 1_000 });
    const raw = message(['Content-Type: text/plain'], 'Lorem ipsum dolor sit amet.\r\n'.repeat(80_000));
    await expect(slow.parse(raw)).rejects.toThrow(/longer than 1000 ms/);
  });

  it('reports the header lines, header values and attachments it cut', async () => {
    const small = createMimeParser({
      maxHeaderLines: 10,
      maxHeaderValueChars: 20,
      maxAttachments: 2,
      maxHtmlChars: 5,
    });
    const m = await small.parse(
      Buffer.concat([
        Buffer.from(`X-Long: ${'x'.repeat(100)}\r\n`),
        multipart(
          [
            'Content-Type: text/html\r\n\r\n<p>Hello</p>',
            ...[1, 2, 3].map((i) => `Content-Type: image/png; name="${i}.png"\r\n\r\npng`),
          ],
          'mixed',
        ),
      ]),
    );
    expect(m.headers['x-long']).toEqual(['x'.repeat(20)]);
    expect(m.html).toBe('<p>He');
    expect(m.attachments.map((a) => a.filename)).toEqual(['1.png', '2.png']);
    expect(m.problems).toEqual(['HTML body cut at 5 characters', 'only the first 2 attachments were kept']);
    const many = await small.parse(
      message(
        Array.from({ length: 20 }, (_, i) => `X-N: ${i}`),
        'body',
      ),
    );
    expect(many.problems).toEqual(['only the first 10 header lines were read']);
    expect(Object.values(many.headers).flat()).toHaveLength(10);
  });
});

describe('MIME parser fields', () => {
  it('takes the first valid From/Reply-To mailbox, through groups, lower-cased', async () => {
    const m = await parser.parse(
      Buffer.from(
        [
          'From: Undisclosed recipients:;, "Nobody" <not-an-address>, "Ana Ruiz" <Ana.Ruiz@Example.ORG>',
          'Reply-To: Team: "Bo" <BO@example.org>, cy@example.org;',
          'Subject: x',
          '',
          'body',
        ].join('\r\n'),
      ),
    );
    expect(m.from).toEqual({ address: 'ana.ruiz@example.org', name: 'Ana Ruiz' });
    expect(m.replyTo).toEqual({ address: 'bo@example.org', name: 'Bo' });
    const none = await parser.parse(Buffer.from('From: undisclosed-recipients:;\r\nSubject: x\r\n\r\nbody'));
    expect(none.from).toBeUndefined();
  });

  it('keeps the raw Date header, and no date when it does not parse', async () => {
    const m = await parser.parse(message([], 'body'));
    expect(m.dateHeader).toBe('Tue, 03 Mar 2026 10:15:00 +0100');
    expect(m.date?.toISOString()).toBe('2026-03-03T09:15:00.000Z');
    const bad = await parser.parse(
      Buffer.from('From: a@example.org\r\nDate: the day after tomorrow\r\n\r\nx'),
    );
    expect(bad.dateHeader).toBe('the day after tomorrow');
    expect(bad.date).toBeUndefined();
  });

  it('puts Message-IDs in angle brackets and decodes encoded words in the subject', async () => {
    const m = await parser.parse(
      Buffer.from(
        'From: a@example.org\r\nMessage-ID: abc@example.org\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus\r\n =?UTF-8?B?QmVybGlu?=\r\n\r\nx',
      ),
    );
    expect(m.messageId).toBe('<abc@example.org>');
    expect(m.subject).toBe('Grüße aus Berlin');
  });

  it('keeps top-level header values raw and unfolded under lower-cased names, repeats in order', async () => {
    const m = await parser.parse(
      message(
        [
          'DKIM-Signature: v=1; a=rsa-sha256; d=example.org;',
          '\ts=sel; b=abc',
          'X-Tag: one',
          'x-tag: =?UTF-8?Q?two?=',
        ],
        'body',
      ),
    );
    expect(m.headers['dkim-signature']).toEqual(['v=1; a=rsa-sha256; d=example.org; s=sel; b=abc']);
    expect(m.headers['x-tag']).toEqual(['one', '=?UTF-8?Q?two?=']);
    expect(m.headers.from).toEqual(['"Member" <member@example.org>']);
  });

  it('recognises a delivery status notification by its report type and parts', async () => {
    const m = await parser.parse(
      multipart(
        [
          'Content-Type: text/plain\r\n\r\nYour message could not be delivered.',
          'Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1',
          'Content-Type: message/rfc822\r\n\r\nFrom: updates@gazette.local\r\nSubject: Original\r\n\r\nOriginal text.',
        ],
        'report',
        '; report-type=delivery-status',
      ),
    );
    expect(m.contentType).toBe('multipart/report');
    expect(m.reportType).toBe('delivery-status');
    expect(m.partTypes).toEqual(
      expect.arrayContaining(['multipart/report', 'text/plain', 'message/delivery-status', 'message/rfc822']),
    );
    expect(m.text).not.toContain('Original text.');
  });

  it('recognises an ARF abuse report with a quoted report-type', async () => {
    const m = await parser.parse(
      multipart(
        [
          'Content-Type: text/plain\r\n\r\nThis is an abuse report.',
          'Content-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: Example/1.0\r\nVersion: 1',
          'Content-Type: text/rfc822-headers\r\n\r\nFrom: updates@gazette.local',
        ],
        'report',
        '; report-type="Feedback-Report"',
      ),
    );
    expect(m.reportType).toBe('feedback-report');
    expect(m.partTypes).toContain('message/feedback-report');
  });

  it('keeps a forwarded message as an attachment, as the member sent it', async () => {
    const forwarded = 'From: other@example.net\r\nSubject: Original\r\n\r\nForwarded text.\r\n';
    const m = await parser.parse(
      multipart([
        'Content-Type: text/plain\r\n\r\nSee below.',
        `Content-Type: message/rfc822\r\n\r\n${forwarded}`,
      ]),
    );
    expect(m.text?.trim()).toBe('See below.');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]?.contentType).toBe('message/rfc822');
    expect(Buffer.from(m.attachments[0]?.content ?? []).toString()).toContain('Forwarded text.');
    expect(m.partTypes).toContain('message/rfc822');
  });

  it('marks images referenced by Content-ID as inline, with the id unbracketed', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
    const m = await parser.parse(
      multipart(
        [
          'Content-Type: text/html\r\n\r\n<img src="cid:logo@example.org">',
          `Content-Type: image/png; name="logo.png"\r\nContent-ID: <logo@example.org>\r\nContent-Transfer-Encoding: base64\r\n\r\n${png}`,
          `Content-Type: image/png; name="photo.png"\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\n${png}`,
          `Content-Type: application/pdf; name="a.pdf"\r\nContent-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\n${png}`,
        ],
        'related',
      ),
    );
    expect(m.attachments.map((a) => [a.filename, a.inline, a.contentId, a.size])).toEqual([
      ['logo.png', true, 'logo@example.org', 8],
      ['photo.png', true, undefined, 8],
      ['a.pdf', false, undefined, 8],
    ]);
  });

  it('hands calendar parts over as UTF-8 with CRLF line ends (RFC 5545)', async () => {
    const ics = 'BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:Café\nEND:VEVENT\nEND:VCALENDAR';
    const m = await parser.parse(
      multipart([
        'Content-Type: text/plain\r\n\r\nInvitation',
        `Content-Type: text/calendar; method=REQUEST; charset=utf-8\r\n\r\n${ics}`,
      ]),
    );
    const cal = m.attachments.find((a) => a.contentType === 'text/calendar');
    expect(Buffer.from(cal?.content ?? []).toString('utf8')).toBe(`${ics.replaceAll('\n', '\r\n')}\r\n`);
  });

  it('reads messages with bare LF line ends', async () => {
    const m = await parser.parse(
      Buffer.from('From: A <a@example.org>\nSubject: LF only\n\nline one\nline two\n'),
    );
    expect(m.from?.address).toBe('a@example.org');
    expect(m.subject).toBe('LF only');
    expect(m.text).toBe('line one\nline two\n');
  });
});
