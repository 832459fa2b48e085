/**
 * The MIME parser adapter: postal-mime behind the MimeParser port, hardened for hostile input.
 * postal-mime has no dependencies and decodes charsets with TextDecoder (Node's full ICU: GB18030/GBK,
 * Big5, Shift_JIS, EUC-JP, ISO-2022-JP, EUC-KR, KOI8-R, windows-125x, ISO-8859-x …), which keeps the
 * ingest bundle small; mailparser's iconv-lite tables alone were larger than the whole budget.
 * Defences, cheapest first:
 *   - a linear pre-scan refuses messages with absurd numbers of multipart sections before the parser sees them;
 *   - the time budget, the number of MIME parts and the size of each part's decoder are checked inside the
 *     parser's line loop, so a hostile parse stops where it is (a wall-clock race alone cannot interrupt
 *     synchronous work), and the event loop gets a turn every 64 KiB so the embedded runtime keeps serving;
 *   - decoded bodies, attachment count, header lines and header values are capped, and what was cut is reported.
 * Only this folder imports postal-mime (and the HTML libraries).
 */
import PostalMime, { type Address, addressParser, decodeWords, type Email } from 'postal-mime';
import { normaliseAddress } from '../../domain/common.ts';
import { stripInvisibles, UnparseableMessageError } from '../../domain/update.ts';
import type { MimeParser, ParsedAddress, ParsedAttachment, ParsedMail } from '../../ports/inbound.ts';

export interface MimeLimits {
  /** Wall-clock budget of one parse. */
  timeoutMs: number;
  /** Multipart sections (each `Content-Type: multipart/…` header counts once). */
  maxMultiparts: number;
  maxHeaderLines: number;
  maxHeaderValueChars: number;
  maxTextChars: number;
  maxHtmlChars: number;
  maxAttachments: number;
}

export const DEFAULT_MIME_LIMITS: MimeLimits = {
  timeoutMs: 20_000,
  maxMultiparts: 256,
  maxHeaderLines: 500,
  maxHeaderValueChars: 8_192,
  maxTextChars: 1_000_000,
  maxHtmlChars: 2_000_000,
  maxAttachments: 100,
};

/** Bytes or lines fed to the parser between two checks of the clock (and two turns of the event loop). */
const SLICE_BYTES = 64 * 1024;
const SLICE_LINES = 4096;
/** MIME parts of one message (mailparser's limit, which the adapter had before). */
const MAX_PARTS = 1_000;
/**
 * Pieces one part's decoder may collect. postal-mime keeps a 7bit/8bit body as two pieces per line (a
 * base64 body as one per padded unit) and joins them with `new Blob(pieces)`: one synchronous call that
 * costs Node ~10 µs a piece and cannot be interrupted. A message of 10 million one-byte lines would hold
 * a Lambda for minutes; 200 000 pieces (100 000 lines of one 7bit part) stay within a few seconds.
 */
const MAX_PIECES_PER_PART = 200_000;
/** Header sections larger than this are not headers: parseHeaders stops looking. */
const MAX_HEADER_BYTES = 256 * 1024;
const HEADER_TIMEOUT_MS = 5_000;

/**
 * The postal-mime internals the budget relies on: it reads the message line by line through
 * processLine(), and currentNode is the part being read, whose decoder collects the pieces of its body.
 * Not public API: postal-mime is pinned exactly in package.json, and test/unit/inbound/mime-limits.test.ts
 * fails if an upgrade renames them.
 */
interface Internals {
  processLine(line: Uint8Array, isFinal: boolean): Promise<void>;
  currentNode?: { contentDecoder?: { chunks?: unknown[] } | null };
}
const hookable = typeof (PostalMime.prototype as unknown as Partial<Internals>).processLine === 'function';

