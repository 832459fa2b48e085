import { describe, expect, it } from 'vitest';
import { SesMailer } from '../../../src/adapters/ses/ses-mailer.ts';
import { encodedMailbox, encodedPhrase, MAX_HEADER_VALUE } from '../../../src/domain/headers.ts';
import { MailerPermanentError } from '../../../src/ports/mailer.ts';
import { makeLinks } from '../../../src/use-cases/shared/links.ts';

const links = (over: { url?: string; name?: string } = {}) =>
  makeLinks({
    config: {
      GAZETTE_PUBLIC_URL: over.url ?? 'https://news.igpn.example',
      GAZETTE_UNSUBSCRIBE_MAILTO: 'unsubscribe@news.igpn.example',
      GAZETTE_NEWSLETTER_NAME: over.name ?? 'IGPN Gazette',
    },
    secret: 'a-test-secret-of-sufficient-length-0123456789',
    now: () => new Date('2027-01-01T00:00:00Z'),
  }).recipientLinks('s_0123456789abcdef', 'member-announcements').listHeaders;

/** What SES v2 accepts as a header value (MessageHeader.Value: pattern [ -~]*, length 1–870). */
const sesAccepts = (v: string) => /^[ -~]{1,870}$/.test(v);
/** RFC 2047: whitespace between two encoded words is not part of the text. */
const decodeWords = (s: string) =>
  s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/g, (_, b64: string) =>
      Buffer.from(b64, 'base64').toString('utf8'),
    );

