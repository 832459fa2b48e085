/**
 * From approved updates to the data the templates see (documented in templates/README.md).
 * Member content arrives here as untrusted text: it is cleaned, shortened and passed on as text only
 * (the template engine escapes it again); links must be absolute http(s) URLs or they are dropped.
 */
import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';
import {
  type Branding,
  DEFAULT_COLORS,
  DEFAULT_SUMMARY_LENGTH,
  type EditionShape,
} from '../../domain/edition.ts';
import type { EventTime, Section, Update, UpdateTranslation } from '../../domain/index.ts';
import { languageChain } from '../shared/language.ts';

export const SECTION_ORDER: Section[] = ['events', 'news', 'publications', 'deadlines'];

export interface ImageView {
  src: string;
  /** "<600 px URL> 600w, <1200 px URL> 1200w" for retina screens. */
  srcset: string;
  alt: string;
  width: number;
  height: number;
}

export interface FileView {
  url: string;
  label: string;
  /** "PDF", "DOCX" … */
  type: string;
  /** "1.2 MB" */
  size: string;
}

/** A paragraph of member text, or a list (a webinar agenda stays a list). */
export interface BlockView {
  text: string | null;
  has_list: boolean;
  list: string[];
}

export interface ItemView {
  id: string;
  /** Anchor of the item on the archive page ("read more" links there). */
  anchor: string;
  /** The item's own language when it differs from the variant's (`lang` attribute), else null. */
  lang: string | null;
  title: string;
  organisation: string;
  url: string | null;
  paragraphs: string[];
  blocks: BlockView[];
  /** Link to the full text in the archive when the summary was shortened (e-mail only). */
  read_more: string | null;
  when: string | null;
  where: string | null;
  deadline: string | null;
  links: { url: string; label: string }[];
  images: ImageView[];
  files: FileView[];
}

export interface SectionView {
  id: string;
  /** Heading of a custom section; null: the template takes it from strings (t.sections.<id>). */
  heading: string | null;
  items: ItemView[];
}

export interface EditionView {
  lang: string;
  dir: 'ltr' | 'rtl';
  archive: boolean;
  newsletter: {
    name: string;
    archive_url: string;
    postal_address: string;
    footer_text: string | null;
    logo_url: string | null;
    logo_alt: string;
  };
  colors: { primary: string; accent: string; background: string };
  edition: {
    number: number;
    year: number;
    quarter: number;
    /** The secretariat's title for this edition (replaces the subject), or null. */
    title: string | null;
    date: string;
    web_url: string;
    item_count: number;
  };
  foreword: string[];
  featured: ItemView[];
  sections: SectionView[];
}

export interface PlannedSection {
  id: string;
  title?: string;
  updates: Update[];
}

export interface SectionPlan {
  sections: PlannedSection[];
  featured: Update[];
  skipped: { updateId: string; title: string; reason: string }[];
}

const time = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.NaN);

/**
 * Group into sections and order them: events ahead by start, deadlines by due date (soonest first),
 * news and publications newest first. An event that is already over is news, not "ahead"; a deadline
 * that has passed is left out (and reported). The secretariat's shape then moves items into (custom)
 * sections, orders sections and items, and takes featured items out to the top.
 */
