/**
 * Spreadsheets as people have them (docs/subscribers.md "Import"): CSV in whatever encoding Excel or WPS saved
 * it in, with commas, semicolons or tabs, and .xlsx workbooks. The output is UTF-8 CSV text for
 * parseSubscriberCsv, so every format goes through the same row checks and reports the same line numbers.
 *
 * Decoding is strict: a file that does not decode in the encoding it is in is refused with the line and byte
 * of the first bad sequence, never imported with U+FFFD in names.
 */
import { ValidationError } from '../../domain/index.ts';

/** Encodings an import accepts, as WHATWG labels (TextDecoder), with the names chardet reports. */
const SUPPORTED: Record<string, string> = {
  'utf-8': 'utf-8',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  gb18030: 'gb18030',
  gbk: 'gb18030',
  gb2312: 'gb18030',
  big5: 'big5',
  shift_jis: 'shift_jis',
  'euc-jp': 'euc-jp',
  'euc-kr': 'euc-kr',
  'windows-1252': 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso-8859-15': 'iso-8859-15',
  'windows-1250': 'windows-1250',
};

export interface DecodedText {
  text: string;
  /** The encoding the bytes were read as (WHATWG label). */
  encoding: string;
}

/** Where a byte offset is: 1-based line (counting LF in the encoding's own unit) and the byte itself. */
function position(bytes: Uint8Array, offset: number, encoding: string) {
  let line = 1;
  const wide = encoding.startsWith('utf-16');
  const le = encoding === 'utf-16le';
  for (let i = 0; i < offset; i++) {
    if (!wide && bytes[i] === 0x0a) line++;
    else if (wide && i % 2 === 0 && bytes[i + (le ? 0 : 1)] === 0x0a && bytes[i + (le ? 1 : 0)] === 0) line++;
  }
  return { line, byte: offset + 1, hex: (bytes[offset] ?? 0).toString(16).padStart(2, '0').toUpperCase() };
}

/** Offset of the first byte that cannot be decoded (binary search on prefixes: streaming never fails early). */
function firstBadByte(bytes: Uint8Array, encoding: string): number {
  const fails = (n: number) => {
    try {
      new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  let lo = 0;
  let hi = bytes.length;
  if (!fails(hi)) return hi; // only an incomplete sequence at the very end
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fails(mid)) hi = mid;
    else lo = mid;
  }
  // bytes[lo] made it fail; the bad sequence starts at the last character boundary before it.
  for (let p = lo; p >= Math.max(0, lo - 3); p--) {
    try {
      new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, p));
      return p;
    } catch {}
  }
  return lo;
}

/** Whether Node's ICU TextDecoder knows the label (it reads every encoding an import accepts). */
function decodable(encoding: string): boolean {
  try {
    new TextDecoder(encoding);
    return true;
  } catch {
    return false;
  }
}

function strict(bytes: Uint8Array, encoding: string): string {
  return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
}

function refuse(bytes: Uint8Array, encoding: string, why: string): never {
  const at = position(bytes, firstBadByte(bytes, encoding), encoding);
  throw new ValidationError(
    `the file cannot be read as ${encoding} at line ${at.line}, byte ${at.byte} (0x${at.hex})${why}: save it again as UTF-8 (Excel: "CSV UTF-8"), or name the encoding with --encoding`,
    { line: at.line, byte: at.byte, encoding },
  );
}

/** Valid UTF-8 with at least one multi-byte sequence before the first invalid one: a damaged UTF-8 file. */
function looksLikeBrokenUtf8(bytes: Uint8Array): boolean {
  const bad = firstBadByte(bytes, 'utf-8');
  for (let i = 0; i < bad; i++) if ((bytes[i] ?? 0) >= 0xc2) return true;
  return false;
}

/** A charset detector's ranking (chardet's `analyse`): names and confidences, best first. */
export type CharsetGuesses = (bytes: Uint8Array) => { name: string; confidence: number }[];

