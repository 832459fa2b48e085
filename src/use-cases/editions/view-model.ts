/**
 * From approved updates to the data the templates see (documented in templates/README.md).
 * Member content arrives here as untrusted text: it is cleaned, shortened and passed on as text only
 * (the template engine escapes it again); links must be absolute http(s) URLs or they are dropped.
 */
import { DateTime } from 'luxon';
import type { Section, Update } from '../../domain/index.ts';

export const SECTION_ORDER: Section[] = ['events', 'news', 'publications', 'deadlines'];

export interface ItemView {
  id: string;
  title: string;
  organisation: string;
  url: string | null;
  paragraphs: string[];
  when: string | null;
  where: string | null;
  deadline: string | null;
  links: { url: string; label: string }[];
}

export interface SectionView {
  id: Section;
  items: ItemView[];
}

export interface EditionView {
  lang: string;
  dir: 'ltr' | 'rtl';
  archive: boolean;
  newsletter: { name: string; archive_url: string; postal_address: string };
  edition: {
    number: number;
    year: number;
    quarter: number;
    date: string;
    web_url: string;
    item_count: number;
  };
  sections: SectionView[];
}

export interface PlannedSection {
  id: Section;
  updates: Update[];
}

export interface SectionPlan {
  sections: PlannedSection[];
  skipped: { updateId: string; title: string; reason: string }[];
}

const time = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.NaN);

/**
 * Group into sections and order them: events ahead by start, deadlines by due date (soonest first),
 * news and publications newest first. An event that is already over is news, not "ahead"; a deadline
 * that has passed is left out (and reported).
 */
export function planSections(updates: Update[], now: Date): SectionPlan {
  const buckets = new Map<Section, Update[]>(SECTION_ORDER.map((s) => [s, []]));
  const skipped: SectionPlan['skipped'] = [];
  const nowMs = now.getTime();
  for (const u of updates) {
    let section: Section = u.section;
    if (section === 'events' && u.event) {
      const over = time(u.event.end ?? u.event.start);
      if (over < nowMs) section = 'news';
    }
    if (section === 'deadlines' && u.deadline && time(u.deadline) < nowMs) {
      skipped.push({ updateId: u.updateId, title: u.title, reason: `deadline ${u.deadline} has passed` });
      continue;
    }
    buckets.get(section)?.push(u);
  }
  const byReceivedDesc = (a: Update, b: Update) =>
    b.receivedAt.localeCompare(a.receivedAt) || a.updateId.localeCompare(b.updateId);
  const byTimeAsc = (pick: (u: Update) => string | undefined) => (a: Update, b: Update) => {
    const ta = time(pick(a));
    const tb = time(pick(b));
    // Items without a date go last, newest first among themselves.
    if (Number.isNaN(ta) || Number.isNaN(tb))
      return Number.isNaN(ta) ? (Number.isNaN(tb) ? byReceivedDesc(a, b) : 1) : -1;
    return ta - tb || a.updateId.localeCompare(b.updateId);
  };
  buckets.get('events')?.sort(byTimeAsc((u) => u.event?.start));
  buckets.get('deadlines')?.sort(byTimeAsc((u) => u.deadline));
  buckets.get('news')?.sort(byReceivedDesc);
  buckets.get('publications')?.sort(byReceivedDesc);
  return {
    sections: SECTION_ORDER.map((id) => ({ id, updates: buckets.get(id) ?? [] })).filter(
      (s) => s.updates.length,
    ),
    skipped,
  };
}

export interface ViewSettings {
  lang: string;
  archive: boolean;
  number: number;
  compiledAt: Date;
  timeZone: string;
  newsletterName: string;
  archiveUrl: string;
  postalAddress: string;
  /** The language shown at editions/<n>/ (others at editions/<n>/<lang>.html). */
  defaultLanguage: string;
}

export function buildView(plan: SectionPlan, s: ViewSettings): EditionView {
  const local = zonedParts(s.compiledAt, s.timeZone);
  const archiveBase = s.archiveUrl.replace(/\/$/, '');
  return {
    lang: s.lang,
    dir: /^(ar|he|fa|ur)(-|$)/.test(s.lang) ? 'rtl' : 'ltr',
    archive: s.archive,
    newsletter: {
      name: cleanText(s.newsletterName, 200),
      archive_url: `${archiveBase}/`,
      postal_address: cleanText(s.postalAddress, 500),
    },
    edition: {
      number: s.number,
      year: local.year,
      quarter: Math.floor((local.month - 1) / 3) + 1,
      date: new Intl.DateTimeFormat(s.lang, { dateStyle: 'long', timeZone: s.timeZone }).format(s.compiledAt),
      web_url: editionPageUrl(s.archiveUrl, s.number, s.lang, s.defaultLanguage),
      item_count: plan.sections.reduce((n, sec) => n + sec.updates.length, 0),
    },
    sections: plan.sections.map((sec) => ({
      id: sec.id,
      items: sec.updates.map((u) => itemView(u, s)),
    })),
  };
}

