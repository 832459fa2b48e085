/**
 * Dates members write by hand ("When: 12–14 May 2026, 09:00–17:00 Europe/Berlin", "2026年5月12日 14:00 JST")
 * and the VEVENT of an attached .ics, turned into EventTime. Anything not understood yields undefined:
 * the moderator fills it in rather than the parser guessing wildly.
 */
import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';
import type { EventTime } from '../../domain/update.ts';

/** Zone to use when the text names none: an IANA name, or the sender's UTC offset from the Date header. */
export interface ZoneFallback {
  zone: string;
  offsetMinutes?: number;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
  // es / fr / de
  enero: 1,
  febrero: 2,
  marzo: 3,
  abril: 4,
  mayo: 5,
  junio: 6,
  julio: 7,
  agosto: 8,
  septiembre: 9,
  octubre: 10,
  noviembre: 11,
  diciembre: 12,
  janvier: 1,
  février: 2,
  fevrier: 2,
  mars: 3,
  avril: 4,
  mai: 5,
  juin: 6,
  juillet: 7,
  août: 8,
  aout: 8,
  septembre: 9,
  octobre: 10,
  novembre: 11,
  décembre: 12,
  decembre: 12,
  januar: 1,
  februar: 2,
  märz: 3,
  maerz: 3,
  juni: 6,
  juli: 7,
  oktober: 10,
  dezember: 12,
};
const MONTH_RE = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');

/** Unambiguous abbreviations only (CST and IST mean different places to different readers). */
const ABBREVIATIONS: Record<string, string> = {
  UTC: 'UTC',
  GMT: 'UTC',
  Z: 'UTC',
  CET: 'Europe/Paris',
  CEST: 'Europe/Paris',
  EET: 'Europe/Athens',
  EEST: 'Europe/Athens',
  WET: 'Europe/Lisbon',
  BST: 'Europe/London',
  JST: 'Asia/Tokyo',
  KST: 'Asia/Seoul',
  HKT: 'Asia/Hong_Kong',
  SGT: 'Asia/Singapore',
  ICT: 'Asia/Bangkok',
  WIB: 'Asia/Jakarta',
  PHT: 'Asia/Manila',
  MYT: 'Asia/Kuala_Lumpur',
  AEST: 'Australia/Sydney',
  AEDT: 'Australia/Sydney',
  NZST: 'Pacific/Auckland',
  NZDT: 'Pacific/Auckland',
  EST: 'America/New_York',
  EDT: 'America/New_York',
  PST: 'America/Los_Angeles',
  PDT: 'America/Los_Angeles',
  BRT: 'America/Sao_Paulo',
  SAST: 'Africa/Johannesburg',
  EAT: 'Africa/Nairobi',
};
/**
 * Abbreviations that name different zones in different countries. Resolved by the member's country when
 * one of the meanings is there; otherwise the time is not guessed (the moderator sets it).
 */
const AMBIGUOUS: Record<string, { label: string; byCountry: Record<string, string> }> = {
  CST: {
    label: 'China, US Central or Cuba',
    byCountry: {
      CN: 'Asia/Shanghai',
      TW: 'Asia/Taipei',
      MO: 'Asia/Macau',
      US: 'America/Chicago',
      CA: 'America/Winnipeg',
      MX: 'America/Mexico_City',
      CU: 'America/Havana',
    },
  },
  CDT: {
    label: 'US Central or Cuba',
    byCountry: { US: 'America/Chicago', CA: 'America/Winnipeg', CU: 'America/Havana' },
  },
  IST: {
    label: 'India, Ireland or Israel',
    byCountry: { IN: 'Asia/Kolkata', IE: 'Europe/Dublin', IL: 'Asia/Jerusalem' },
  },
  AST: {
    label: 'Arabia or Atlantic',
    byCountry: {
      SA: 'Asia/Riyadh',
      KW: 'Asia/Kuwait',
      QA: 'Asia/Qatar',
      BH: 'Asia/Bahrain',
      IQ: 'Asia/Baghdad',
      YE: 'Asia/Aden',
      CA: 'America/Halifax',
      PR: 'America/Puerto_Rico',
    },
  },
  MST: {
    label: 'US Mountain or Malaysia',
    byCountry: {
      US: 'America/Denver',
      CA: 'America/Edmonton',
      MX: 'America/Mazatlan',
      MY: 'Asia/Kuala_Lumpur',
    },
  },
  GST: { label: 'Gulf or South Georgia', byCountry: { AE: 'Asia/Dubai', OM: 'Asia/Muscat' } },
  SST: { label: 'Singapore or Samoa', byCountry: { SG: 'Asia/Singapore', AS: 'Pacific/Pago_Pago' } },
  ADT: { label: 'Arabia or Atlantic daylight', byCountry: { CA: 'America/Halifax' } },
};