/** chardet, loaded on demand (see infra/bundling.ts: only the api carries the import readers). */
export async function loadCharsetGuesses(): Promise<CharsetGuesses> {
  const { default: chardet } = await import('chardet');
  return (bytes) => chardet.analyse(bytes);
}

/**
 * Bytes → text. A BOM decides (UTF-8, UTF-16 LE/BE); else valid UTF-8 is UTF-8; else the encodings the
 * detector (`guesses`, chardet's ranking) ranks first are tried strictly, in its order, then the member
 * countries' encodings. `forced` (an --encoding option) skips the guessing.
 */
export function decodeText(bytes: Uint8Array, forced?: string, guesses?: CharsetGuesses): DecodedText {
  const checked = (text: string, encoding: string): DecodedText => {
    const bad = text.indexOf('\uFFFD');
    if (bad >= 0) {
      const line = text.slice(0, bad).split('\n').length;
      throw new ValidationError(
        `the file contains U+FFFD replacement characters at line ${line}: it was damaged by an earlier conversion; export it again from the original`,
        { line, encoding },
      );
    }
    return { text, encoding };
  };
  if (forced) {
    const enc = SUPPORTED[forced.toLowerCase()] ?? forced.toLowerCase();
    if (!decodable(enc)) throw new ValidationError(`unknown encoding ${JSON.stringify(forced)}`);
    try {
      return checked(strict(bytes, enc), enc);
    } catch (e) {
      if (e instanceof ValidationError) throw e;
      refuse(bytes, enc, '');
    }
  }
  const [b0, b1, b2] = bytes;
  const bom =
    b0 === 0xef && b1 === 0xbb && b2 === 0xbf
      ? 'utf-8'
      : b0 === 0xff && b1 === 0xfe
        ? 'utf-16le'
        : b0 === 0xfe && b1 === 0xff
          ? 'utf-16be'
          : undefined;
  if (bom) {
    try {
      // TextDecoder drops the BOM itself.
      return checked(strict(bytes, bom), bom);
    } catch (e) {
      if (e instanceof ValidationError) throw e;
      refuse(bytes, bom, ' (it starts with a byte order mark)');
    }
  }
  try {
    return checked(strict(bytes, 'utf-8'), 'utf-8');
  } catch (e) {
    if (e instanceof ValidationError) throw e;
  }
  if (looksLikeBrokenUtf8(bytes)) refuse(bytes, 'utf-8', ' (the file is UTF-8 elsewhere)');
  const ranked = (guesses?.(bytes) ?? []).flatMap((g) => {
    const enc = SUPPORTED[g.name.toLowerCase()];
    return enc ? [{ enc, confidence: g.confidence }] : [];
  });
  const candidates = [...new Set([...ranked.map((g) => g.enc), ...FALLBACKS])];
  const decoded = candidates.flatMap((enc) => {
    try {
      return [{ enc, text: strict(bytes, enc) }];
    } catch {
      return [];
    }
  });
  // chardet is reliable on a sheet of some length; on a few short rows it often guesses a Latin encoding for
  // CJK text, so a weak guess is checked against how plausible each decoding's bytes are.
  const top = ranked[0];
  const sure = top && top.confidence >= 50 ? decoded.find((d) => d.enc === top.enc) : undefined;
  const best =
    sure ??
    decoded
      .map((d, i) => ({ ...d, score: plausibility(bytes, d.enc) - i / 1000 }))
      .sort((a, b) => b.score - a.score)[0];
  if (best) return checked(best.text, best.enc);
  refuse(bytes, ranked[0]?.enc ?? 'utf-8', '');
}

/** Tried after chardet's guesses: the encodings of the member countries' spreadsheets. */
const FALLBACKS = ['gb18030', 'big5', 'shift_jis', 'euc-kr', 'windows-1252'];

