import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';
import { csvPieces, parseSubscriberCsv, readSubscriberCsv } from '../../../src/use-cases/subscribers/csv.ts';

/** A sheet with everything that moves a line number: BOM, CRLF, blank lines, quoted line breaks and quotes. */
const SHEET =
  '\uFEFFE-mail,Full Name,TZ,Lists,Opt-in\r\n' +
  'a@example.org,A,UTC,newsletter,yes\r\n' +
  '\r\n' +
  '"b@example.org","B\r\nsecond ""line""",UTC,reminders,yes\r\n' +
  'c@example.org,"C, with comma",UTC,newsletter,no\r\n' +
  '\n\n' +
  'd@example.org,"D\n\nthree lines",UTC,newsletter,yes\n' +
  'e@example.org,E,UTC,newsletter,yes';

describe('the streaming subscriber CSV reader', () => {
  it('gives the same rows and line numbers whatever the piece size (BOM, CRLF, blank lines, quoted line breaks across pieces)', () => {
    const whole = parseSubscriberCsv(SHEET);
    expect(whole.map((r) => r.line)).toEqual([2, 4, 6, 9, 12]);
    expect(whole[1]?.values.name).toBe('B\nsecond "line"');
    expect(whole[0]?.values.email).toBe('a@example.org');
    for (let size = 1; size <= SHEET.length; size++) {
      expect([...readSubscriberCsv(SHEET, { pieceChars: size })], `pieces of ${size}`).toEqual(whole);
    }
  });

  it('cuts pieces only at a line feed outside quotes, never between CR and LF', () => {
    for (let size = 1; size < 40; size++) {
      const pieces = [...csvPieces(SHEET, size)];
      expect(pieces.map((p) => p.text).join('')).toBe(SHEET.replace(/\r\n?/g, '\n'));
      for (const p of pieces) {
        expect((p.text.match(/"/g)?.length ?? 0) % 2, `a piece of ${size} splits a quoted field`).toBe(0);
        expect(p.text.includes('\r')).toBe(false);
      }
      // Each piece knows the file line it starts on.
      let line = 1;
      for (const p of pieces) {
        expect(p.line).toBe(line);
        line += p.text.match(/\n/g)?.length ?? 0;
      }
    }
  });

  it('refuses a broken file before giving out any row, naming the line in the file (not in the piece)', () => {
    const lines = ['email,name'];
    for (let i = 2; i < 40; i++) lines.push(`r${i}@example.org,R ${i}`);
    lines.push('"r40@example.org,unclosed');
    for (let i = 41; i < 60; i++) lines.push(`r${i}@example.org,R ${i}`);
    const text = `${lines.join('\r\n')}\r\n`;
    const whole = (() => {
      try {
        parseSubscriberCsv(text, {});
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(whole).toBeInstanceOf(ValidationError);
    // csv-parse names the line where the file ended inside the quote; read in pieces, the same line.
    expect(whole?.message).toMatch(/^CSV cannot be read at line 59: Quote Not Closed/);
    for (const size of [1, 7, 64, 200]) {
      expect(() => readSubscriberCsv(text, { pieceChars: size }), `pieces of ${size}`).toThrow(
        whole?.message ?? '',
      );
    }
    // A stray quote inside an unquoted field, late in the file, in a small piece.
    const stray = `email,name\n${Array.from({ length: 30 }, (_, i) => `s${i}@example.org,S`).join('\n')}\nx@example.org,a"b\n`;
    expect(() => readSubscriberCsv(stray, { pieceChars: 16 })).toThrow(/at line 32\b/);
  });

  it('keeps the header checks: no email column, an empty file, a blank first line', () => {
    expect(() => readSubscriberCsv('name\nx\n', { pieceChars: 2 })).toThrow(/"email" column/);
    expect(() => readSubscriberCsv('  \n\n', { pieceChars: 1 })).toThrow(/empty/);
    expect(() => readSubscriberCsv('\nemail\na@example.org\n', { pieceChars: 1 })).toThrow(/"email" column/);
  });

  it('parses only the piece it is reading: rows come out before the later pieces are read', () => {
    const n = 20_000;
    const text = `email,consent\n${Array.from({ length: n }, (_, i) => `p${i}@example.org,yes`).join('\n')}\n`;
    const rows = readSubscriberCsv(text, { pieceChars: 1024 })[Symbol.iterator]();
    const firstRow = rows.next();
    expect(firstRow.value).toEqual({ line: 2, values: { email: 'p0@example.org', consent: 'yes' } });
    let count = 1;
    let last = 0;
    for (let r = rows.next(); !r.done; r = rows.next()) {
      count++;
      last = r.value.line;
    }
    expect([count, last]).toEqual([n, n + 1]);
  });
});