export function createMimeParser(limits: Partial<MimeLimits> = {}): MimeParser {
  const l: MimeLimits = { ...DEFAULT_MIME_LIMITS, ...limits };
  if (!hookable)
    throw new Error('postal-mime no longer has processLine(): the parse limits cannot be enforced');

  async function parseBounded(raw: Uint8Array, timeoutMs: number): Promise<Email> {
    const started = performance.now();
    const overBudget = () => performance.now() - started > timeoutMs;
    const tooSlow = () => new UnparseableMessageError(`parsing took longer than ${timeoutMs} ms`);
    // A forwarded message stays an attachment (as with mailparser): no nested parse outside the limits below.
    const parser = new PostalMime({ forceRfc822Attachments: true });
    const internals = parser as unknown as Internals;
    const processLine = internals.processLine.bind(parser);
    const piecesSoFar = () => internals.currentNode?.contentDecoder?.chunks?.length ?? 0;
    const tooManyPieces = () =>
      new UnparseableMessageError(
        `a MIME part has more than ${MAX_PIECES_PER_PART / 2} lines or encoded pieces`,
      );
    const parts = new WeakSet<object>();
    let partCount = 0;
    let bytes = 0;
    let lines = 0;
    internals.processLine = async (line, isFinal) => {
      bytes += line.length + 1;
      if (++lines >= SLICE_LINES || bytes >= SLICE_BYTES) {
        bytes = 0;
        lines = 0;
        if (piecesSoFar() > MAX_PIECES_PER_PART) throw tooManyPieces();
        if (overBudget()) throw tooSlow();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      // A single long line can hold a whole base64 body padded after every unit ("QQ==QQ==…").
      if (line.length > SLICE_BYTES && piecesSoFar() + countByte(line, 0x3d) > MAX_PIECES_PER_PART)
        throw tooManyPieces();
      await processLine(line, isFinal);
      // Only a boundary line ("--…") starts a part.
      const node = internals.currentNode;
      if (line[0] === 0x2d && line[1] === 0x2d && node && !parts.has(node)) {
        parts.add(node);
        if (++partCount > MAX_PARTS) throw new UnparseableMessageError(`more than ${MAX_PARTS} MIME parts`);
      }
    };
    let email: Email;
    try {
      email = await parser.parse(raw);
    } catch (e) {
      if (e instanceof UnparseableMessageError) throw e;
      throw new UnparseableMessageError(`the MIME parser gave up: ${(e as Error)?.message ?? String(e)}`);
    }
    // Decoding the collected parts happens after the line loop: linear, bounded above, not interruptible.
    if (overBudget()) throw tooSlow();
    return email;
  }

  return {
    async parse(raw) {
      preScan(raw, l);
      return toParsedMail(await parseBounded(raw, l.timeoutMs), l);
    },
    async parseHeaders(raw) {
      try {
        // Its own budget: a header block is small, and it is what still names the sender after a body timeout.
        const p = toParsedMail(await parseBounded(headerSection(raw), HEADER_TIMEOUT_MS), l);
        return {
          from: p.from,
          fromAll: p.fromAll,
          sender: p.sender,
          problems: p.problems,
          subject: p.subject,
          headers: p.headers,
          dateHeader: p.dateHeader,
          messageId: p.messageId,
        };
      } catch {
        return { subject: '', headers: {}, problems: [] };
      }
    },
  };
}

/** Linear checks before the parser: cheap refusals of messages built to exhaust it. */
function preScan(raw: Uint8Array, l: MimeLimits) {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('latin1');
  const multipart = /^content-type:[ \t]*multipart\//gim;
  let count = 0;
  while (multipart.exec(text)) {
    if (++count > l.maxMultiparts)
      throw new UnparseableMessageError(`more than ${l.maxMultiparts} multipart sections`);
  }
}

function headerSection(raw: Uint8Array): Uint8Array {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.length, MAX_HEADER_BYTES));
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  const end = ends.length ? Math.min(...ends) : buf.length;
  // A header block alone, with an empty body so the parser never sees attachments.
  return Buffer.concat([buf.subarray(0, end), Buffer.from('\r\n\r\n')]);
}

