import { describe, expect, it } from 'vitest';
import { createHtmlTools } from '../../../src/adapters/mime/html.ts';
import { createMimeParser } from '../../../src/adapters/mime/mail-parser.ts';
import { UnparseableMessageError } from '../../../src/domain/index.ts';
import { fixture, nestedMultipart } from '../../fixtures/inbound/index.ts';

const parser = createMimeParser();
const html = createHtmlTools();

describe('HTML sanitiser', () => {
  it('removes scripts, styles, iframes, handlers, forms, embeds and dangerous URLs from hostile HTML', async () => {
    const m = await parser.parse(fixture('injection-html.eml'));
    const out = html.sanitize(m.html ?? '');
    for (const bad of [
      /<script/i,
      /<style/i,
      /<iframe/i,
      /<object/i,
      /<embed/i,
      /<form/i,
      /<input/i,
      /<svg/i,
      /<meta/i,
      /\son\w+=/i,
      /javascript:/i,
      /data:/i,
      /style=/i,
      /class=/i,
      /alert\(/,
      /evil\.example/,
    ])
      expect(out).not.toMatch(bad);
    expect(out).toContain('<b>eco-label guide</b>');
    expect(out).toContain(
      '<a href="https://greenbuy.example/guide.pdf" rel="noopener noreferrer nofollow">Download the guide</a>',
    );
    expect(out).toContain('<img src="https://greenbuy.example/cover.png" alt="cover" />');
    expect(out).toContain('a comment.');
  });

  it('reduces Outlook HTML (conditional comments, VML, o:p, Mso classes) to plain structure', async () => {
    const m = await parser.parse(fixture('outlook-html.eml'));
    const out = html.sanitize(m.html ?? '');
    expect(out).not.toMatch(/mso|<o:p|<v:|<xml|MsoNormal|behavior|cid:/i);
    expect(out).toContain('<b>Guidelines on Green Public Procurement of Textiles</b>');
    expect(html.toText(out)).toContain(
      'We are pleased to share our new Guidelines on Green Public Procurement of Textiles',
    );
  });

  it('drops cid: images of Apple Mail HTML (the image is stored as an inline attachment instead)', async () => {
    const m = await parser.parse(fixture('apple-mail.eml'));
    const out = html.sanitize(m.html ?? '');
    expect(out).not.toContain('cid:');
    expect(out).toContain('<blockquote>');
    expect(m.attachments).toEqual([
      expect.objectContaining({
        filename: 'workshop.png',
        contentType: 'image/png',
        inline: true,
        contentId: 'photo1@ecocities',
      }),
    ]);
  });

  it('converts deeply nested HTML to text without blowing the stack', () => {
    const deep = `${'<div>'.repeat(50_000)}deep text${'</div>'.repeat(50_000)}`;
    expect(() => html.toText(html.sanitize(deep))).not.toThrow();
  });
});

describe('MIME parser', () => {
  it('decodes GB2312, ISO-2022-JP and EUC-KR subjects and bodies', async () => {
    const zh = await parser.parse(fixture('gb2312-zh.eml'));
    expect(zh.subject).toBe('转发: 【IGPN】2026年绿色采购国际论坛');
    expect(zh.text).toContain('时间: 2026年6月11日 09:30 北京时间');
    const ja = await parser.parse(fixture('iso-2022-jp-ja.eml'));
    expect(ja.subject).toBe('Re: グリーン購入セミナーのご案内');
    expect(ja.text).toContain('日時: 2026年7月8日 14:00 JST');
    const ko = await parser.parse(fixture('euc-kr-ko.eml'));
    expect(ko.subject).toBe('[KGPN] 녹색구매 보고서 발간');
    expect(ko.html).toContain('보고서 내려받기');
  });

  it('survives unknown charsets and does not decode UTF-7 into markup', async () => {
    const m = await parser.parse(fixture('bad-charset.eml'));
    expect(m.text).toContain('au lait');
    expect(html.sanitize(m.html ?? '')).not.toContain('<script');
  });

  it('never lets CR/LF from encoded words into subject, names or ids (header injection)', async () => {
    const m = await parser.parse(fixture('header-injection.eml'));
    expect(m.subject).toBe('Report Bcc: victim@example.org X-Evil: 1');
    expect(m.from).toEqual({ address: 'news@greenbuy.example', name: 'Eve Bcc: all@example.org' });
    for (const v of [m.subject, m.from?.name, m.messageId]) expect(v ?? '').not.toMatch(/[\r\n]/);
  });

  it('parses ~5 MB of nested multiparts within the limits', async () => {
    const raw = nestedMultipart(40, 5 * 1024 * 1024);
    expect(raw.length).toBeGreaterThan(4.5 * 1024 * 1024);
    const m = await parser.parse(raw);
    expect(m.attachments.length).toBe(40);
    expect(m.text).toContain('Level 0 text.');
  });

  it('refuses absurd nesting before parsing, with a readable reason', async () => {
    await expect(parser.parse(nestedMultipart(1_000, 100_000))).rejects.toThrow(UnparseableMessageError);
    await expect(parser.parse(nestedMultipart(1_000, 100_000))).rejects.toThrow(
      /more than 256 multipart sections/,
    );
  });

  it('gives up after its time budget instead of hanging', async () => {
    const slow = createMimeParser({ timeoutMs: 1 });
    await expect(slow.parse(nestedMultipart(40, 5 * 1024 * 1024))).rejects.toThrow(/longer than 1 ms/);
  });

  it('reads the headers of a message without its body', async () => {
    const h = await parser.parseHeaders(nestedMultipart(40, 1024 * 1024));
    expect(h.subject).toBe('Nested report');
    expect(h.from?.address).toBe('news@greenbuy.example');
    expect(await parser.parseHeaders(Buffer.from([0xff, 0x00, 0x13]))).toMatchObject({ subject: '' });
  });

  it('keeps headers named like Object.prototype members as plain headers, and skips lines without a colon', async () => {
    const raw = Buffer.from(
      'From: news@greenbuy.example\r\n__proto__: a\r\nconstructor: b\r\nconstructor: c\r\ntoString: d\r\n' +
        '__proto__\r\nhasOwnProperty\r\nSubject: Hi\r\n\r\nbody\r\n',
    );
    for (const h of [(await parser.parse(raw)).headers, (await parser.parseHeaders(raw)).headers]) {
      expect(Object.getPrototypeOf(h)).toBe(Object.prototype);
      expect(Object.hasOwn(h, '__proto__')).toBe(true);
      expect(Object.getOwnPropertyDescriptor(h, '__proto__')?.value).toEqual(['a']);
      expect(h.constructor).toEqual(['b', 'c']);
      expect(h.tostring).toEqual(['d']);
      expect(Object.hasOwn(h, 'hasownproperty')).toBe(false);
      expect(h.subject).toEqual(['Hi']);
    }
  });

  it("gives the sender of a mail from an internationalised domain in the registry's ASCII form", async () => {
    const raw = Buffer.from(
      'From: =?utf-8?B?57u/6Imy?= <Press@绿色采购.中国>\r\nSubject: Hi\r\n\r\nbody\r\n',
      'utf8',
    );
    expect((await parser.parse(raw)).from).toEqual({
      address: 'press@xn--ip0aq4eq5mvwe.xn--fiqs8s',
      name: '绿色',
    });
    expect((await parser.parseHeaders(raw)).from?.address).toBe('press@xn--ip0aq4eq5mvwe.xn--fiqs8s');
  });

  it('reports bodies it cut', async () => {
    const small = createMimeParser({ maxTextChars: 10 });
    const m = await small.parse(fixture('member-news.eml'));
    expect(m.text?.length).toBe(10);
    expect(m.problems).toEqual(['plain text body cut at 10 characters']);
  });
});