export function planSections(updates: Update[], now: Date, shape: EditionShape = {}): SectionPlan {
  const buckets = new Map<string, Update[]>(SECTION_ORDER.map((s) => [s, []]));
  const skipped: SectionPlan['skipped'] = [];
  const nowMs = now.getTime();
  const featuredIds = new Set(shape.featured ?? []);
  const featured: Update[] = [];
  for (const u of updates) {
    let section: string = u.section;
    if (section === 'events' && u.event) {
      const over = time(u.event.end ?? u.event.start);
      if (over < nowMs) section = 'news';
    }
    if (section === 'deadlines' && u.deadline && time(u.deadline) < nowMs) {
      skipped.push({ updateId: u.updateId, title: u.title, reason: `deadline ${u.deadline} has passed` });
      continue;
    }
    if (featuredIds.has(u.updateId)) {
      featured.push(u);
      continue;
    }
    section = shape.assign?.[u.updateId] ?? section;
    if (!buckets.has(section)) buckets.set(section, []);
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
  const manual = new Map((shape.order ?? []).map((id, i) => [id, i]));
  const withManual = (sort: (a: Update, b: Update) => number) => (a: Update, b: Update) => {
    const ma = manual.get(a.updateId);
    const mb = manual.get(b.updateId);
    if (ma !== undefined || mb !== undefined) return (ma ?? Infinity) - (mb ?? Infinity) || sort(a, b);
    return sort(a, b);
  };
  for (const [id, list] of buckets)
    list.sort(
      withManual(
        id === 'events'
          ? byTimeAsc((u) => u.event?.start)
          : id === 'deadlines'
            ? byTimeAsc((u) => u.deadline)
            : byReceivedDesc,
      ),
    );
  featured.sort(
    withManual(
      (a, b) => (shape.featured ?? []).indexOf(a.updateId) - (shape.featured ?? []).indexOf(b.updateId),
    ),
  );
  const titles = new Map((shape.sections ?? []).map((s) => [s.id, s.title]));
  const order = [
    ...(shape.sections ?? []).map((s) => s.id),
    ...SECTION_ORDER,
    ...[...buckets.keys()].filter((k) => !SECTION_ORDER.includes(k as Section)),
  ].filter((id, i, all) => all.indexOf(id) === i);
  return {
    sections: order
      .map((id) => ({ id, title: titles.get(id), updates: buckets.get(id) ?? [] }))
      .filter((s) => s.updates.length),
    featured,
    skipped,
  };
}

/** Published attachments of the edition's items, by their stored key (prepared by the compile). */
export type MediaMap = Map<
  string,
  | { kind: 'image'; src: string; src2x: string | null; width: number; height: number }
  | { kind: 'file'; url: string }
>;

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
  shape?: EditionShape;
  branding?: Branding;
  media?: MediaMap;
}

/**
 * The quarter an edition reports on: the one most of its items were received in (the 1 January compile
 * of October–December content is Q4 of the year before), else the quarter before the compile.
 */
