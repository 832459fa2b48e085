/**
 * The MIME parser adapter: mailparser behind the MimeParser port, hardened for hostile input.
 * Defences, cheapest first:
 *   - a linear pre-scan refuses messages with absurd numbers of multipart sections or header lines
 *     before the real parser sees them;
 *   - the message is fed in 64 KiB chunks so the event loop turns between chunks and the time budget
 *     can fire (a wall-clock race alone cannot interrupt a synchronous parse of one huge chunk);
 *   - decoded bodies, attachment count and header values are capped, and what was cut is reported.
 * Only this folder imports mailparser, sanitize-html and html-to-text.
 */
import { Readable } from 'node:stream';
import {
  type AddressObject,
  type HeaderValue,
  type ParsedMail as MpParsedMail,
  simpleParser,
} from 'mailparser';
import { UnparseableMessageError } from '../../domain/update.ts';
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

const CHUNK = 64 * 1024;
/** Header sections larger than this are not headers: parseHeaders stops looking. */
const MAX_HEADER_BYTES = 256 * 1024;
const HEADER_TIMEOUT_MS = 5_000;

export function createMimeParser(limits: Partial<MimeLimits> = {}): MimeParser {
  const l: MimeLimits = { ...DEFAULT_MIME_LIMITS, ...limits };

  async function parseBounded(raw: Uint8Array, timeoutMs: number): Promise<MpParsedMail> {
    const chunks = function* () {
      for (let i = 0; i < raw.length; i += CHUNK)
        yield Buffer.from(raw.buffer, raw.byteOffset + i, Math.min(CHUNK, raw.length - i));
    };
    const source = Readable.from(chunks(), { objectMode: false });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        source.destroy();
        reject(new UnparseableMessageError(`parsing took longer than ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([
        simpleParser(source, {
          // html-to-text runs later on the sanitised (smaller, safer) HTML with depth limits.
          skipHtmlToText: true,
          skipTextToHtml: true,
          skipTextLinks: true,
          // keep cid: references; inline images become stored attachments, never data: URLs in the body
          skipImageLinks: true,
          keepCidLinks: true,
          keepDeliveryStatus: true,
          maxHtmlLengthToParse: l.maxHtmlChars,
        }),
        timeout,
      ]);
    } catch (e) {
      if (e instanceof UnparseableMessageError) throw e;
      throw new UnparseableMessageError(`the MIME parser gave up: ${(e as Error)?.message ?? String(e)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async parse(raw) {
      preScan(raw, l);
      const m = await parseBounded(raw, l.timeoutMs);
      return toParsedMail(m, l);
    },
    async parseHeaders(raw) {
      const head = headerSection(raw);
      try {
        // Its own budget: a header block is small, and it is what still names the sender after a body timeout.
        const m = await parseBounded(head, HEADER_TIMEOUT_MS);
        const p = toParsedMail(m, l);
        return {
          from: p.from,
          subject: p.subject,
          headers: p.headers,
          dateHeader: p.dateHeader,
          messageId: p.messageId,
        };
      } catch {
        return { subject: '', headers: {} };
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
  // A header block alone, with a tiny body so the parser never sees attachments.
  return Buffer.concat([buf.subarray(0, end), Buffer.from('\r\n\r\n')]);
}

function toParsedMail(m: MpParsedMail, l: MimeLimits): ParsedMail {
  const problems: string[] = [];
  const headers: Record<string, string[]> = {};
  const lines = m.headerLines ?? [];
  if (lines.length > l.maxHeaderLines)
    problems.push(`only the first ${l.maxHeaderLines} header lines were read`);
  for (const { key, line } of lines.slice(0, l.maxHeaderLines)) {
    const value = unfold(line.slice(line.indexOf(':') + 1)).slice(0, l.maxHeaderValueChars);
    const k = key.toLowerCase();
    const list = headers[k] ?? [];
    list.push(value);
    headers[k] = list;
  }
  const ct = m.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const contentType = (typeof ct === 'object' && ct?.value ? ct.value : 'text/plain').toLowerCase();
  const reportType = typeof ct === 'object' ? ct?.params?.['report-type']?.toLowerCase() : undefined;

  let text = typeof m.text === 'string' ? m.text : undefined;
  if (text && text.length > l.maxTextChars) {
    text = text.slice(0, l.maxTextChars);
    problems.push(`plain text body cut at ${l.maxTextChars} characters`);
  }
  let html = typeof m.html === 'string' ? m.html : undefined;
  if (html && html.length > l.maxHtmlChars) {
    html = html.slice(0, l.maxHtmlChars);
    problems.push(`HTML body cut at ${l.maxHtmlChars} characters`);
  }
  const all = m.attachments ?? [];
  if (all.length > l.maxAttachments)
    problems.push(`only the first ${l.maxAttachments} attachments were kept`);
  const attachments: ParsedAttachment[] = all.slice(0, l.maxAttachments).map((a) => ({
    filename: a.filename ? oneLine(a.filename).slice(0, 200) : undefined,
    contentType: (a.contentType || 'application/octet-stream').toLowerCase().slice(0, 200),
    content: a.content,
    size: a.size ?? a.content.length,
    inline: Boolean(a.related) || a.contentDisposition === 'inline',
    contentId: a.cid ? oneLine(a.cid).slice(0, 200) : undefined,
  }));
  const partTypes = [contentType, ...(text ? ['text/plain'] : []), ...(html ? ['text/html'] : [])].concat(
    attachments.map((a) => a.contentType),
  );

  return {
    from: firstAddress(m.from),
    replyTo: firstAddress(m.replyTo),
    subject: oneLine(m.subject ?? '').slice(0, 1000),
    dateHeader: headers.date?.[0],
    date: m.date instanceof Date && !Number.isNaN(m.date.getTime()) ? m.date : undefined,
    messageId: m.messageId ? oneLine(m.messageId).slice(0, 500) : undefined,
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

function firstAddress(
  v: AddressObject | AddressObject[] | HeaderValue | undefined,
): ParsedAddress | undefined {
  const objects = (Array.isArray(v) ? v : [v]) as (AddressObject | undefined)[];
  for (const o of objects) {
    for (const entry of o?.value ?? []) {
      const candidates = entry.group ? entry.group : [entry];
      for (const c of candidates) {
        if (c.address && /^[^\s@<>]+@[^\s@<>]+$/.test(c.address))
          return {
            address: c.address.toLowerCase(),
            name: c.name ? oneLine(c.name).slice(0, 200) : undefined,
          };
      }
    }
  }
  return undefined;
}

const unfold = (s: string) => s.replace(/\r?\n[ \t]+/g, ' ').trim();
/** No control characters (CR/LF in particular) survive into names, subjects and ids. */
const oneLine = (s: string) =>
  s
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