function toParsedMail(m: Email, l: MimeLimits): ParsedMail {
  const problems: string[] = [];
  // A Map, not an object: header names are the sender's ('__proto__', 'constructor' …).
  const byName = new Map<string, string[]>();
  // Raw lines (folds kept), so values read exactly as sent: what DKIM and List-* parsing expect.
  // A line without a colon is not a field (the parser still names it after the whole line).
  const lines = m.headerLines.filter((h) => FIELD_NAME.test(h.key) && h.line.includes(':'));
  if (lines.length > l.maxHeaderLines)
    problems.push(`only the first ${l.maxHeaderLines} header lines were read`);
  for (const { key, line } of lines.slice(0, l.maxHeaderLines)) {
    const value = unfold(line.slice(line.indexOf(':') + 1)).slice(0, l.maxHeaderValueChars);
    const list = byName.get(key);
    if (list) list.push(value);
    else byName.set(key, [value]);
  }
  // fromEntries defines own properties, so '__proto__' stays a plain key, never the prototype.
  const headers: Record<string, string[]> = Object.fromEntries(byName);
  // The first occurrence of a header wins, as it does inside postal-mime.
  const first = (key: string) => m.headers.find((h) => h.key === key)?.value;
  const { type: contentType, reportType } = mediaType(first('content-type'));

  let text = m.text ? cleanText(m.text) : undefined;
  if (text && text.length > l.maxTextChars) {
    text = text.slice(0, l.maxTextChars);
    problems.push(`plain text body cut at ${l.maxTextChars} characters`);
  }
  let html = m.html ? cleanText(m.html) : undefined;
  if (html && html.length > l.maxHtmlChars) {
    html = html.slice(0, l.maxHtmlChars);
    problems.push(`HTML body cut at ${l.maxHtmlChars} characters`);
  }
  const all = m.attachments;
  if (all.length > l.maxAttachments)
    problems.push(`only the first ${l.maxAttachments} attachments were kept`);
  const attachments: ParsedAttachment[] = all.slice(0, l.maxAttachments).map((a) => {
    const type = (a.mimeType || 'application/octet-stream').toLowerCase().slice(0, 200);
    const content = CALENDAR_TYPES.has(type) ? calendarBytes(a.content) : bytesOf(a.content);
    const cid = a.contentId ? oneLine(a.contentId.trim().replace(/^<|>$/g, '')).slice(0, 200) : '';
    return {
      filename: a.filename ? oneLine(a.filename).slice(0, 200) || undefined : undefined,
      contentType: type,
      content,
      size: content.length,
      inline: Boolean(a.related) || a.disposition === 'inline',
      contentId: cid || undefined,
    };
  });
  const partTypes = [contentType, ...(text ? ['text/plain'] : []), ...(html ? ['text/html'] : [])].concat(
    attachments.map((a) => a.contentType),
  );

  const dateHeader = headers.date?.[0];
  const date = dateHeader ? new Date(dateHeader) : undefined;
  const fromAll = mailboxes(m.headers.filter((h) => h.key === 'from'));
  const rawSubject = m.headerLines.find((h) => h.key === 'subject')?.line;
  // Raw 8-bit subjects are postal-mime's to decode; encoded words are ours (split characters, see below).
  const fullSubject = oneLine(
    rawSubject?.includes('=?')
      ? decodeHeaderWords(unfold(rawSubject.slice(rawSubject.indexOf(':') + 1)))
      : (m.subject ?? ''),
  );
  if (fullSubject.length > MAX_SUBJECT_CHARS)
    problems.push(
      `subject cut at ${MAX_SUBJECT_CHARS} of its ${fullSubject.length.toLocaleString('en')} characters`,
    );
  return {
    from: fromAll[0],
    fromAll,
    sender: firstAddress(m.headers.filter((h) => h.key === 'sender').slice(0, 1)),
    replyTo: firstAddress(m.headers.filter((h) => h.key === 'reply-to')),
    subject: fullSubject.slice(0, MAX_SUBJECT_CHARS),
    dateHeader,
    date: date && !Number.isNaN(date.getTime()) ? date : undefined,
    messageId: messageIdOf(m.messageId),
    headers,
    contentType,
    reportType,
    partTypes,
    text,
    html,
    attachments,
    problems,
  };
}

const FIELD_NAME = /^[!-9;-~]+$/;

/** `type/subtype` of a Content-Type value (text/plain when absent or malformed) and its report-type. */
function mediaType(value: string | undefined): { type: string; reportType?: string } {
  if (!value) return { type: 'text/plain' };
  const [head = '', ...params] = value.replace(/\([^()]*\)/g, ' ').split(';');
  const type = head.trim().toLowerCase();
  const reportType = params
    .map((p) => /^\s*report-type\s*=\s*"?([^"\s]*)"?\s*$/i.exec(p)?.[1])
    .find((v) => v !== undefined)
    ?.toLowerCase();
  return {
    type: /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type : 'text/plain',
    reportType: reportType || undefined,
  };
}

const MAX_SUBJECT_CHARS = 1000;
/** More mailboxes than this in From: is not a member writing (and is not worth looking up one by one). */
const MAX_FROM_MAILBOXES = 20;

/** The first syntactically valid mailbox of the given address headers (group members included). */
function firstAddress(values: { value: string }[]): ParsedAddress | undefined {
  return mailboxes(values, 1)[0];
}

/** Every syntactically valid mailbox of the given address headers (group members included), in order. */
function mailboxes(values: { value: string }[], max = MAX_FROM_MAILBOXES): ParsedAddress[] {
  const out: ParsedAddress[] = [];
  for (const { value } of values) {
    let parsed: Address[];
    try {
      parsed = addressParser(value);
    } catch {
      continue;
    }
    const uncommaed = mailboxesWithoutComma(value);
    for (const entry of parsed) {
      for (const c of entry.group ?? [entry]) {
        if (out.length >= max) return out;
        if (c.address && /^[^\s@<>]+@[^\s@<>]+$/.test(c.address))
          out.push({
            // The registry's form: a member whose mail names 绿色.中国 is found under xn--ip0aq4e.xn--fiqs8s.
            address: normaliseAddress(c.address),
            name:
              c.name && !uncommaed.some((a) => c.name?.includes(a))
                ? oneLine(c.name).slice(0, 200) || undefined
                : undefined,
          });
      }
    }
    for (const address of uncommaed) {
      if (out.length >= max) return out;
      out.push({ address: normaliseAddress(address) });
    }
  }
  return out;
}