export function editionPeriod(
  plan: SectionPlan,
  compiledAt: Date,
  tz: string,
): { year: number; quarter: number } {
  const counts = new Map<string, number>();
  for (const u of [...plan.featured, ...plan.sections.flatMap((s) => s.updates)]) {
    const d = DateTime.fromISO(u.receivedAt, { zone: tz });
    const key = `${d.year}-${d.quarter}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  // Most items; on a tie, the later quarter.
  const best = [...counts].sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0]))[0]?.[0];
  if (best) {
    const [year, quarter] = best.split('-').map(Number);
    return { year: year ?? 0, quarter: quarter ?? 1 };
  }
  const prev = DateTime.fromJSDate(compiledAt, { zone: tz }).startOf('quarter').minus({ quarters: 1 });
  return { year: prev.year, quarter: prev.quarter };
}

export function buildView(plan: SectionPlan, s: ViewSettings): EditionView {
  const archiveBase = s.archiveUrl.replace(/\/$/, '');
  const period = s.shape?.period ?? editionPeriod(plan, s.compiledAt, s.timeZone);
  const b = s.branding ?? {};
  const webUrl = editionPageUrl(s.archiveUrl, s.number, s.lang, s.defaultLanguage);
  const item = (u: Update) => itemView(u, s, webUrl);
  return {
    lang: s.lang,
    dir: /^(ar|he|fa|ur)(-|$)/.test(s.lang) ? 'rtl' : 'ltr',
    archive: s.archive,
    newsletter: {
      name: cleanText(s.newsletterName, 200),
      archive_url: `${archiveBase}/`,
      postal_address: cleanText(b.postalAddress ?? s.postalAddress, 500),
      footer_text: b.footerText ? cleanText(b.footerText, 1000) : null,
      logo_url: b.logoUrl ? absoluteUrl(b.logoUrl) : null,
      logo_alt: cleanText(b.logoAlt ?? s.newsletterName, 120),
    },
    colors: { ...DEFAULT_COLORS, ...b.colors },
    edition: {
      number: s.number,
      year: period.year,
      quarter: period.quarter,
      title: s.shape?.title ? cleanText(s.shape.title, 200) : null,
      date: new Intl.DateTimeFormat(s.lang, { dateStyle: 'long', timeZone: s.timeZone }).format(s.compiledAt),
      web_url: webUrl,
      item_count: plan.featured.length + plan.sections.reduce((n, sec) => n + sec.updates.length, 0),
    },
    foreword: s.shape?.foreword
      ? cleanText(s.shape.foreword, 4000, true)
          .split(/\n\s*\n/)
          .map((p) => p.replace(/\s*\n\s*/g, ' '))
          .filter(Boolean)
      : [],
    featured: plan.featured.map(item),
    sections: plan.sections.map((sec) => ({
      id: sec.id,
      heading: sec.title ? cleanText(sec.title, 120) : null,
      items: sec.updates.map(item),
    })),
  };
}

export function editionPageUrl(archiveUrl: string, n: number, lang: string, defaultLanguage: string): string {
  const base = `${archiveUrl.replace(/\/$/, '')}/editions/${n}/`;
  return lang === defaultLanguage ? base : `${base}${lang}.html`;
}

const baseLang = (tag: string) => tag.toLowerCase().split('-')[0] ?? tag;

const LIST_ITEM = /^\s*(?:[-*•·–]|\d{1,2}[.)]|[（(]?\d{1,2}[)）]|[①-⑳])\s*/u;

function blocksOf(text: string): BlockView[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .flatMap((p): BlockView[] => {
      const lines = p.split(/\s*\n\s*/).filter(Boolean);
      const listed = lines.filter((l) => LIST_ITEM.test(l));
      if (lines.length > 1 && listed.length >= Math.max(2, lines.length - 1)) {
        // An optional lead-in line ("Agenda:") and then the items.
        const lead = LIST_ITEM.test(lines[0] ?? '') ? [] : [lines[0] ?? ''];
        const items = (lead.length ? lines.slice(1) : lines).map((l) => l.replace(LIST_ITEM, '').trim());
        return [
          ...lead.map((t) => ({ text: t, has_list: false, list: [] })),
          { text: null, has_list: true, list: items },
        ];
      }
      return [{ text: lines.join(' '), has_list: false, list: [] }];
    });
}

/**
 * The moderator's translation for a variant: its own language's, then its parents' (zh-Hant-TW → zh-Hant →
 * zh), never another language's (a ja item stays Japanese in the zh variant without a zh translation).
 */
export function translationFor(u: Update, lang: string): UpdateTranslation | undefined {
  const all = u.translations;
  if (!all) return undefined;
  const base = baseLang(lang);
  for (const tag of languageChain(lang)) {
    if (baseLang(tag) !== base) continue;
    const hit = Object.entries(all).find(([k]) => k.toLowerCase() === tag.toLowerCase());
    if (hit) return hit[1];
  }
  return undefined;
}

function itemView(original: Update, s: ViewSettings, webUrl: string): ItemView {
  const tr = translationFor(original, s.lang);
  const u: Update = tr
    ? { ...original, title: tr.title ?? original.title, summary: tr.summary ?? original.summary }
    : original;
  // Translated text is in the variant's language; an untranslated part keeps the member's own.
  const translated =
    tr !== undefined && tr.title !== undefined && (tr.summary !== undefined || !original.summary);
  const links = u.links
    .map((l) => ({ url: absoluteUrl(l.url), label: l.label ? cleanText(l.label, 120) : '' }))
    .filter((l): l is { url: string; label: string } => l.url !== null)
    .map((l) => ({ url: l.url, label: l.label || new URL(l.url).hostname }));
  const [primary, ...more] = links;
  const summary = cleanText(u.summary, 1000, true);
  const full = summary || excerpt(cleanText(u.bodyText, 5000, true), 600);
  const limit = s.archive ? 1000 : (s.branding?.summaryLength ?? DEFAULT_SUMMARY_LENGTH);
  const text = full.length > limit ? excerpt(full, limit) : full;
  const anchor = `item-${u.updateId.replace(/[^A-Za-z0-9_-]/g, '')}`;
  const ownLang = u.language;
  const media = mediaOf(u, s, cleanText(u.title, 300));
  return {
    id: u.updateId,
    anchor,
    lang: !translated && ownLang && baseLang(ownLang) !== baseLang(s.lang) ? ownLang : null,
    title: cleanText(u.title, 300),
    organisation: cleanText(u.organisation, 300),
    url: primary?.url ?? null,
    paragraphs: text
      .split(/\n\s*\n/)
      .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
      .filter(Boolean),
    blocks: blocksOf(text),
    read_more: text.length < full.length ? `${webUrl}#${anchor}` : null,
    when: u.event ? formatEvent(u.event, s.lang, s.timeZone) : null,
    where: u.event?.location ? cleanText(u.event.location, 300) : null,
    deadline: u.deadline
      ? formatDeadline(u.deadline, deadlineZoneOf(u, s.timeZone), s.lang, s.timeZone)
      : null,
    links: more.slice(0, 5),
    ...media,
  };
}

