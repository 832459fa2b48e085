/**
 * ParsedMail → the content of an Update: title, summary, sanitised HTML and text, kind and section,
 * links, event time (from the member's lines or an attached .ics), deadline, language, and the list of
 * files to store. Pure: storing the files is the ingest use case's job.
 */
import { createHash } from 'node:crypto';
import { decodeEntities } from '../../domain/html.ts';
import {
  Language,
  type Link,
  type Member,
  sectionForKind,
  stripInvisibles,
  type Update,
} from '../../domain/index.ts';
import type { HtmlTools, ParsedAttachment, ParsedMail } from '../../ports/inbound.ts';
import { attachmentVerdict, safeFilename } from './attachments.ts';
import { countryCode } from './countries.ts';
import { memberHtml } from './quotes.ts';
import {
  cleanTitle,
  extractFields,
  findUrls,
  guessLanguage,
  isForwardSubject,
  kindFromTitle,
  kindFromWord,
  memberText,
  safeUrl,
  summarise,
  textToHtml,
} from './text.ts';
import {
  type IcsEvent,
  offsetOfDateHeader,
  parseIcs,
  readDeadline,
  readEventTime,
  type ZoneFallback,
} from './when.ts';

/** Item size budget: a DynamoDB item is at most 400 KB, bodies are the only large fields. */
const MAX_HTML_BYTES = 150_000;
const MAX_TEXT_BYTES = 80_000;
const MAX_LINKS = 25;

export interface FileToStore {
  index: number;
  attachment: ParsedAttachment;
  filename: string;
  publishable: boolean;
  withheldReason?: string;
}

export type UpdateContent = Pick<
  Update,
  | 'title'
  | 'summary'
  | 'bodyHtml'
  | 'bodyText'
  | 'kind'
  | 'section'
  | 'links'
  | 'event'
  | 'deadline'
  | 'language'
>;

export interface BuiltUpdate {
  content: UpdateContent;
  files: FileToStore[];
  /** What the parser or builder cut, for the moderator (audit note). */
  problems: string[];
}

export function buildUpdateContent(
  p: ParsedMail,
  ctx: {
    html: HtmlTools;
    member: Pick<Member, 'language'> & Partial<Pick<Member, 'country'>>;
    defaultTimeZone: string;
  },
): BuiltUpdate {
  const problems = [...p.problems];
  const fallback: ZoneFallback = {
    zone: ctx.defaultTimeZone,
    offsetMinutes: offsetOfDateHeader(p.dateHeader),
  };
  const readCtx = { country: countryCode(ctx.member.country) };

  // The quoted reply, earlier messages and the signature leave the HTML body too, not only the text.
  const ownHtml = p.html ? memberHtml(p.html, { forwarded: isForwardSubject(p.subject) }) : undefined;
  const sanitized = ownHtml ? ctx.html.sanitize(ownHtml.html) : '';
  const fullText = (p.text?.trim() ? p.text : sanitized ? ctx.html.toText(sanitized) : '').replace(
    /\r\n?/g,
    '\n',
  );
  const own = memberText(fullText);
  const fields = extractFields(own || fullText);

  const files: FileToStore[] = dedupeFiles(p.attachments).map((a, index) => {
    const filename = safeFilename(a.filename, index, a.contentType);
    const v = attachmentVerdict(filename, a.contentType);
    return { index, attachment: a, filename, publishable: v.publishable, withheldReason: v.reason };
  });

  let ics: IcsEvent | undefined;
  for (const f of files) {
    if (!isCalendar(f)) continue;
    ics = parseIcs(Buffer.from(f.attachment.content).toString('utf8'), fallback);
    if (ics) break;
  }

  // Calendar invitations carry "Invitation: <summary> @ <date>" subjects; the event's own name reads better.
  const invitation = /^(updated )?invitation( with note)?\s*:/i.test(p.subject);
  const fullTitle = cleanTitle(p.subject.slice(0, 1_000));
  if (fullTitle.length >= 300 && p.subject.length > 300)
    problems.push('title shortened to 300 characters (the subject was longer)');
  const title =
    (invitation && ics?.summary ? cleanTitle(ics.summary) : '') ||
    cleanTitle(p.subject) ||
    cleanTitle(ics?.summary ?? '') ||
    cleanTitle(own.split('\n').find((l) => l.trim()) ?? '').slice(0, 120) ||
    '(no subject)';

  const when = !ics?.event && fields.when ? readEventTime(fields.when, fallback, readCtx) : undefined;
  let event = ics?.event ?? when?.event;
  problems.push(...(when?.notes ?? []));
  if (fields.when && !event) problems.push(`could not read the date in “When: ${fields.when.slice(0, 100)}”`);
  if (event && !event.location && fields.where) event = { ...event, location: fields.where.slice(0, 300) };
  const due = fields.deadline ? readDeadline(fields.deadline, fallback, readCtx) : undefined;
  const deadline = due?.deadline;
  problems.push(...(due?.notes ?? []));
  if (fields.deadline && !deadline)
    problems.push(`could not read the date in “Deadline: ${fields.deadline.slice(0, 100)}”`);

  // Title words ("Forum", "Call for …") make an event or a deadline only with a date to show.
  const guessed = kindFromTitle(title);
  const kind =
    kindFromWord(fields.kind) ??
    (event ? 'event' : deadline ? 'deadline' : guessed === 'publication' ? 'publication' : 'news');
  if (!kindFromWord(fields.kind) && !event && !deadline && (guessed === 'event' || guessed === 'deadline'))
    problems.push(
      `the title reads like ${guessed === 'event' ? 'an event' : 'a deadline'}, but no date was found: kept as news`,
    );

  const links = collectLinks(fields.links, ics?.url, sanitized, own);
  const summary = summarise(own) || summarise(ics?.description ?? '') || title;

  let bodyText = own || fullText || ics?.description || '';
  if (byteLength(bodyText) > MAX_TEXT_BYTES) {
    bodyText = cutBytes(bodyText, MAX_TEXT_BYTES);
    problems.push('plain text body shortened to fit the moderation record');
  }
  let bodyHtml = sanitized || textToHtml(bodyText);
  if (byteLength(bodyHtml) > MAX_HTML_BYTES) {
    // Re-sanitising closes whatever tag the cut left open.
    bodyHtml = ctx.html.sanitize(cutBytes(bodyHtml, MAX_HTML_BYTES));
    problems.push('HTML body shortened to fit the moderation record');
  }

  // Whatever a reader sees is free of invisible controls, also text from an .ics or a link label.
  const line = (t: string) => stripInvisibles(t).replace(/\s+/g, ' ').trim();
  const block = (t: string) => stripInvisibles(t, { multiline: true });
  return {
    content: {
      title: line(title).slice(0, 300) || '(no subject)',
      summary: block(summary).slice(0, 1000),
      bodyHtml: block(bodyHtml),
      bodyText: block(bodyText),
      kind,
      section: sectionForKind(kind),
      links: links.map((l) => (l.label ? { ...l, label: line(l.label) || undefined } : l)),
      event: event?.location ? { ...event, location: line(event.location) } : event,
      deadline,
      language: languageOf(p, `${title}\n${own}`) ?? ctx.member.language,
    },
    files,
    problems,
  };
}