/**
 * Bare mailboxes written side by side without a comma (`From: tim@a.example concierge@a.example`, seen from
 * svn hooks and old scripts): postal-mime reads the second as the first one's display name, which would hide a
 * second author. Returns those extra mailboxes; quoted names (`"x@a.example" <x@a.example>`) are not mailboxes.
 */
function mailboxesWithoutComma(value: string): string[] {
  const plain = value.replace(/"(?:[^"\\]|\\.)*"/g, ' ').replace(/\([^()]*\)/g, ' ');
  const extra: string[] = [];
  for (const segment of plain.split(/[,;]/)) {
    if (segment.includes('<')) continue;
    const bare = segment.match(/[^\s,;:<>()"@]+@[^\s,;:<>()"@]+/g) ?? [];
    extra.push(...bare.slice(1));
  }
  return extra;
}

const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bq])\?([^?\s]*)\?=/gi;

/**
 * RFC 2047 §6.2: adjacent encoded words of one charset are one byte string, decoded together, so a UTF-8
 * character split across two words (Outlook, some webmail cut at a byte count) reads whole instead of as
 * two U+FFFD. Each run of same-charset words (whitespace between them is folding, not text) is merged
 * into a single base64 word, then postal-mime's decoder (its charset table and aliases) decodes the lot.
 */
export function decodeHeaderWords(value: string): string {
  if (!value.includes('=?')) return value;
  let out = '';
  let pos = 0;
  let run: { charset: string; bytes: Buffer[] } | undefined;
  const flush = () => {
    if (run) out += `=?${run.charset}?B?${Buffer.concat(run.bytes).toString('base64')}?=`;
    run = undefined;
  };
  for (const m of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(pos, m.index);
    const charset = (m[1] ?? '').toLowerCase();
    const bytes =
      (m[2] ?? '').toLowerCase() === 'b'
        ? Buffer.from((m[3] ?? '').replace(/[^A-Za-z0-9+/]/g, ''), 'base64')
        : Buffer.from(
            (m[3] ?? '')
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            'latin1',
          );
    if (run && run.charset === charset && /^[ \t]*$/.test(between)) run.bytes.push(bytes);
    else {
      flush();
      out += between;
      run = { charset, bytes: [bytes] };
    }
    pos = m.index + m[0].length;
  }
  flush();
  out += value.slice(pos);
  return decodeWords(out);
}

/** Message-IDs in angle brackets, as In-Reply-To and References expect them. */
function messageIdOf(v: string | undefined): string | undefined {
  const id = oneLine(v ?? '').slice(0, 500);
  if (!id) return undefined;
  return `${id.startsWith('<') ? '' : '<'}${id}${id.endsWith('>') ? '' : '>'}`;
}

function countByte(bytes: Uint8Array, byte: number): number {
  let n = 0;
  for (let i = bytes.indexOf(byte); i >= 0; i = bytes.indexOf(byte, i + 1)) n++;
  return n;
}

function bytesOf(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

const CALENDAR_TYPES = new Set(['text/calendar', 'application/ics']);

/** postal-mime hands calendar parts over as UTF-8 text with LF line ends; RFC 5545 content lines end in CRLF. */
function calendarBytes(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  const text = typeof content === 'string' ? content : Buffer.from(bytesOf(content)).toString('utf8');
  return Buffer.from(fromC1(text).replace(/\r?\n/g, '\r\n'), 'utf8');
}

/**
 * windows-1252 for the C1 range, as the WHATWG Encoding Standard decodes it. Node 20's TextDecoder
 * decodes windows-1252 (and its aliases iso-8859-1, us-ascii, which is also postal-mime's fallback for
 * unknown labels) as ISO-8859-1, turning “quotes”, dashes and € into invisible control characters;
 * Node 22 is right. C1 controls never belong in mail text, so mapping them is safe on every version.
 */
const CP1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const fromC1 = (s: string) => s.replace(/[\u0080-\u009f]/g, (c) => CP1252_C1[c.charCodeAt(0) - 0x80] ?? c);
/** Decoded base64/quoted-printable bodies keep the sender's CRLFs; the rest of the path expects LF. */
const cleanText = (s: string) => stripInvisibles(fromC1(s).replace(/\r\n?/g, '\n'), { multiline: true });
const unfold = (s: string) => s.replace(/\r?\n[ \t]+/g, ' ').trim();
/** No control characters (CR/LF in particular) survive into names, subjects and ids. */
const oneLine = (s: string) =>
  stripInvisibles(fromC1(s).replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
