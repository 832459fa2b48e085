/**
 * Legacy charsets through the MIME parser. Member mail from China, Taiwan, Japan, Korea and Eastern Europe
 * still arrives in GB2312/GBK, Big5, ISO-2022-JP, Shift_JIS, EUC-KR, KOI8-R and windows-125x; postal-mime
 * decodes them with TextDecoder, i.e. Node's ICU. The byte sequences below were produced by independent
 * encoders (iconv-lite; ISO-2022-JP from EUC-JP by hand) and are hard-coded so the tests need neither.
 */
import { describe, expect, it } from 'vitest';
import { createMimeParser } from '../../../src/adapters/mime/mail-parser.ts';

const parser = createMimeParser();
const hex = (h: string) => Buffer.from(h, 'hex');
/** RFC 2047 B-encoded word. */
const bWord = (charset: string, bytes: string) => `=?${charset}?B?${hex(bytes).toString('base64')}?=`;
/** RFC 2047 Q-encoded word (every byte escaped, spaces as "_"). */
const qWord = (charset: string, bytes: string) =>
  `=?${charset}?Q?${[...hex(bytes)].map((b) => (b === 0x20 ? '_' : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}?=`;
/** Quoted-printable body: bytes above 0x7e (and "=") escaped, the rest as is. */
const qp = (bytes: string) =>
  [...hex(bytes)]
    .map((b) =>
      b > 0x7e || b === 0x3d ? `=${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b),
    )
    .join('');

function message(headers: string[], body: Buffer | string): Buffer {
  const head = [
    'From: "Member" <member@example.org>',
    'To: updates@gazette.local',
    'Date: Tue, 03 Mar 2026 10:15:00 +0100',
    'Message-ID: <charset-test@example.org>',
    'MIME-Version: 1.0',
    ...headers,
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), Buffer.from(body), Buffer.from('\r\n')]);
}

interface Case {
  charset: string;
  subject: { word: string; text: string };
  body: { bytes: string; text: string };
  encoding: '8bit' | '7bit' | 'base64' | 'quoted-printable';
}

const cases: Record<string, Case> = {
  'GB2312 (8bit body, B-encoded subject)': {
    charset: 'GB2312',
    subject: { word: bWord('GB2312', 'c2ccc9abb2c9b9bac4eab6c8b1a8b8e6'), text: '绿色采购年度报告' },
    body: {
      bytes: 'b8f7cebbbbe1d4b1a3babbb6d3adb2cebcd3c2ccc9abb2c9b9bac2dbccb3a1a3',
      text: '各位会员：欢迎参加绿色采购论坛。',
    },
    encoding: '8bit',
  },
  'GBK (characters outside GB2312, base64 body)': {
    charset: 'GBK',
    subject: { word: bWord('GBK', 'ccbcd6d0bacd'), text: '碳中和' },
    body: { bytes: 'ccbcd6d0bacda3ba88d2a1a2e946a1a286b4', text: '碳中和：堃、镕、喆' },
    encoding: 'base64',
  },
  'Big5 (8bit body, B-encoded subject)': {
    charset: 'Big5',
    subject: { word: bWord('Big5', 'baf1a6e2b1c4c1cabaf4b5b8a67eb77c'), text: '綠色採購網絡年會' },
    body: { bytes: 'bdd0a9f3a454a4eba9b3ab65b3f8a657a143', text: '請於三月底前報名。' },
    encoding: '8bit',
  },
  'ISO-2022-JP (7bit escapes in body and subject)': {
    charset: 'ISO-2022-JP',
    subject: {
      word: bWord('ISO-2022-JP', '1b24422530256a213c25733958467e254d25432548256f213c252f1b2842'),
      text: 'グリーン購入ネットワーク',
    },
    body: {
      bytes: '1b2442467c3b7e21272332233023322336472f2337376e2338467c2121456c357e1b2842',
      text: '日時：２０２６年７月８日　東京',
    },
    encoding: '7bit',
  },
  'Shift_JIS (base64 body, B-encoded subject)': {
    charset: 'Shift_JIS',
    subject: { word: bWord('Shift_JIS', '8ac28bab83898378838b82cc8ee888f882ab'), text: '環境ラベルの手引き' },
    body: {
      bytes: '83478352837d815b834e944692e88aee8f8082f089fc92e882b582dc82b582bd8142',
      text: 'エコマーク認定基準を改定しました。',
    },
    encoding: 'base64',
  },
  'EUC-KR (quoted-printable body, Q-encoded subject)': {
    charset: 'EUC-KR',
    subject: {
      word: qWord('EUC-KR', 'b3ecbbf6b1b8b8c520b3d7c6aebff6c5a920bcd2bdc4'),
      text: '녹색구매 네트워크 소식',
    },
    body: { bytes: 'bab8b0edbcadb8a620b3bbb7c1b9dec0b8bcbcbfe42e', text: '보고서를 내려받으세요.' },
    encoding: 'quoted-printable',
  },
  'KOI8-R (8bit body, Q-encoded subject)': {
    charset: 'KOI8-R',
    subject: { word: qWord('KOI8-R', 'fac5cca3ced9c520dac1cbd5d0cbc9'), text: 'Зелёные закупки' },
    body: {
      bytes: 'e5d6c5c7cfc4ced9ca20cfd4dea3d420cfd0d5c2ccc9cbcfd7c1ce2e',
      text: 'Ежегодный отчёт опубликован.',
    },
    encoding: '8bit',
  },
  'windows-1252 (quoted-printable smart quotes, dash and euro)': {
    charset: 'windows-1252',
    subject: { word: qWord('windows-1252', '936661697220747261646594'), text: '“fair trade”' },
    body: { bytes: '436166e920936661697220747261646594209620352080', text: 'Café “fair trade” – 5 €' },
    encoding: 'quoted-printable',
  },
};

function encodeBody(c: Case): Buffer | string {
  switch (c.encoding) {
    case 'base64':
      return hex(c.body.bytes).toString('base64');
    case 'quoted-printable':
      return qp(c.body.bytes);
    default:
      return hex(c.body.bytes);
  }
}

describe('MIME parser: legacy charsets', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`decodes ${name}`, async () => {
      const m = await parser.parse(
        message(
          [
            `Subject: ${c.subject.word}`,
            `Content-Type: text/plain; charset="${c.charset}"`,
            `Content-Transfer-Encoding: ${c.encoding}`,
          ],
          encodeBody(c),
        ),
      );
      expect(m.subject).toBe(c.subject.text);
      expect(m.text?.trim()).toBe(c.body.text);
    });
  }

  it('decodes each part of a multipart message in its own charset, and names in encoded words', async () => {
    const raw = message(
      [
        `Subject: ${bWord('GB2312', 'c2ccc9ab')} / ${bWord('Big5', 'baf1a6e2b1c4c1ca')}`,
        'Content-Type: multipart/alternative; boundary="zz"',
      ],
      Buffer.concat([
        Buffer.from(
          '--zz\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
        ),
        hex('ccbcd6d0bacd'),
        Buffer.from(
          '\r\n--zz\r\nContent-Type: text/html; charset=big5\r\nContent-Transfer-Encoding: 8bit\r\n\r\n<p>',
        ),
        hex('baf1a6e2b1c4c1ca'),
        Buffer.from('</p>\r\n--zz--'),
      ]),
    );
    const m = await parser.parse(
      Buffer.concat([
        Buffer.from(`Reply-To: ${qWord('KOI8-R', 'cfd4dea3d4')} <Report@Example.ORG>\r\n`),
        raw,
      ]),
    );
    expect(m.subject).toBe('绿色 / 綠色採購');
    expect(m.text?.trim()).toBe('碳中和');
    expect(m.html?.trim()).toBe('<p>綠色採購</p>');
    expect(m.replyTo).toEqual({ address: 'report@example.org', name: 'отчёт' });
  });

  it('reads an unknown charset label as windows-1252 instead of failing', async () => {
    const m = await parser.parse(
      message(
        [
          `Subject: ${qWord('x-no-such-charset', '436166e9')} news`,
          'Content-Type: text/plain; charset="x-no-such-charset"',
          'Content-Transfer-Encoding: 8bit',
        ],
        hex('436166e9206175206c616974'),
      ),
    );
    expect(m.subject).toBe('Café news');
    expect(m.text?.trim()).toBe('Café au lait');
  });

  it('reads an unknown charset in a multipart message without losing the other parts', async () => {
    const m = await parser.parse(
      message(
        ['Subject: mixed', 'Content-Type: multipart/mixed; boundary="b"'],
        Buffer.concat([
          Buffer.from('--b\r\nContent-Type: text/plain; charset=unknown-8bit\r\n\r\nna\xefve\r\n', 'latin1'),
          Buffer.from('--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nnaïve\r\n--b--'),
        ]),
      ),
    );
    expect(m.text).toContain('naïve\n');
    expect(m.text?.match(/naïve/g)).toHaveLength(2);
  });
});

describe('the running Node decodes the charsets member mail uses', () => {
  // A Node built with small ICU (or none) throws RangeError for these labels, or would garble the mail:
  // this fails loudly in CI instead. Official Node builds and the Lambda Node.js 22 runtime have full ICU.
  const samples: [label: string, bytes: string, text: string][] = [
    ['gb2312', 'c2ccc9ab', '绿色'],
    ['gbk', 'ccbcd6d0bacd', '碳中和'],
    ['gb18030', 'c2ccc9ab9439fc36', '绿色😀'],
    ['big5', 'baf1a6e2b1c4c1ca', '綠色採購'],
    ['shift_jis', '8ac28bab', '環境'],
    ['euc-jp', 'a5b0a5eaa1bca5f3b9d8c6fe', 'グリーン購入'],
    ['iso-2022-jp', '1b2442467c3b7e1b2842', '日時'],
    ['euc-kr', 'b3ecbbf6', '녹색'],
    ['koi8-r', 'cfd4dea3d4', 'отчёт'],
    ['windows-1251', 'c7e5ebb8edfbe5', 'Зелёные'],
    ['windows-1250', '5a656c656ee9206ee16b757079', 'Zelené nákupy'],
    ['iso-8859-2', 'a3f364bc', 'Łódź'],
    ['iso-8859-15', '3520a4', '5 €'],
  ];
  for (const [label, bytes, text] of samples)
    it(`TextDecoder('${label}')`, () => {
      expect(new TextDecoder(label).decode(hex(bytes))).toBe(text);
    });
});