describe('list headers as SES accepts them', () => {
  it('carries one-click and mailto unsubscribe, both within SES limits, for a typical set-up', () => {
    const h = links();
    expect(h['List-Unsubscribe']).toMatch(
      /^<https:\/\/news\.igpn\.example\/v1\/unsubscribe\?token=[^>]+>, <mailto:/,
    );
    for (const v of Object.values(h)) expect(sesAccepts(v)).toBe(true);
  });

  it('names a Chinese newsletter in List-Id with RFC 2047 encoded words, each at most 75 characters', () => {
    const name = '国际绿色采购网络通讯 — 季刊 · International Green Purchasing Network Quarterly 🌱';
    const id = links({ name })['List-Id'] ?? '';
    expect(sesAccepts(id)).toBe(true);
    const [phrase, listId] = [id.slice(0, id.lastIndexOf(' ')), id.slice(id.lastIndexOf(' ') + 1)];
    expect(listId).toBe('<international-green-purchasing-network-quarterly.news.igpn.example>');
    expect(decodeWords(phrase)).toBe(name);
    for (const w of phrase.split(' ')) expect(w.length).toBeLessThanOrEqual(75);
    expect(encodedPhrase('IGPN Gazette')).toBe('IGPN Gazette');
  });

  it('drops the mailto, never the one-click link, when a long public URL would pass the SES limit', () => {
    const url = `https://news.igpn.example/${'gazette/'.repeat(60)}`;
    const h = links({ url });
    expect(h['List-Unsubscribe']).toMatch(
      /^<https:\/\/news\.igpn\.example\/.+\/v1\/unsubscribe\?token=[^>]+>$/,
    );
    expect(h['List-Unsubscribe']?.length).toBeLessThanOrEqual(MAX_HEADER_VALUE);
    expect(h['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  it('encodes a non-ASCII sender name for SES, and leaves an ASCII one or a bare address alone', async () => {
    let input: { FromEmailAddress?: string } | undefined;
    const client = {
      send: async (cmd: { input: typeof input }) => {
        input = cmd.input;
        return { MessageId: 'm1' };
      },
    };
    const mailer = new SesMailer(client as never);
    await mailer.send({
      from: '国际绿色采购网络 <news@igpn.example>',
      to: 'b@x.example',
      subject: 's',
      text: 't',
    });
    expect(input?.FromEmailAddress).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <news@igpn\.example>$/);
    expect(decodeWords(input?.FromEmailAddress ?? '')).toBe('国际绿色采购网络 <news@igpn.example>');
    expect(encodedMailbox('"IGPN Gazette" <news@igpn.example>')).toBe('"IGPN Gazette" <news@igpn.example>');
    expect(encodedMailbox('news@igpn.example')).toBe('news@igpn.example');
    expect(encodedMailbox('"绿色, 采购" <news@igpn.example>')).toMatch(
      /^=\?UTF-8\?B\?.+\?= <news@igpn\.example>$/,
    );
  });

  it('refuses, before calling SES, a header value SES would reject, naming the header', async () => {
    const mailer = new SesMailer(async () => {
      throw new Error('must not reach SES');
    });
    const send = (headers: Record<string, string>) =>
      mailer.send({ from: 'a@x.example', to: 'b@x.example', subject: 's', text: 't', headers });
    await expect(send({ 'List-Id': '绿色 <x.example>' })).rejects.toThrow(MailerPermanentError);
    await expect(send({ 'List-Id': '绿色 <x.example>' })).rejects.toThrow(
      /"List-Id" must be 1–870 printable ASCII/,
    );
    await expect(send({ 'X-Long': 'x'.repeat(871) })).rejects.toThrow(/"X-Long"/);
    await expect(send({ 'X-Ok': 'x'.repeat(870) })).rejects.toThrow(/must not reach SES/);
  });
});

describe('addresses and list ids as mail programs read them (issue 15)', () => {
  const parseFrom = async (from: string) => {
    const { default: PostalMime } = await import('postal-mime');
    const raw = `From: ${from}\r\nTo: b@x.example\r\nSubject: s\r\nMessage-ID: <1@x.example>\r\n\r\nhi\r\n`;
    return (await PostalMime.parse(raw)).from;
  };

  it('quotes a From display name with a comma, so it stays one mailbox and keeps its name', async () => {
    const from = encodedMailbox('IGPN, Secretariat <news@igpn.example>');
    expect(from).toBe('"IGPN, Secretariat" <news@igpn.example>');
    expect(await parseFrom(from)).toMatchObject({ name: 'IGPN, Secretariat', address: 'news@igpn.example' });
    expect(encodedMailbox('Dr. Li <li@igpn.example>')).toBe('"Dr. Li" <li@igpn.example>');
    expect(encodedMailbox('IGPN Gazette <news@igpn.example>')).toBe('IGPN Gazette <news@igpn.example>');
    const escaped = encodedMailbox('Secretariat "GPN", Beijing <news@igpn.example>');
    expect(await parseFrom(escaped)).toMatchObject({ name: 'Secretariat "GPN", Beijing' });
  });

  it('sends the quoted From to SES', async () => {
    let input: { FromEmailAddress?: string; ReplyToAddresses?: string[] } | undefined;
    const mailer = new SesMailer((async () => ({
      send: async (cmd: { input: typeof input }) => {
        input = cmd.input;
        return { MessageId: 'm1' };
      },
    })) as never);
    await mailer.send({
      from: 'IGPN, Secretariat <news@igpn.example>',
      replyTo: 'GPN, 事务局 <office@igpn.example>',
      to: 'b@x.example',
      subject: 's',
      text: 't',
    });
    expect(input?.FromEmailAddress).toBe('"IGPN, Secretariat" <news@igpn.example>');
    expect(input?.ReplyToAddresses?.[0]).toMatch(/^=\?UTF-8\?B\?.+\?= <office@igpn\.example>$/);
  });

  it('takes the List-Id domain from the sending address, never from an IP address in the public URL', () => {
    const h = makeLinks({
      config: {
        GAZETTE_PUBLIC_URL: 'http://127.0.0.1:8787',
        GAZETTE_UNSUBSCRIBE_MAILTO: 'unsubscribe@gazette.local',
        GAZETTE_NEWSLETTER_NAME: 'IGPN Gazette',
        GAZETTE_FROM: 'IGPN Gazette <news@igpn.example>',
      },
      secret: 'a-test-secret-of-sufficient-length-0123456789',
      now: () => new Date('2027-01-01T00:00:00Z'),
    }).recipientLinks('s_1').listHeaders;
    expect(h['List-Id']).toBe('IGPN Gazette <igpn-gazette.igpn.example>');
    expect(h['List-Id']).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
    const noFrom = makeLinks({
      config: {
        GAZETTE_PUBLIC_URL: 'http://127.0.0.1:8787',
        GAZETTE_UNSUBSCRIBE_MAILTO: 'unsubscribe@gazette.local',
        GAZETTE_NEWSLETTER_NAME: 'IGPN, Gazette',
      },
      secret: 'a-test-secret-of-sufficient-length-0123456789',
      now: () => new Date('2027-01-01T00:00:00Z'),
    }).recipientLinks('s_1').listHeaders;
    expect(noFrom['List-Id']).toBe('"IGPN, Gazette" <igpn-gazette.gazette.local>');
  });
});
