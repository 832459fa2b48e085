/**
 * CSV text → import rows. Its own module, loaded on demand by the import route, so that no function
 * evaluates the CSV parser at start (infra/bundling.ts explains what each bundle leaves out). It reads
 * csv-parse's sync API piece by piece rather than its stream API: infra/bundling.ts gives every function
 * but api a stand-in for csv-parse/sync only, and the route has the decoded text whole anyway (its body is
 * bounded); what must not be whole is the list of rows.
 */
import { parse } from 'csv-parse/sync';
import { ValidationError } from '../../domain/index.ts';
import type { ImportRow } from './data.ts';

const HEADER_ALIASES: Record<string, string> = {
  email: 'email',
  emailaddress: 'email',
  mail: 'email',
  name: 'name',
  fullname: 'name',
  language: 'language',
  lang: 'language',
  timezone: 'timeZone',
  tz: 'timeZone',
  audiences: 'audiences',
  audience: 'audiences',
  lists: 'audiences',
  consent: 'consent',
  consented: 'consent',
  optin: 'consent',
  consentedat: 'consentedAt',
  consentdate: 'consentedAt',
  optinat: 'consentedAt',
  suppressed: 'suppressed',
  suppression: 'suppressed',
  suppressedat: 'suppressedAt',
  member: 'member',
  memberid: 'member',
  memberorganisation: 'member',
  memberorganization: 'member',
  role: 'memberRole',
  memberrole: 'memberRole',
  contactrole: 'memberRole',
  country: 'country',
};

export const KNOWN_COLUMNS = [
  'email',
  'name',
  'language',
  'timeZone',
  'audiences',
  'consent',
  'consentedAt',
  'suppressed',
  'member',
  'memberRole',
  'country',
];

const normaliseHeader = (h: string) => {
  const k = h.toLowerCase().replace(/[^a-z]/g, '');
  // hasOwn: a column called 'constructor' must not find Object.prototype.constructor.
  return Object.hasOwn(HEADER_ALIASES, k) ? (HEADER_ALIASES[k] as string) : k;
};

/** Characters per piece the reader parses at a time (~1,000 lines of a typical sheet). */
export const CSV_PIECE_CHARS = 64 * 1024;

/**
 * Pieces of `text` that each end at a record boundary: a line feed after an even number of quotes since the
 * piece began. csv-parse accepts a quote only around a field with '""' inside it, so quotes pair up within
 * a record; a file where they do not is refused by the check pass whatever the pieces are. `line` is the
 * number of the piece's first line in the file; line breaks are LF only (as the parser counts them).
 */
export function* csvPieces(text: string, size = CSV_PIECE_CHARS): Generator<{ text: string; line: number }> {
  let start = 0;
  let line = 1;
  while (start < text.length) {
    let end = text.length;
    let odd = false;
    let pos = Math.min(start + Math.max(1, size), text.length);
    for (let i = start; i < pos; i++) if (text.charCodeAt(i) === 0x22) odd = !odd;
    // From the target size on, the first line feed outside quotes ends the piece.
    for (; pos < text.length; pos++) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) odd = !odd;
      else if (c === 0x0a && !odd) {
        end = pos + 1;
        break;
      }
    }
    const piece = text.slice(start, end).replace(/\r\n?/g, '\n');
    yield { text: piece, line };
    for (let i = piece.indexOf('\n'); i !== -1; i = piece.indexOf('\n', i + 1)) line++;
    start = end;
  }
}

type Columns = string[] | ((header: string[]) => string[]);

const optionsOf = (delimiter: string, columns: Columns) => ({
  columns,
  delimiter,
  bom: true,
  trim: true,
  skip_empty_lines: true,
  relax_column_count: true,
});

/** A parser error → the refusal of the whole file, at the line in the file (not in the piece). */
function refusal(e: unknown, firstLine: number): ValidationError {
  const err = e as Error & { lines?: number };
  const line = err.lines ? err.lines + firstLine - 1 : undefined;
  // csv-parse names the line in its message too, counted from the piece: say the file's.
  const message = err.lines ? err.message.replace(/\bline \d+/g, `line ${line}`) : err.message;
  return new ValidationError(`CSV cannot be read${line ? ` at line ${line}` : ''}: ${message}`, { line });
}

/**
 * CSV text → its rows with line numbers, read piece by piece: the rows of one piece (~1,000 lines) at a
 * time, never every row of the file, so an import's memory does not grow with the file (docs/performance.md).
 * The whole text is checked first, before any row is given out: a broken file (an unclosed quote…) is
 * refused as a whole with the line where it breaks, as guessing where the next record starts could import
 * garbage, and a row imported before the break was found could not be taken back.
 */
export function readSubscriberCsv(
  input: string,
  opts: { delimiter?: ',' | ';' | '\t'; pieceChars?: number } = {},
): Iterable<ImportRow> {
  const delimiter = opts.delimiter ?? ',';
  const size = opts.pieceChars ?? CSV_PIECE_CHARS;
  const header = headerOnce();
  // The check pass: every piece through the parser, keeping no record.
  let records = 0;
  for (const piece of csvPieces(input, size)) {
    try {
      parse(piece.text, {
        ...optionsOf(delimiter, header.columns()),
        on_record: () => {
          records++;
          return null;
        },
      });
    } catch (e) {
      throw refusal(e, piece.line);
    }
  }
  if (!records && !/\S/.test(input)) throw new ValidationError('the CSV file is empty');
  // The header is the file's first line (a blank line before it is no header): read from the first piece.
  const first = csvPieces(input, size).next().value?.text ?? '';
  const top = parse(first, { bom: true, trim: true, delimiter, to_line: 1 })[0] as string[] | undefined;
  if (!top?.map(normaliseHeader).includes('email')) {
    throw new ValidationError('the first line must be a header row with an "email" column', { line: 1 });
  }
  return {
    *[Symbol.iterator]() {
      const names = headerOnce();
      for (const piece of csvPieces(input, size)) {
        const parsed = parse(piece.text, {
          ...optionsOf(delimiter, names.columns()),
          info: true,
          raw: true,
        }) as { record: Record<string, string>; raw: string; info: { lines: number; error?: unknown } }[];
        for (const { record, raw, info } of parsed) yield rowOf(record, raw, info, piece.line);
      }
    },
  };
}

/** The column names, read off the first record of the first piece that has one and given to every later piece. */
function headerOnce() {
  let names: string[] | undefined;
  return {
    columns: (): Columns =>
      names ??
      ((h: string[]) => {
        names = h.map(normaliseHeader);
        return names;
      }),
  };
}

function rowOf(
  record: Record<string, string>,
  raw: string,
  info: { lines: number; error?: unknown },
  firstLine: number,
): ImportRow {
  // info.lines is where the record ends (in its piece); the line breaks inside its raw text (quoted ones,
  // also in fields the record drops: extra fields, repeated columns) move its start up. The raw text begins
  // with the blank lines skipped before it and ends with its own line break: neither counts.
  const inner =
    raw
      .replace(/^(?:[ \t]*\n)+/, '')
      .replace(/\n$/, '')
      .match(/\n/g)?.length ?? 0;
  const values: Record<string, string> = { ...record };
  if (info.error) values.__fieldCount = 'mismatch';
  return { line: firstLine - 1 + info.lines - inner, values };
}

/** Every row at once: for small inputs (tests, a JSON body's worth); imports read them with readSubscriberCsv. */
export function parseSubscriberCsv(input: string, opts: { delimiter?: ',' | ';' | '\t' } = {}): ImportRow[] {
  return [...readSubscriberCsv(input, opts)];
}