/** Readings of PST and BST other than the default (Pacific, British) in the countries that use them. */
const LOCAL_READINGS: Record<string, Record<string, string>> = {
  PST: { PH: 'Asia/Manila', PK: 'Asia/Karachi' },
  BST: { BD: 'Asia/Dhaka' },
};

const NAMED_ZONES: [RegExp, string][] = [
  [/beijing time|china standard time|北京时间|北京時間/iu, 'Asia/Shanghai'],
  [/日本時間/u, 'Asia/Tokyo'],
  [/한국 ?시간/u, 'Asia/Seoul'],
];

interface ZoneFound {
  zone: Zone;
  /** IANA name for EventTime.timeZone, when there is one. */
  name?: string;
}

/** The writer's country (ISO 3166 alpha-2) reads ambiguous abbreviations; notes say what was decided. */
export interface ReadContext {
  country?: string;
}

interface ZoneRead {
  found?: ZoneFound;
  rest: string;
  /** An ambiguous abbreviation the country did not resolve: the time of day must not be trusted. */
  ambiguous?: string;
  note?: string;
}

function findZone(text: string, ctx: ReadContext = {}): ZoneRead {
  for (const [re, name] of NAMED_ZONES) {
    if (re.test(text)) return { found: { zone: IANAZone.create(name), name }, rest: text.replace(re, ' ') };
  }
  // The first candidate that is a zone: "(Online/Zoom) Europe/Berlin" names Europe/Berlin.
  for (const iana of text.matchAll(/\b([A-Z][A-Za-z_]+(?:\/[A-Za-z_-]+){1,2})\b/g)) {
    if (iana[1] && IANAZone.isValidZone(iana[1]))
      return { found: { zone: IANAZone.create(iana[1]), name: iana[1] }, rest: text.replace(iana[0], ' ') };
  }
  // ISO 8601 offset glued to a time: 2026-05-12T09:00+02:00
  const isoOffset = /T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})/.exec(text);
  if (isoOffset?.[1]) {
    const o = isoOffset[1];
    const minutes =
      o === 'Z' ? 0 : (o[0] === '-' ? -1 : 1) * (Number(o.slice(1, 3)) * 60 + Number(o.slice(-2)));
    if (Math.abs(minutes) <= 14 * 60) {
      const at = isoOffset.index + isoOffset[0].length - o.length;
      return {
        found: { zone: FixedOffsetZone.instance(minutes), name: minutes === 0 ? 'UTC' : undefined },
        rest: `${text.slice(0, at)} ${text.slice(at + o.length)}`,
      };
    }
  }
  // The sign, not a range: [+-−] would be every character from + to U+2212, digits included ("UTC 14:00").
  const offset = /\b(?:UTC|GMT)\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?\b/i.exec(text);
  if (offset) {
    const sign = offset[1] === '+' ? 1 : -1;
    const minutes = sign * (Number(offset[2]) * 60 + Number(offset[3] ?? 0));
    if (Math.abs(minutes) <= 14 * 60) {
      const whole =
        minutes % 60 === 0 ? `Etc/GMT${minutes > 0 ? '-' : '+'}${Math.abs(minutes / 60)}` : undefined;
      return {
        found: { zone: FixedOffsetZone.instance(minutes), name: minutes === 0 ? 'UTC' : whole },
        rest: text.replace(offset[0], ' '),
      };
    }
  }
  // The first known abbreviation: in "GREEN IT Forum … 14:00 CET" the zone is CET, not "IT".
  for (const abbr of text.matchAll(/\b([A-Z]{1,4}T|UTC|GMT|WIB)\b/g)) {
    const a = abbr[1] ?? '';
    const rest = text.replace(abbr[0], ' ');
    if (Object.hasOwn(AMBIGUOUS, a)) {
      const amb = AMBIGUOUS[a];
      const zone = ctx.country && amb ? amb.byCountry[ctx.country] : undefined;
      if (zone)
        return {
          found: { zone: IANAZone.create(zone), name: zone },
          rest,
          note: `“${a}” read as ${zone} (the member is in ${ctx.country})`,
        };
      return { rest, ambiguous: `“${a}” is ambiguous (${amb?.label ?? 'several zones'})` };
    }
    const local =
      ctx.country && Object.hasOwn(LOCAL_READINGS, a) ? LOCAL_READINGS[a]?.[ctx.country] : undefined;
    if (local)
      return {
        found: { zone: IANAZone.create(local), name: local },
        rest,
        note: `“${a}” read as ${local} (the member is in ${ctx.country})`,
      };
    const mapped = Object.hasOwn(ABBREVIATIONS, a) ? ABBREVIATIONS[a] : undefined;
    if (mapped) return { found: { zone: IANAZone.create(mapped), name: mapped }, rest };
  }
  return { rest: text };
}

