/**
 * Issue 16, the MIME/HTML adapters: split RFC 2047 words, invisible characters, relative URLs, glued
 * links, an over-long subject. Inline messages are shaped after what real clients send.
 */
import { describe, expect, it } from 'vitest';
import { createHtmlTools } from '../../../src/adapters/mime/html.ts';
import { createMimeParser, decodeHeaderWords } from '../../../src/adapters/mime/mail-parser.ts';
import { stripInvisibles } from '../../../src/domain/index.ts';
import { safeFilename } from '../../../src/use-cases/inbound/attachments.ts';
import { mail } from '../../fixtures/inbound/index.ts';

const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

describe('reading real-world mail faithfully (MIME and HTML adapters)', () => {
  it('joins adjacent encoded words of one charset before decoding (RFC 2047 §6.2)', async () => {
    // "€uro" with the three bytes of € split across two base64 words, and 中文 split across Q words.
    const split = `=?UTF-8?B?${b64([0xe2, 0x82])}?=\r\n =?UTF-8?B?${b64([0xac, 0x75, 0x72, 0x6f])}?=`;
    expect(decodeHeaderWords(`=?UTF-8?B?${b64([0xe2, 0x82])}?= =?utf-8?B?${b64([0xac])}?=`)).toBe('€');
    expect(decodeHeaderWords('=?UTF-8?Q?=E4=B8?= =?UTF-8?Q?=AD=E6=96=87?= x')).toBe('中文 x');
    expect(decodeHeaderWords('=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= =?gb2312?B?1tDOxA==?=')).toBe('日本語中文');
    const p = await createMimeParser().parse(mail({ subject: split }));
    expect(p.subject).toBe('€uro');
  });
  it('removes controls, bidi overrides and zero-width characters, keeping ZWJ inside emoji', () => {
    expect(stripInvisibles('a\u0000b\u202ec\u200bd\u200fe\u2066f\u2069g\u2060h\u200di')).toBe('abcdefghi');
    expect(stripInvisibles('team 👩\u200d💻 and 👨\u200d👩\u200d👧')).toBe(
      'team 👩\u200d💻 and 👨\u200d👩\u200d👧',
    );
    expect(stripInvisibles('line\u0007 one\nline two', { multiline: true })).toBe('line one\nline two');
  });
  it('drops relative URLs from links and images; only absolute https images and http(s)/mailto links remain', () => {
    const h = createHtmlTools();
    const out = h.sanitize(
      '<p><img src="x"><img src="/logo.png"><img src="https://a.example/i.png" alt="A">' +
        '<a href="/v1/preferences?token=abc">prefs</a> <a href="../admin/updates">admin</a> ' +
        '<a href="//evil.example/x">proto</a> <a href="https://ok.example/a">ok</a> <a href="mailto:a@b.example">m</a></p>',
    );
    expect(out).not.toMatch(/src="x"|logo\.png|preferences|admin\/updates|evil\.example/);
    expect(out).toContain('<img src="https://a.example/i.png" alt="A" />');
    expect(out).toContain('href="https://ok.example/a"');
    expect(out).toContain('href="mailto:a@b.example"');
  });
  it('keeps the space before a link in the text and reads link labels with line breaks as one line', () => {
    const h = createHtmlTools();
    expect(
      h.toText('<p>Read the press release<a href="https://x.example/p">https://x.example/p</a></p>'),
    ).toBe('Read the press release https://x.example/p');
    expect(
      h.toText('<p>Photos:<a href="https://x.example/g"><img src="https://x.example/i.png"></a></p>'),
    ).toBe('Photos: https://x.example/g');
  });
  it('keeps bidi overrides and zero-width characters out of subjects, bodies and file names', async () => {
    const p = await createMimeParser().parse(
      mail({
        subject: '=?UTF-8?Q?Green=E2=80=AE_ICT=E2=80=8B_news?=',
        body: 'Our \u0000new\u202e guide\u200b is out.\u2066',
      }),
    );
    expect(p.subject).toBe('Green ICT news');
    expect(p.text).toMatch(/^Our new guide is out\.\s*$/);
    expect(safeFilename('invoice\u202efdp.exe', 0, 'application/pdf')).toBe('invoicefdp.exe');
  });

  it('notes that an over-long subject was cut, with its length', async () => {
    const p = await createMimeParser().parse(mail({ subject: `Green ${'x'.repeat(1024 * 1024)}` }));
    expect(p.subject.length).toBe(1000);
    expect(p.problems.join()).toMatch(/subject cut at 1000 of its 1,048,582 characters/);
  });
});