export function editionPageUrl(archiveUrl: string, n: number, lang: string, defaultLanguage: string): string {
  const base = `${archiveUrl.replace(/\/$/, '')}/editions/${n}/`;
  return lang === defaultLanguage ? base : `${base}${lang}.html`;
}

function itemView(u: Update, s: ViewSettings): ItemView {
  const links = u.links
    .map((l) => ({ url: absoluteUrl(l.url), label: l.label ? cleanText(l.label, 120) : '' }))
    .filter((l): l is { url: string; label: string } => l.url !== null)
    .map((l) => ({ url: l.url, label: l.label || new URL(l.url).hostname }));
  const [primary, ...more] = links;
  const summary = cleanText(u.summary, 1000, true);
  const text = summary || excerpt(cleanText(u.bodyText, 5000, true), 600);
  const tz = u.event?.timeZone ?? s.timeZone;
  return {
    id: u.updateId,
    title: cleanText(u.title, 300),
    organisation: cleanText(u.organisation, 300),
    url: primary?.url ?? null,
    paragraphs: text
      .split(/\n\s*\n/)
      .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
      .filter(Boolean),
    when: u.event ? formatRange(u.event.start, u.event.end, s.lang, tz) : null,
    where: u.event?.location ? cleanText(u.event.location, 300) : null,
    deadline: u.deadline ? formatInstant(u.deadline, s.lang, u.event?.timeZone ?? s.timeZone) : null,
    links: more.slice(0, 5),
  };
}

/** Plain text from a member: no control characters, no placeholder look-alikes, bounded length. */
export function cleanText(s: string, max: number, keepParagraphs = false): string {
  let t = s
    .normalize('NFC')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029]/g, '');
  // Every "{" before another, so a run of braces ("{{{x}}") cannot leave a "{{" behind.
  t = t.replace(/\r\n?/g, '\n').replace(/\{(?=\{)/g, '{ ');
  t = keepParagraphs
    ? t
        .split(/\n\s*\n/)
        .map((p) => p.replace(/[ \t]+/g, ' ').trim())
        .filter(Boolean)
        .join('\n\n')
    : t.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${cut(t, max - 1).trimEnd()}…` : t;
}

/** The first `n` UTF-16 units, without splitting a surrogate pair (an emoji would become "�"). */
function cut(s: string, n: number): string {
  const code = s.charCodeAt(n - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

function excerpt(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = cut(text, max);
  // Prefer ending at a sentence (Latin or CJK), then at a word.
  const sentence = Math.max(
    head.lastIndexOf('. '),
    head.lastIndexOf('。'),
    head.lastIndexOf('！'),
    head.lastIndexOf('？'),
  );
  if (sentence > max * 0.5) return head.slice(0, sentence + 1);
  const space = head.lastIndexOf(' ');
  return `${(space > max * 0.5 ? head.slice(0, space) : head).trimEnd()}…`;
}

/** Only absolute http(s) links make it into a newsletter. */
export function absoluteUrl(raw: string): string | null {
  try {
    const u = new URL(raw.trim());
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || !u.hostname) return null;
    if (u.username || u.password) return null;
    return u.toString();
  } catch {
    return null;
  }
}

const zoneLabel = (tz: string) => (tz === 'UTC' || tz === 'Etc/UTC' ? 'UTC' : tz.replace(/_/g, ' '));

const dateTimeFormat = (lang: string, tz: string) =>
  new Intl.DateTimeFormat(lang, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: tz,
  });

export function formatInstant(iso: string, lang: string, tz: string): string {
  const f = dateTimeFormat(lang, tz);
  return `${f.format(new Date(iso))} (${zoneLabel(tz)})`;
}

function formatRange(start: string, end: string | undefined, lang: string, tz: string): string {
  const f = dateTimeFormat(lang, tz);
  const text =
    end && Date.parse(end) > Date.parse(start)
      ? f.formatRange(new Date(start), new Date(end))
      : f.format(new Date(start));
  return `${text} (${zoneLabel(tz)})`;
}

function zonedParts(d: Date, tz: string): { year: number; month: number } {
  const local = DateTime.fromJSDate(d, { zone: tz });
  return { year: local.year, month: local.month };
}

/** First instant of the calendar quarter before the one `now` falls in, in the given time zone. */
export function startOfPreviousQuarter(now: Date, tz: string): Date {
  return DateTime.fromJSDate(now, { zone: tz }).startOf('quarter').minus({ quarters: 1 }).toJSDate();
}
