import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  decodeText,
  detectDelimiter,
  readSpreadsheet,
} from '../../../src/adapters/spreadsheet/spreadsheet.ts';
import { ValidationError } from '../../../src/domain/index.ts';
import { parseSubscriberCsv } from '../../../src/use-cases/subscribers/csv.ts';

/** A member list as the CEC secretariat keeps it (Excel/WPS on a Chinese Windows saves CSV as GBK). */
const CHINESE = [
  'email,name,language,time_zone,audiences,consent,member,role',
  'li.wei@cec.example,李伟,zh,Asia/Shanghai,newsletter reminders,是,m_cec,main contact',
  'wang.fang@cec.example,王芳（传播部）,zh,Asia/Shanghai,newsletter,是,m_cec,communications',
  'zhao@cec.example,赵磊 绿色采购项目组,zh,Asia/Shanghai,reminders,否,,',
].join('\r\n');

const JAPANESE = [
  'email,name,language,time_zone,consent',
  'tanaka@gpn.example,田中 太郎（グリーン購入ネットワーク）,ja,Asia/Tokyo,yes',
  'suzuki@gpn.example,鈴木 花子,ja,Asia/Tokyo,yes',
].join('\r\n');

const rows = async (bytes: Uint8Array, fileName?: string) => {
  const s = await readSpreadsheet(bytes, { fileName });
  return { sheet: s, rows: parseSubscriberCsv(s.text, { delimiter: s.delimiter }) };
};

