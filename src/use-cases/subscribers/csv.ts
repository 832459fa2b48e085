/**
 * CSV text → import rows. Its own module, loaded on demand by the import route, so that no function
 * evaluates the CSV parser at start (infra/bundling.ts explains what each bundle leaves out).
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

/**
 * CSV text → rows with line numbers. A broken file (an unclosed quote…) is rejected as a whole with the line
 * where it breaks: guessing where the next record starts could import garbage.
 */
export function parseSubscriberCsv(input: string, opts: { delimiter?: ',' | ';' | '\t' } = {}): ImportRow[] {
  const delimiter = opts.delimiter ?? ',';
  // One line-break convention: csv-parse counts a CRLF inside quotes as two lines.
  const text = input.replace(/\r\n?/g, '\n');
  let records: { record: Record<string, string>; raw: string; info: { lines: number; error?: unknown } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map(normaliseHeader),
      delimiter,
      info: true,
      raw: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    });
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new ValidationError(
      `CSV cannot be read${err.lines ? ` at line ${err.lines}` : ''}: ${err.message}`,
      {
        line: err.lines,
      },
    );
  }
  if (!records.length) {
    if (!/\S/.test(text)) throw new ValidationError('the CSV file is empty');
  }
  const header = parse(text, { bom: true, trim: true, delimiter, to_line: 1 })[0] as string[] | undefined;
  if (!header?.map(normaliseHeader).includes('email')) {
    throw new ValidationError('the first line must be a header row with an "email" column', { line: 1 });
  }
  return records.map(({ record, raw, info }) => {
    // info.lines is where the record ends; the line breaks inside its raw text (quoted ones, also in fields
    // the record drops: extra fields, repeated columns) move its start up. The raw text begins with the blank
    // lines skipped before it and ends with its own line break: neither counts.
    const inner =
      raw
        .replace(/^(?:[ \t]*\n)+/, '')
        .replace(/\n$/, '')
        .match(/\n/g)?.length ?? 0;
    const values: Record<string, string> = { ...record };
    if (info.error) values.__fieldCount = 'mismatch';
    return { line: info.lines - inner, values };
  });
}