/**
 * 0…1: how much the non-ASCII bytes look like common text in `enc`. Double-byte encodings: the share of
 * characters in their most common block (GB2312 level 1, Big5 level 1, KS X 1001 Hangul, Shift_JIS kana and
 * level-1 kanji) — a wrong decoding of the same bytes lands all over its table. Windows-1252: the share of
 * high bytes that are letters next to an ASCII letter (é in "Lefèvre"), which CJK byte pairs rarely are.
 */
function plausibility(b: Uint8Array, enc: string): number {
  let common = 0;
  let total = 0;
  const letter = (x: number | undefined) => x !== undefined && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7a;
  for (let i = 0; i < b.length; i++) {
    const x = b[i] as number;
    if (x < 0x80) continue;
    total++;
    if (enc === 'windows-1252') {
      if (x >= 0xc0 && x !== 0xd7 && x !== 0xf7 && (letter(b[i - 1]) || letter(b[i + 1]))) common++;
      continue;
    }
    if (enc === 'shift_jis' && x >= 0xa1 && x <= 0xdf) continue; // half-width kana: rare in real lists
    const y = b[i + 1] ?? 0;
    i++;
    if (enc === 'gb18030' && x >= 0xa1 && x <= 0xd7 && y >= 0xa1) common++;
    else if (enc === 'big5' && x >= 0xa1 && x <= 0xc6) common++;
    else if (enc === 'euc-kr' && x >= 0xa1 && x <= 0xc8 && y >= 0xa1) common++;
    else if (enc === 'shift_jis' && ((x >= 0x81 && x <= 0x83) || (x >= 0x88 && x <= 0x9f))) common++;
  }
  return total ? common / total : 0;
}

/** The separator of a CSV: the one of , ; tab found most often outside quotes in the header line. */
export function detectDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t';
  return ',';
}

const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** One cell as text: dates as ISO (a hyperlinked address and a formula arrive as their text and result). */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

const csvField = (s: string) => {
  const flat = s.replace(/\r\n?|\n/g, ' ');
  return /[",]/.test(flat) ? `"${flat.replace(/"/g, '""')}"` : flat;
};

/** The first worksheet as CSV, one line per sheet row (empty rows kept, so line numbers are row numbers). */
export async function xlsxToCsv(bytes: Uint8Array): Promise<string> {
  // Loaded on first use, and bundled only into the function serving imports (infra/bundling.ts).
  const { readSheet } = await import('read-excel-file/node');
  let rows: unknown[][];
  try {
    rows = await readSheet(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 1);
  } catch (e) {
    throw new ValidationError(`the .xlsx file cannot be read: ${(e as Error).message}`);
  }
  if (!rows.length) throw new ValidationError('the .xlsx file has no rows in its first worksheet');
  const width = Math.max(...rows.map((r) => r.length));
  const lines = rows.map((row) => {
    const cells = Array.from({ length: width }, (_, c) => csvField(cellText(row[c]).trim()));
    return cells.some(Boolean) ? cells.join(',') : '';
  });
  return `${lines.join('\n')}\n`;
}

export interface SpreadsheetText {
  /** UTF-8 CSV text. */
  text: string;
  delimiter: ',' | ';' | '\t';
  format: 'csv' | 'xlsx';
  encoding: string;
}

/** A file as uploaded or read from disk → CSV text, its separator, and how it was read. */
export async function readSpreadsheet(
  bytes: Uint8Array,
  opts: { fileName?: string; encoding?: string } = {},
): Promise<SpreadsheetText> {
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0)
    throw new ValidationError('old .xls workbooks are not read: save it as .xlsx or as CSV UTF-8');
  if (isZip(bytes) || /\.xlsx$/i.test(opts.fileName ?? '')) {
    return { text: await xlsxToCsv(bytes), delimiter: ',', format: 'xlsx', encoding: 'xlsx' };
  }
  const { text, encoding } = decodeText(bytes, opts.encoding, await loadCharsetGuesses());
  return { text, delimiter: detectDelimiter(text), format: 'csv', encoding };
}
