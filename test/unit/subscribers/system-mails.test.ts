import { describe, expect, it } from 'vitest';
import { compileSystemLayout } from '../../../src/adapters/mjml/system-layout.ts';
import { ConfigSchema } from '../../../src/config/config.ts';
import { encodedMailbox } from '../../../src/domain/headers.ts';
import type { Subscriber } from '../../../src/domain/index.ts';
import { languageChain, pickLanguage } from '../../../src/use-cases/shared/language.ts';
import { SYSTEM_LAYOUT_HTML } from '../../../src/use-cases/shared/system-layout-html.ts';
import { systemMailHtml, wrapText } from '../../../src/use-cases/shared/system-mail.ts';
import { confirmationMail } from '../../../src/use-cases/subscribers/mails.ts';

const config = ConfigSchema.parse({
  GAZETTE_FROM: 'IGPN, Secretariat <news@igpn.example>',
  GAZETTE_POSTAL_ADDRESS: 'IGPN Secretariat, 1 Green Road, Beijing 100000, China',
});
const reader = (language: string): Subscriber =>
  ({
    subscriberId: 's_1',
    email: 'li@example.org',
    language,
    timeZone: 'Asia/Shanghai',
    status: 'unconfirmed',
    audiences: ['newsletter'],
  }) as unknown as Subscriber;
const url =
  'https://news.igpn.example/v1/confirm?token=eyJzdWIiOiJzXzEiLCJleHAiOjE3OTk5OTk5OTl9.abcdefghijklmnopqrstuvwxyz012345';

/** Columns as a terminal shows them: CJK characters are two wide. */
const columns = (l: string) =>
  [...l].reduce((n, ch) => n + (/[\u3000-\u9fff\uac00-\ud7a3\uff00-\uff60]/.test(ch) ? 2 : 1), 0);

describe('system mails share the newsletter layout (issue 15)', () => {
  it('the committed layout is what MJML compiles from templates/system/layout.mjml (rebuild: see the file)', async () => {
    expect(SYSTEM_LAYOUT_HTML).toBe(await compileSystemLayout());
  });

  it("the confirmation mail is the MJML layout, not the web page's CSS or the sign-up form's hidden field", () => {
    const m = confirmationMail(config, reader('en'), url);
    expect(m.html).toMatch(/^<!doctype html>/);
    expect(m.html).toContain(`<title>${m.subject}</title>`);
    expect(m.html).toContain('<html lang="en" dir="ltr"');
    expect(m.html).toContain('xmlns:v="urn:schemas-microsoft-com:vml"'); // Outlook's conditional tables
    expect(m.html).toContain('<!--[if mso | IE]>');
    expect(m.html).not.toMatch(/<main|\d+(\.\d+)?rem\b|class="note"|honeypot|Leave this field empty/);
    expect(m.html).toContain('IGPN Secretariat, 1 Green Road, Beijing 100000, China');
    expect(m.html).toContain(`href="${url}"`);
    expect(m.html).not.toMatch(/\{\{[a-z_]+\}\}|gz:action|gz:notes/);
    expect(m.text).toContain(url);
    expect(m.text).toContain('IGPN Secretariat, 1 Green Road');
  });

  it('is written in the reader’s language, with zh-Hant → zh → en and Japanese and Korean', () => {
    expect(languageChain('zh-hant-tw')).toEqual(['zh-Hant-TW', 'zh-Hant', 'zh', 'en']);
    expect(pickLanguage('zh-Hant', ['en', 'zh', 'ja', 'ko'])).toBe('zh');
    expect(pickLanguage('pt-BR', ['en', 'zh'])).toBe('en');
    expect(confirmationMail(config, reader('zh-Hant'), url).subject).toBe('请确认订阅 IGPN Gazette');
    const ja = confirmationMail(config, reader('ja-JP'), url);
    expect(ja.subject).toBe('IGPN Gazette の購読を確認してください');
    expect(ja.html).toContain('<html lang="ja"');
    expect(confirmationMail(config, reader('ko'), url).subject).toBe('IGPN Gazette 구독을 확인해 주세요');
    expect(confirmationMail(config, reader('fr'), url).subject).toBe(
      'Please confirm your subscription to IGPN Gazette',
    );
  });

  it('wraps the plain-text part at 78 columns, except a URL, which stays whole', () => {
    for (const lang of ['en', 'zh', 'ja', 'ko']) {
      const { text } = confirmationMail(config, reader(lang), url);
      for (const line of text.split('\n'))
        if (!line.includes('https://')) expect(columns(line)).toBeLessThanOrEqual(78);
      expect(text.split('\n')).toContain(url);
    }
    const long = `Read the report: ${'word '.repeat(30)}${url} and more words after the link to wrap`;
    const wrapped = wrapText(long).split('\n');
    expect(wrapped.some((l) => l.trim() === url || l.includes(url))).toBe(true);
    for (const l of wrapped) if (!l.includes(url)) expect(l.length).toBeLessThanOrEqual(78);
    expect(wrapped.join(' ').replace(/\s+/g, ' ')).toBe(long.replace(/\s+/g, ' '));
  });

  it('fills each slot once: text that looks like a slot stays text, and HTML is escaped', () => {
    const html = systemMailHtml({
      lang: 'en',
      title: 'A <b> {{footer}}',
      newsletterName: 'IGPN',
      bodyHtml: '<p>{{postal_address}}</p>',
      footerHtml: 'f',
      postalAddress: 'P',
    });
    expect(html).toContain('<title>A &lt;b&gt; {{footer}}</title>');
    expect(html).toContain('<p>{{postal_address}}</p>');
    expect(html).not.toContain('gz:action');
  });

  it('parses as a strict RFC 5322 message once composed (nodemailer) and read back (postal-mime)', async () => {
    const m = confirmationMail(config, reader('zh'), url);
    const { default: MailComposer } = await import('nodemailer/lib/mail-composer/index.js');
    const raw: Buffer = await new MailComposer({
      from: encodedMailbox(m.from), // as the SES mailer sends it
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html,
    })
      .compile()
      .build();
    for (const line of raw.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    const { default: PostalMime } = await import('postal-mime');
    const parsed = await PostalMime.parse(raw);
    expect(parsed.from).toMatchObject({ name: 'IGPN, Secretariat', address: 'news@igpn.example' });
    expect(parsed.subject).toBe(m.subject);
    expect(parsed.text?.trim()).toBe(m.text.trim());
    expect(parsed.html).toContain('<html lang="zh"');
  });
});