/** At most two images per item in a mail (Gmail's 102 KB), every image in the archive. */
function mediaOf(u: Update, s: ViewSettings, title: string): { images: ImageView[]; files: FileView[] } {
  const images: ImageView[] = [];
  const files: FileView[] = [];
  for (const f of u.attachments) {
    if (!f.publishable) continue;
    const m = s.media?.get(f.key);
    if (!m) continue;
    if (m.kind === 'image') {
      if (!s.archive && images.length >= 2) continue;
      const alt = altOf(f) ?? title;
      images.push({
        src: m.src,
        srcset: m.src2x ? `${m.src} 600w, ${m.src2x} 1200w` : `${m.src} 600w`,
        alt: cleanText(alt, 300),
        width: m.width,
        height: m.height,
      });
    } else if (files.length < 10) {
      files.push({
        url: m.url,
        label: cleanText(f.filename.replace(/^\d{2}-/, ''), 120),
        type: fileType(f.filename, f.contentType),
        size: humanSize(f.size),
      });
    }
  }
  return { images, files };
}

/** Alt text a moderator set on the photo (StoredFile.alt; PATCH /admin/updates/:id). */
function altOf(f: Update['attachments'][number]): string | undefined {
  return f.alt?.trim() ? f.alt : undefined;
}

function fileType(filename: string, contentType: string): string {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1];
  if (ext) return ext.toUpperCase();
  return (contentType.split('/')[1] ?? 'file').split(/[;+]/)[0]?.toUpperCase() ?? 'FILE';
}

export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
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

// --- dates: the member's own zone first, then the edition's ------------------------------------------

/** Abbreviations readers recognise, for zones whose Intl short name is only an offset. */
const ASIAN_ABBREVIATIONS: Record<string, string> = {
  'Asia/Tokyo': 'JST',
  'Asia/Seoul': 'KST',
  'Asia/Hong_Kong': 'HKT',
  'Asia/Singapore': 'SGT',
};
/** Zones tried, in order, to name a date-only deadline's offset when the update names none. */
const LIKELY_ZONES = [
  'Europe/Paris',
  'Europe/London',
  'Europe/Athens',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Asia/Bangkok',
  'Australia/Sydney',
  'Africa/Nairobi',
];

const zoneOf = (tz: string | Zone): Zone => (typeof tz === 'string' ? (IANAZone.create(tz) as Zone) : tz);

/** "CET", "CEST", "EDT", "JST", "UTC", else "UTC+8" / "UTC+5:30": the zone as a member writes it. */
export function zoneLabel(tz: string | Zone, at: Date): string {
  const zone = zoneOf(tz);
  // The name follows from the zone and its offset that year (CET / CEST); luxon builds a formatter to
  // find it, per call.
  const key = `${zone.name}\u0000${zone.offset(at.getTime())}\u0000${at.getUTCFullYear()}`;
  let label = labels.get(key);
  if (label === undefined) {
    label = labelOf(zone, at);
    if (labels.size >= 500) labels.clear();
    labels.set(key, label);
  }
  return label;
}

const labels = new Map<string, string>();

function labelOf(zone: Zone, at: Date): string {
  const dt = DateTime.fromJSDate(at, { zone });
  const name = zone.name;
  if (name === 'UTC' || name === 'Etc/UTC' || (zone.isUniversal && dt.offset === 0)) return 'UTC';
  const fixed = ASIAN_ABBREVIATIONS[name];
  if (fixed) return fixed;
  const locale = name.startsWith('America/') ? 'en-US' : name.startsWith('Europe/') ? 'en-GB' : undefined;
  if (locale) {
    const short = dt.setLocale(locale).offsetNameShort;
    if (short && /^[A-Z]{2,5}$/.test(short)) return short;
  }
  const sign = dt.offset < 0 ? '-' : '+';
  const abs = Math.abs(dt.offset);
  const mm = abs % 60;
  return `UTC${sign}${Math.floor(abs / 60)}${mm ? `:${String(mm).padStart(2, '0')}` : ''}`;
}

const sameOffset = (a: Zone, b: Zone, at: Date) => a.offset(at.getTime()) === b.offset(at.getTime());

/**
 * Building an Intl.DateTimeFormat costs far more than formatting with one (an edition formats hundreds
 * of dates in a handful of languages and zones): one per kind, language and zone.
 */
