/**
 * Issue 15, text fidelity: a link in a member's HTML mail keeps the space before it ("Read the press
 * release https://…", never "releasehttps://…") in the update's summary and body, and in the plain-text
 * part of the edition compiled from it.
 */
import { describe, expect, it } from 'vitest';
import { createHtmlTools } from '../../../src/adapters/mime/html.ts';
import { createMjmlRenderer } from '../../../src/adapters/mjml/mjml-renderer.ts';
import { TEMPLATE } from '../../../src/use-cases/editions/compile.ts';
import { buildView, planSections } from '../../../src/use-cases/editions/view-model.ts';
import { world } from './fakes.ts';

/** HTML only, as CRM and web-mail tools send it: quoted-printable, soft line breaks inside words and URLs. */
const htmlMail = (html: string) =>
  Buffer.from(
    [
      'From: Anna Schmidt <news@greenbuy.example>',
      'To: updates@gazette.local',
      'Subject: Press release: our new procurement guide',
      'Date: Tue, 03 Mar 2026 10:15:00 +0100',
      'Message-ID: <CAF=press-1@greenbuy.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="_000_GB_"',
      '',
      '--_000_GB_',
      'Content-Type: text/html; charset="utf-8"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      html,
      '',
      '--_000_GB_--',
      '',
    ].join('\r\n'),
  );

const OUTLOOK = [
  '<html xmlns:o=3D"urn:schemas-microsoft-com:office:office"><head><meta http-equiv=3D"Content-Type" co=',
  'ntent=3D"text/html; charset=3Dutf-8"></head><body lang=3D"DE" link=3D"#0563C1">',
  '<div class=3D"WordSection1"><p class=3D"MsoNormal">Our new guide on green procurement of textiles is o=',
  'ut. Read the press release <a href=3D"https://greenbuy.example/press/textiles">https://greenbuy.exa=',
  'mple/press/textiles</a><o:p></o:p></p>',
  '<p class=3D"MsoNormal"><a href=3D"https://greenbuy.example/guide.pdf">https://greenbuy.example/guide=',
  '.pdf</a> is the guide itself.<o:p></o:p></p>',
  '<p class=3D"MsoNormal">Mit freundlichen Gr=C3=BC=C3=9Fen<br>Anna Schmidt<o:p></o:p></p></div></body></html>',
].join('\r\n');

describe('links in member HTML keep the space before them', () => {
  it('in the summary and body of the update, and a link opening a paragraph is written once', async () => {
    const w = world();
    const r = await w.send(htmlMail(OUTLOOK));
    const u = await w.updates.get(r.updateId as string);
    expect(u?.summary).toContain('Read the press release https://greenbuy.example/press/textiles');
    expect(u?.bodyText).toContain('Read the press release https://greenbuy.example/press/textiles');
    expect(`${u?.summary} ${u?.bodyText}`).not.toMatch(/release(?:https|<)/);
    expect(u?.bodyText).toContain('https://greenbuy.example/guide.pdf is the guide itself.');
    expect(u?.bodyText.match(/guide\.pdf/g)).toHaveLength(1);
    // The sign-off stays out of the summary.
    expect(u?.summary).not.toMatch(/Grüßen|Anna/);
  });

  it('a paragraph that starts with its URL as label reads as the URL once (the HTML → text adapter)', () => {
    const h = createHtmlTools();
    expect(
      h.toText('<p>Read the press release</p><p><a href="https://x.example/p">https://x.example/p</a></p>'),
    ).toBe('Read the press release\n\nhttps://x.example/p');
    expect(h.toText('<p>One</p><p><a href="https://x.example/p">the report</a></p>')).toBe(
      'One\n\nthe report <https://x.example/p>',
    );
  });

  it('in the plain-text part of the edition', async () => {
    const w = world();
    const r = await w.send(htmlMail(OUTLOOK));
    const u = await w.updates.get(r.updateId as string);
    if (!u) throw new Error('no update');
    const now = new Date('2026-04-01T01:00:00.000Z');
    const view = buildView(planSections([{ ...u, status: 'approved' }], now), {
      lang: 'en',
      archive: false,
      number: 8,
      compiledAt: now,
      timeZone: 'Asia/Shanghai',
      newsletterName: 'IGPN Gazette',
      archiveUrl: 'https://news.example.org/archive',
      postalAddress: 'IGPN Secretariat, Beijing',
      defaultLanguage: 'en',
    });
    const out = await (await createMjmlRenderer()).render(
      TEMPLATE,
      view as unknown as Record<string, unknown>,
    );
    // Wrapped at 78 columns, so the space may have become a line break, but never nothing.
    expect(out.text).toMatch(/Read the press release\s+https:\/\/greenbuy\.example\/press\/textiles/);
    expect(out.text).not.toMatch(/releasehttps/);
    expect(out.html).not.toMatch(/releasehttps/);
  }, 30_000);
});