interface Ymd {
  year: number;
  month: number;
  day: number;
}

function findDates(text: string): { dates: Ymd[]; rest: string } {
  const dates: Ymd[] = [];
  let rest = text;
  const take = (re: RegExp, build: (m: RegExpExecArray) => Ymd[]) => {
    for (;;) {
      const m = re.exec(rest);
      if (!m) return;
      dates.push(...build(m));
      rest = `${rest.slice(0, m.index)} ${rest.slice(m.index + m[0].length)}`;
      if (dates.length >= 2) return;
    }
  };
  const month = (s: string | undefined) => MONTHS[(s ?? '').toLowerCase().replace(/\.$/, '')] ?? 0;
  // A range across two months: the year is written once, at the end (30 Dec – 2 Jan 2027 starts in 2026).
  const across = (d1: string, m1: string, d2: string, m2: string, y: string): Ymd[] => [
    { year: Number(y) - (month(m1) > month(m2) ? 1 : 0), month: month(m1), day: Number(d1) },
    { year: Number(y), month: month(m2), day: Number(d2) },
  ];
  const TO = '(?:\\s*[-–—]\\s*|\\s+to\\s+)';
  // 30 May – 2 June 2026
  take(
    new RegExp(
      `\\b(\\d{1,2})(?:st|nd|rd|th|er)?\\.?\\s+(${MONTH_RE})\\.?${TO}(\\d{1,2})(?:st|nd|rd|th|er)?\\.?\\s+(${MONTH_RE})\\.?,?\\s+(\\d{4})\\b`,
      'i',
    ),
    (m) => across(m[1] ?? '', m[2] ?? '', m[3] ?? '', m[4] ?? '', m[5] ?? ''),
  );
  // May 30 – June 2, 2026
  take(
    new RegExp(
      `\\b(${MONTH_RE})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?${TO}(${MONTH_RE})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`,
      'i',
    ),
    (m) => across(m[2] ?? '', m[1] ?? '', m[4] ?? '', m[3] ?? '', m[5] ?? ''),
  );
  // 12–14 May 2026
  take(new RegExp(`\\b(\\d{1,2})\\s*[-–—]\\s*(\\d{1,2})\\s+(${MONTH_RE})\\.?,?\\s+(\\d{4})\\b`, 'i'), (m) => [
    { year: Number(m[4]), month: month(m[3]), day: Number(m[1]) },
    { year: Number(m[4]), month: month(m[3]), day: Number(m[2]) },
  ]);
  // May 12–14, 2026
  take(new RegExp(`\\b(${MONTH_RE})\\.?\\s+(\\d{1,2})\\s*[-–—]\\s*(\\d{1,2}),?\\s+(\\d{4})\\b`, 'i'), (m) => [
    { year: Number(m[4]), month: month(m[1]), day: Number(m[2]) },
    { year: Number(m[4]), month: month(m[1]), day: Number(m[3]) },
  ]);
  // 2026-05-12, 2026/05/12, 2026.05.12
  take(/\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?=\b|T)/, (m) => [
    { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) },
  ]);
  // 2026年5月12日, 2026년 5월 12일
  take(/(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]/u, (m) => [
    { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) },
  ]);
  // 12 May 2026, 12th of May 2026
  take(
    new RegExp(
      `\\b(\\d{1,2})(?:st|nd|rd|th|er)?\\.?\\s+(?:of\\s+|de\\s+)?(${MONTH_RE})\\.?,?\\s+(?:de\\s+)?(\\d{4})\\b`,
      'i',
    ),
    (m) => [{ year: Number(m[3]), month: month(m[2]), day: Number(m[1]) }],
  );
  // May 12, 2026
  take(new RegExp(`\\b(${MONTH_RE})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'i'), (m) => [
    { year: Number(m[3]), month: month(m[1]), day: Number(m[2]) },
  ]);
  // 12.05.2026 (day first: the dotted form is European)
  take(/\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/, (m) => [
    { year: Number(m[3]), month: Number(m[2]), day: Number(m[1]) },
  ]);
  return { dates: dates.slice(0, 2), rest };
}

/** Morning/afternoon words written before the hour: 午後2時, 오후 2시, 下午2点 (14:00); 午前, 오전, 上午. */
const PM_BEFORE = /^(午後|오후|下午|晚上)$/u;

function findTimes(text: string): { hour: number; minute: number }[] {
  const times: { hour: number; minute: number }[] = [];
  const re =
    /(?:(午後|午前|오후|오전|下午|上午|晚上)\s*)?(?:T|\b)(\d{1,2})(?::|h|時|시\s*|点|點)(\d{2})?(?::\d{2})?\s*(am|pm|a\.m\.|p\.m\.)?|\b(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)/giu;
  for (const m of text.matchAll(re)) {
    let hour = Number(m[2] ?? m[5]);
    const minute = Number(m[3] ?? 0);
    const ampm =
      (m[4] ?? m[6])?.toLowerCase().replace(/\./g, '') ??
      (m[1] ? (PM_BEFORE.test(m[1]) ? 'pm' : 'am') : undefined);
    if (m[2] !== undefined && m[3] === undefined && !ampm && !/[時시h点點]/u.test(m[0])) continue;
    if (ampm === 'pm' && hour < 12) hour += 12;
    if (ampm === 'am' && hour === 12) hour = 0;
    if (hour > 23 || minute > 59) continue;
    times.push({ hour, minute });
    if (times.length >= 2) break;
  }
  return times;
}

const fallbackZone = (f: ZoneFallback): Zone =>
  f.offsetMinutes !== undefined ? FixedOffsetZone.instance(f.offsetMinutes) : IANAZone.create(f.zone);

/** "When:" text → EventTime, or undefined when no date can be read. */
export function parseWhen(
  text: string,
  fallback: ZoneFallback,
  ctx: ReadContext = {},
): EventTime | undefined {
  return readWhen(text, fallback, ctx)?.event;
}

/** Like parseWhen, with notes for the audit trail (an ambiguous zone, a zone read by the member's country). */
export function readEventTime(
  text: string,
  fallback: ZoneFallback,
  ctx: ReadContext = {},
): { event?: EventTime; notes: string[] } {
  const r = readWhen(text, fallback, ctx);
  return { event: r?.event, notes: r?.notes ?? [] };
}

interface WhenRead {
  event: EventTime;
  /** The zone it was read in (stated, or the fallback): not every zone has an IANA name. */
  zone: Zone;
  notes: string[];
}

function readWhen(text: string, fallback: ZoneFallback, ctx: ReadContext): WhenRead | undefined {
  const input = text.slice(0, 500);
  const { found, rest, ambiguous, note } = findZone(input, ctx);
  const notes = note ? [note] : [];
  const { dates, rest: timeText } = findDates(rest);
  const first = dates[0];
  if (!first) return undefined;
  const zone = found?.zone ?? fallbackZone(fallback);
  // With an ambiguous zone any time of day could be hours off: keep the date, leave the time to the moderator.
  const times = ambiguous ? [] : findTimes(timeText);
  if (ambiguous && findTimes(timeText).length)
    notes.push(`${ambiguous}: the time in “${input.slice(0, 100)}” was left unset; set it in moderation`);
  const day = (d: Ymd) => DateTime.fromObject(d, { zone });
  const startDay = day(first);
  if (!startDay.isValid) return undefined;
  const lastDay = dates[1] ? day(dates[1]) : undefined;
  const iso = (d: DateTime) => d.toUTC().toISO({ suppressMilliseconds: true }) ?? undefined;
  const base = { timeZone: found?.name };
  const t0 = times[0];
  if (!t0) {
    const end = lastDay?.isValid && lastDay > startDay ? lastDay.plus({ days: 1 }) : undefined;
    const start = iso(startDay);
    if (!start) return undefined;
    return { event: { ...base, start, end: end ? iso(end) : undefined, allDay: true }, zone, notes };
  }
  const start = startDay.set({ hour: t0.hour, minute: t0.minute });
  const t1 = times[1];
  let end: DateTime | undefined;
  if (t1) end = (lastDay?.isValid ? lastDay : startDay).set({ hour: t1.hour, minute: t1.minute });
  else if (lastDay?.isValid && lastDay > startDay) end = lastDay.plus({ days: 1 });
  if (end && end <= start) end = undefined;
  const s = iso(start);
  if (!s) return undefined;
  return { event: { ...base, start: s, end: end ? iso(end) : undefined }, zone, notes };
}

/** "Deadline:" text → the last moment it still counts (end of the day when no time is given). */
export function parseDeadline(
  text: string,
  fallback: ZoneFallback,
  ctx: ReadContext = {},
): string | undefined {
  return readDeadline(text, fallback, ctx).deadline;
}

/** Like parseDeadline, with notes for the audit trail. */
export function readDeadline(
  text: string,
  fallback: ZoneFallback,
  ctx: ReadContext = {},
): { deadline?: string; notes: string[] } {
  const read = readWhen(text, fallback, ctx);
  if (!read) return { notes: [] };
  const { event, zone, notes } = read;
  if (!event.allDay) return { deadline: event.start, notes };
  // The day ends in the zone it was read in, also one with no IANA name (UTC+5:30).
  return {
    deadline: DateTime.fromISO(event.start).setZone(zone).endOf('day').toUTC().toISO() ?? undefined,
    notes,
  };
}

/** UTC offset in minutes of an RFC 5322 Date header ("… +0200"), the sender's local time. */
export function offsetOfDateHeader(header: string | undefined): number | undefined {
  const m = /([+-])(\d{2})(\d{2})\s*(?:\([^)]*\))?\s*$/.exec(header ?? '');
  if (!m) return undefined;
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return Math.abs(minutes) <= 14 * 60 ? minutes : undefined;
}

// --- .ics --------------------------------------------------------------------------------------

/** Outlook writes Windows zone names into TZID; the common ones, mapped to IANA. */
const WINDOWS_ZONES: Record<string, string> = {
  'W. Europe Standard Time': 'Europe/Berlin',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Central European Standard Time': 'Europe/Warsaw',
  'Romance Standard Time': 'Europe/Paris',
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'FLE Standard Time': 'Europe/Kiev',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'China Standard Time': 'Asia/Shanghai',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Korea Standard Time': 'Asia/Seoul',
  'Singapore Standard Time': 'Asia/Singapore',
  'SE Asia Standard Time': 'Asia/Bangkok',
  'India Standard Time': 'Asia/Kolkata',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
  'Pacific Standard Time': 'America/Los_Angeles',
  'E. South America Standard Time': 'America/Sao_Paulo',
  'South Africa Standard Time': 'Africa/Johannesburg',
  UTC: 'UTC',
};

export interface IcsEvent {
  event: EventTime;
  summary?: string;
  description?: string;
  url?: string;
}

/** The first VEVENT of an iCalendar text (RFC 5545), enough of it for a newsletter entry. */
export function parseIcs(ics: string, fallback: ZoneFallback): IcsEvent | undefined {
  const lines = ics
    .slice(0, 1_000_000)
    .replace(/\r\n?/g, '\n')
    .replace(/\n[ \t]/g, '')
    .split('\n');
  const props = new Map<string, { params: Record<string, string>; value: string }>();
  let inEvent = false;
  for (const line of lines) {
    if (/^BEGIN:VEVENT$/i.test(line)) {
      inEvent = true;
      continue;
    }
    if (/^END:VEVENT$/i.test(line)) break;
    if (!inEvent || /^BEGIN:/i.test(line)) continue;
    const colon = indexOfUnquoted(line, ':');
    if (colon < 0) continue;
    const [name = '', ...paramParts] = splitUnquoted(line.slice(0, colon), ';');
    const params: Record<string, string> = {};
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1).replace(/^"|"$/g, '');
    }
    const key = name.toUpperCase();
    if (!props.has(key)) props.set(key, { params, value: line.slice(colon + 1) });
  }
  const dtstart = props.get('DTSTART');
  if (!dtstart) return undefined;
  const start = icsDate(dtstart, fallback);
  if (!start) return undefined;
  const dtend = props.get('DTEND');
  const end = dtend ? icsDate(dtend, fallback) : undefined;
  const text = (k: string) => {
    const v = props.get(k)?.value;
    return v ? unescapeIcs(v).trim().slice(0, 2_000) || undefined : undefined;
  };
  const location = text('LOCATION');
  const url = text('URL');
  return {
    event: {
      start: start.iso,
      end: end && end.iso > start.iso ? end.iso : undefined,
      timeZone: start.zoneName,
      location: location?.slice(0, 300),
      allDay: start.allDay || undefined,
    },
    summary: text('SUMMARY')?.slice(0, 300),
    description: text('DESCRIPTION'),
    url,
  };
}

function icsDate(
  prop: { params: Record<string, string>; value: string },
  fallback: ZoneFallback,
): { iso: string; zoneName?: string; allDay: boolean } | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?$/.exec(prop.value.trim());
  if (!m) return undefined;
  const tzid = prop.params.TZID?.trim();
  let zoneName: string | undefined;
  if (m[7]) zoneName = 'UTC';
  else if (tzid) {
    const clean = tzid.replace(/^\/+/, '');
    zoneName = IANAZone.isValidZone(clean)
      ? clean
      : Object.hasOwn(WINDOWS_ZONES, clean) // TZID is the sender's text: "constructor" is no zone
        ? WINDOWS_ZONES[clean]
        : undefined;
  }
  const zone: Zone = zoneName ? IANAZone.create(zoneName) : fallbackZone(fallback);
  const dt = DateTime.fromObject(
    {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4] ?? 0),
      minute: Number(m[5] ?? 0),
      second: Number(m[6] ?? 0),
    },
    { zone },
  );
  const iso = dt.isValid ? dt.toUTC().toISO({ suppressMilliseconds: true }) : null;
  if (!iso) return undefined;
  return { iso, zoneName: m[7] && tzid ? undefined : zoneName, allDay: m[4] === undefined };
}

const indexOfUnquoted = (s: string, ch: string) => {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') quoted = !quoted;
    else if (s[i] === ch && !quoted) return i;
  }
  return -1;
};
const splitUnquoted = (s: string, ch: string) => {
  const parts: string[] = [];
  let from = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') quoted = !quoted;
    else if (s[i] === ch && !quoted) {
      parts.push(s.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(s.slice(from));
  return parts;
};
const unescapeIcs = (v: string) =>
  v.replace(/\\([nN,;\\])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