describe('spreadsheets as people have them', () => {
  it('reads a GBK CSV from Excel on Chinese Windows without a single replacement character', async () => {
    const { sheet, rows: r } = await rows(iconv.encode(CHINESE, 'gbk'));
    expect(sheet.encoding).toBe('gb18030');
    expect(r.map((x) => [x.line, x.values.name])).toEqual([
      [2, '李伟'],
      [3, '王芳（传播部）'],
      [4, '赵磊 绿色采购项目组'],
    ]);
    expect(r[0]?.values).toMatchObject({ member: 'm_cec', memberRole: 'main contact', consent: '是' });
  });

  it('reads Shift_JIS, Big5 and EUC-KR files', async () => {
    const sjis = await rows(iconv.encode(JAPANESE, 'shift_jis'));
    expect(sjis.sheet.encoding).toBe('shift_jis');
    expect(sjis.rows[0]?.values.name).toBe('田中 太郎（グリーン購入ネットワーク）');
    const big5 = await rows(
      iconv.encode(
        'email,name\r\nchen@tw.example,陳志明（環境保護署綠色採購）\r\nlin@tw.example,林美玲\r\n',
        'big5',
      ),
    );
    expect(big5.sheet.encoding).toBe('big5');
    expect(big5.rows.map((x) => x.values.name)).toEqual(['陳志明（環境保護署綠色採購）', '林美玲']);
    const korean = await rows(
      iconv.encode(
        'email,name\r\nkim@keiti.example,김민수 (한국환경산업기술원)\r\nlee@keiti.example,이지은\r\n',
        'euc-kr',
      ),
    );
    expect(korean.sheet.encoding).toBe('euc-kr');
    expect(korean.rows[0]?.values.name).toBe('김민수 (한국환경산업기술원)');
  });

  it('reads UTF-8 with and without a BOM, UTF-16 (Excel "Unicode text", tab-separated) and Windows-1252', async () => {
    const bom = await rows(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CHINESE)]));
    expect(bom.sheet.encoding).toBe('utf-8');
    expect(bom.rows[0]?.values.email).toBe('li.wei@cec.example');
    expect((await rows(Buffer.from(CHINESE))).rows[1]?.values.name).toBe('王芳（传播部）');

    const unicodeText = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      iconv.encode('email\tname\tlanguage\r\nmueller@uba.example\tJürgen Müller\tde\r\n', 'utf-16le'),
    ]);
    const u16 = await rows(unicodeText);
    expect([u16.sheet.encoding, u16.sheet.delimiter]).toEqual(['utf-16le', '\t']);
    expect(u16.rows[0]?.values).toMatchObject({ email: 'mueller@uba.example', name: 'Jürgen Müller' });

    const latin = await rows(
      iconv.encode(
        'email;name;country\r\nfrancois@ademe.example;François Lefèvre;France\r\n',
        'windows-1252',
      ),
    );
    expect([latin.sheet.delimiter, latin.rows[0]?.values.name]).toEqual([';', 'François Lefèvre']);
  });

  it('reads semicolon CSV (Excel in Germany, France …) with quoted semicolons and keeps line numbers', async () => {
    const text = [
      'E-Mail;Name;Sprache;Zeitzone;Listen;Einwilligung',
      'anna.schmidt@uba.example;"Schmidt; Anna";de;Europe/Berlin;newsletter;ja',
      '',
      'jan@uba.example;Jan Weber;de;Europe/Berlin;reminders;yes',
    ].join('\n');
    expect(detectDelimiter(text)).toBe(';');
    const r = (await rows(Buffer.from(text))).rows;
    expect(r.map((x) => [x.line, x.values.email, x.values.name])).toEqual([
      [2, 'anna.schmidt@uba.example', 'Schmidt; Anna'],
      [4, 'jan@uba.example', 'Jan Weber'],
    ]);
  });

  it('reads the first sheet of an .xlsx workbook: hyperlinked addresses, dates, empty rows keep row numbers', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Contacts');
    ws.addRow(['Email', 'Name', 'Language', 'Time zone', 'Consent', 'Consented at', 'Member']);
    ws.addRow([
      { text: 'li.wei@cec.example', hyperlink: 'mailto:li.wei@cec.example' },
      '李伟',
      'zh',
      'Asia/Shanghai',
      'yes',
      new Date('2025-11-03T00:00:00Z'),
      'China Environmental United Certification Center',
    ]);
    ws.addRow([]);
    ws.addRow(['tanaka@gpn.example', '田中, 太郎', 'ja', 'Asia/Tokyo', 'yes', null, 'GPN Japan']);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const { sheet, rows: r } = await rows(bytes, 'contacts.xlsx');
    expect(sheet.format).toBe('xlsx');
    expect(r.map((x) => [x.line, x.values.email, x.values.name, x.values.consentedAt ?? ''])).toEqual([
      [2, 'li.wei@cec.example', '李伟', '2025-11-03T00:00:00.000Z'],
      [4, 'tanaka@gpn.example', '田中, 太郎', ''],
    ]);
    expect(r[0]?.values.member).toBe('China Environmental United Certification Center');
  });

  it('reads what Excel users put in cells: a formula by its result, rich text by its text', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.getCell('A1').value = 'email';
    ws.getCell('B1').value = 'name';
    ws.getCell('A2').value = { formula: 'LOWER("ANA@GPN.EXAMPLE")', result: 'ana@gpn.example' };
    ws.getCell('B2').value = { richText: [{ text: 'Ana ', font: { bold: true } }, { text: 'Souza' }] };
    const { rows: r } = await rows(new Uint8Array(await wb.xlsx.writeBuffer()), 'list.xlsx');
    expect(r.map((x) => [x.line, x.values.email, x.values.name])).toEqual([
      [2, 'ana@gpn.example', 'Ana Souza'],
    ]);
  });

  it('refuses a damaged UTF-8 file with the line and byte, never importing U+FFFD', () => {
    const good = Buffer.from('email,name\nli@cec.example,李伟\n');
    const broken = Buffer.concat([
      good,
      Buffer.from('wang@cec.example,王'),
      Buffer.from([0xe8, 0x41]),
      Buffer.from('\n'),
    ]);
    const err = (() => {
      try {
        decodeText(broken);
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect(err?.message).toMatch(/cannot be read as utf-8 at line 3, byte 54 \(0xE8\)/);
    expect(err?.details).toMatchObject({ line: 3, byte: 54 });

    const replaced = Buffer.from('email,name\nli@cec.example,李\uFFFD\n');
    expect(() => decodeText(replaced)).toThrow(/U\+FFFD replacement characters at line 2/);
  });

  it('refuses bytes that decode in no encoding, a wrong --encoding, and old .xls workbooks', async () => {
    const gbk = iconv.encode(CHINESE, 'gbk');
    expect(() => decodeText(gbk, 'utf-8')).toThrow(/cannot be read as utf-8 at line 2/);
    expect(decodeText(gbk, 'GBK').text).toContain('李伟');
    expect(() => decodeText(gbk, 'klingon')).toThrow(/unknown encoding/);
    await expect(readSpreadsheet(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]))).rejects.toThrow(/\.xls/);
  });
});