/**
 * An invitation is one file: Outlook and Google send it both as the text/calendar alternative and as an
 * attached invite.ics (same bytes, or the same event UID). Only calendar files are merged: any other
 * attachment is kept as sent, even when two are identical.
 */
function dedupeFiles(attachments: ParsedAttachment[]): ParsedAttachment[] {
  const seen = new Set<string>();
  const dropped = new Set<ParsedAttachment>();
  // Named files first, so the kept copy of an invitation is the one with a file name.
  const calendars = attachments
    .filter((a) => isCalendarType(a.contentType, a.filename))
    .sort((a, b) => Number(!a.filename) - Number(!b.filename));
  for (const a of calendars) {
    const keys = [createHash('sha256').update(a.content).digest('hex')];
    const uid = /^UID[;:](.*)$/m.exec(
      Buffer.from(a.content)
        .toString('utf8')
        .replace(/\r\n[ \t]/g, ''),
    )?.[1];
    if (uid) keys.push(`ics:${uid.trim()}`);
    if (keys.some((k) => seen.has(k))) dropped.add(a);
    for (const k of keys) seen.add(k);
  }
  // In the order the mail had them.
  return attachments.filter((a) => !dropped.has(a));
}

const isCalendarType = (type: string, filename: string | undefined) =>
  /^(text\/calendar|application\/ics)$/.test(type) || /\.ics$/i.test(filename ?? '');

const isCalendar = (f: FileToStore) =>
  /^(text\/calendar|application\/ics)$/.test(f.attachment.contentType) || /\.ics$/i.test(f.filename);

function collectLinks(
  stated: { url: string; label?: string }[],
  icsUrl: string | undefined,
  html: string,
  text: string,
): Link[] {
  const out: Link[] = [];
  const add = (url: string | undefined, label?: string) => {
    const safe = url ? safeUrl(url) : undefined;
    if (!safe || out.length >= MAX_LINKS || out.some((l) => l.url === safe)) return;
    const clean = label?.replace(/\s+/g, ' ').trim();
    out.push(clean ? { url: safe, label: clean.slice(0, 200) } : { url: safe });
  };
  for (const l of stated) add(l.url, l.label);
  add(icsUrl);
  // The label is the link's text: inner tags dropped, line breaks and runs of blanks made one space.
  for (const m of html.matchAll(/<a\s[^>]*href="([^"]{1,2000})"[^>]*>([\s\S]{0,2000}?)<\/a>/g)) {
    const label = decodeEntities((m[2] ?? '').replace(/<[^>]*>/g, ' '))
      .replace(/\s+/g, ' ')
      .trim();
    const url = decodeEntities(m[1] ?? '');
    add(url, label && label !== url ? label : undefined);
  }
  for (const url of findUrls(text)) add(url);
  return out;
}

function languageOf(p: ParsedMail, text: string): string | undefined {
  const header = p.headers['content-language']?.[0]?.split(',')[0]?.trim().toLowerCase();
  if (header) {
    const lang = Language.safeParse(header.split('-')[0]);
    if (lang.success) return lang.data;
  }
  return guessLanguage(text);
}

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

/** Cut to at most `max` UTF-8 bytes without splitting a character. */
function cutBytes(s: string, max: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= max) return s;
  let end = max;
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${buf.subarray(0, end).toString('utf8')}…`;
}