const formats = new Map<string, Intl.DateTimeFormat>();
const cachedFormat = (kind: string, lang: string, zone: Zone, options: Intl.DateTimeFormatOptions) => {
  const timeZone = ianaOrOffset(zone);
  const key = `${kind}\u0000${lang}\u0000${timeZone}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { ...options, timeZone });
    if (formats.size >= 500) formats.clear(); // a long-running process meets new zones: stay bounded
    formats.set(key, f);
  }
  return f;
};

const dayFormat = (lang: string, zone: Zone) =>
  cachedFormat('day', lang, zone, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' });

const dateTimeFormat = (lang: string, zone: Zone) =>
  cachedFormat('time', lang, zone, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });

/** Intl accepts IANA names and (Node ≥ 20) "+05:30"-style offsets. */
function ianaOrOffset(zone: Zone): string {
  if (zone instanceof IANAZone) return zone.name;
  const o = zone.offset(Date.now());
  const sign = o < 0 ? '-' : '+';
  const abs = Math.abs(o);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function timed(start: Date, end: Date | undefined, lang: string, zone: Zone): string {
  const f = dateTimeFormat(lang, zone);
  const text = end && end > start ? f.formatRange(start, end) : f.format(start);
  return `${text} ${zoneLabel(zone, start)}`;
}

/**
 * An event in the zone the member wrote ("Tue, 12 May 2026, 17:00–19:00 CET"), then in the edition's zone
 * when that is another offset ("(Wed, 13 May 2026, 00:00–02:00 UTC+8)"). A whole-day event is its dates.
 */
export function formatEvent(event: EventTime, lang: string, editionTz: string): string {
  const own = zoneOf(event.timeZone ?? editionTz);
  const start = new Date(event.start);
  const end = event.end ? new Date(event.end) : undefined;
  if (event.allDay) {
    const lastDay = end ? new Date(end.getTime() - 1) : undefined;
    const f = dayFormat(lang, own);
    return lastDay && dayKey(lastDay, own) !== dayKey(start, own)
      ? f.formatRange(start, lastDay)
      : f.format(start);
  }
  const edition = zoneOf(editionTz);
  const first = timed(start, end, lang, own);
  return sameOffset(own, edition, start) ? first : `${first} (${timed(start, end, lang, edition)})`;
}

const dayKey = (d: Date, zone: Zone) => DateTime.fromJSDate(d, { zone }).toISODate();

/**
 * A deadline as the member wrote it: "closes 15 March" is the date 15 March (in their zone), not the
 * instant that day ends somewhere else ("16 March 06:59 Asia/Shanghai"). A timed deadline shows its own
 * zone first, then the edition's.
 */
export function formatDeadline(
  iso: string,
  own: { zone: Zone; dateOnly: boolean },
  lang: string,
  editionTz: string,
): string {
  const at = new Date(iso);
  const edition = zoneOf(editionTz);
  if (own.dateOnly) {
    const day = dayFormat(lang, own.zone).format(at);
    return sameOffset(own.zone, edition, at) ? day : `${day} (${zoneLabel(own.zone, at)})`;
  }
  const first = timed(at, undefined, lang, own.zone);
  return sameOffset(own.zone, edition, at) ? first : `${first} (${timed(at, undefined, lang, edition)})`;
}

/**
 * The zone a deadline was written in, and whether it was a date without a time (ingest stores a date-only
 * deadline as the last millisecond of that day in the member's zone). Uses the update's deadline zone
 * (`deadlineTimeZone`, once the update model carries it) or its event's, else finds the offset at which
 * the instant is the end of a day.
 */
export function deadlineZoneOf(
  u: Pick<Update, 'deadline' | 'event'>,
  editionTz = 'UTC',
): { zone: Zone; dateOnly: boolean } {
  const at = DateTime.fromISO(u.deadline ?? '', { zone: 'utc' });
  const isEndOfDay = (z: Zone) => {
    const local = at.setZone(z);
    return local.hour === 23 && local.minute === 59 && local.second === 59;
  };
  const declared = [(u as { deadlineTimeZone?: unknown }).deadlineTimeZone, u.event?.timeZone].find(
    (z): z is string => typeof z === 'string' && IANAZone.isValidZone(z),
  );
  if (declared) return { zone: zoneOf(declared), dateOnly: isEndOfDay(zoneOf(declared)) };
  if (at.isValid && at.second === 59 && at.millisecond === 999) {
    for (const tz of [editionTz, ...LIKELY_ZONES]) {
      const z = zoneOf(tz);
      if (z.isValid && isEndOfDay(z)) return { zone: z, dateOnly: true };
    }
    // An offset no likely zone has (UTC+5:45): the end of the day at that offset.
    const offset = ((((23 * 60 + 59 - (at.hour * 60 + at.minute)) % 1440) + 1440 + 720) % 1440) - 720;
    return { zone: FixedOffsetZone.instance(offset), dateOnly: true };
  }
  return { zone: zoneOf(editionTz), dateOnly: false };
}

/** First instant of the calendar quarter before the one `now` falls in, in the given time zone. */
export function startOfPreviousQuarter(now: Date, tz: string): Date {
  return DateTime.fromJSDate(now, { zone: tz }).startOf('quarter').minus({ quarters: 1 }).toJSDate();
}
