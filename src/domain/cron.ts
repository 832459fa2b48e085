import { IANAZone } from 'luxon';
import { ValidationError } from './errors.ts';

/**
 * EventBridge Scheduler schedule expressions, evaluated the way Scheduler does in an IANA time zone:
 *
 *   cron(minutes hours day-of-month month day-of-week year)   e.g. cron(0 9 1 1,4,7,10 ? *)
 *   rate(value minutes|hours|days)                            e.g. rate(5 minutes)
 *   at(yyyy-mm-ddThh:mm:ss)                                   e.g. at(2027-03-30T23:59:00)
 *
 * Daylight saving time follows Scheduler's documented behaviour: a cron time that falls in the hour skipped
 * in spring does not run that day; a cron time repeated in autumn runs once, at its first occurrence.
 * A `rate` counts fixed durations (1 day = 24 h), so it drifts by an hour against the wall clock across DST.
 *
 * Pure (luxon's zone data only), so the local scheduler, the CLI and the property tests share it.
 */

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

interface DomRule {
  days: Set<number>;
  /** L: the last day of the month. */
  last: boolean;
  /** LW: the last weekday (Mon–Fri) of the month. */
  lastWeekday: boolean;
  /** nW: the weekday nearest to day n, within the same month. */
  nearestWeekday: number[];
}

interface DowRule {
  /** 1 = Sunday … 7 = Saturday (EventBridge numbering). */
  days: Set<number>;
  /** d#n: the n-th weekday d of the month. */
  nth: { day: number; n: number }[];
  /** dL: the last weekday d of the month. */
  last: number[];
}

export interface CronSchedule {
  kind: 'cron';
  source: string;
  minutes: number[];
  hours: number[];
  months: number[];
  /** undefined = every year. */
  years?: number[];
  /** Exactly one of dom and dow is set (the other field was "?"). */
  dom?: DomRule;
  dow?: DowRule;
}

export interface RateSchedule {
  kind: 'rate';
  source: string;
  value: number;
  unit: 'minutes' | 'hours' | 'days';
  ms: number;
}

export interface AtSchedule {
  kind: 'at';
  source: string;
  wall: Required<WallTime>;
}

export type ScheduleExpression = CronSchedule | RateSchedule | AtSchedule;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;

function invalid(expr: string, why: string): never {
  throw new ValidationError(`invalid schedule expression ${JSON.stringify(expr)}: ${why}`, {
    expression: expr,
  });
}

export function parseScheduleExpression(input: string): ScheduleExpression {
  const expr = input.trim();
  const m = /^(cron|rate|at)\((.*)\)$/i.exec(expr);
  if (!m) invalid(expr, 'expected cron(…), rate(…) or at(…)');
  const kind = m[1]!.toLowerCase();
  const body = m[2]!.trim();
  if (kind === 'rate') return parseRate(expr, body);
  if (kind === 'at') return parseAt(expr, body);
  return parseCron(expr, body);
}

function parseRate(expr: string, body: string): RateSchedule {
  const m = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/i.exec(body);
  if (!m) invalid(expr, 'rate needs "value unit", unit one of minutes, hours, days');
  const value = Number(m[1]);
  if (!Number.isSafeInteger(value) || value < 1) invalid(expr, 'rate value must be a positive integer');
  const unitWord = m[2]!.toLowerCase();
  const unit = (unitWord.endsWith('s') ? unitWord : `${unitWord}s`) as RateSchedule['unit'];
  const per = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 }[unit];
  return { kind: 'rate', source: expr, value, unit, ms: value * per };
}

function parseAt(expr: string, body: string): AtSchedule {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) invalid(expr, 'at needs yyyy-mm-ddThh:mm:ss');
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as number[];
  const wall = { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second! };
  const check = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
  if (
    check.getUTCFullYear() !== wall.year ||
    check.getUTCMonth() !== wall.month - 1 ||
    check.getUTCDate() !== wall.day ||
    wall.hour > 23 ||
    wall.minute > 59 ||
    wall.second > 59
  ) {
    invalid(expr, 'not a real date and time');
  }
  return { kind: 'at', source: expr, wall };
}

function parseCron(expr: string, body: string): CronSchedule {
  const fields = body.split(/\s+/);
  if (fields.length !== 6)
    invalid(
      expr,
      `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    invalid(expr, 'exactly one of day-of-month and day-of-week must be "?"');
  }
  return {
    kind: 'cron',
    source: expr,
    minutes: parseList(expr, 'minutes', min, 0, 59),
    hours: parseList(expr, 'hours', hour, 0, 23),
    months: parseList(expr, 'month', month, 1, 12, MONTHS),
    years: year === '*' ? undefined : parseList(expr, 'year', year, MIN_YEAR, MAX_YEAR),
    dom: dom === '?' ? undefined : parseDom(expr, dom),
    dow: dow === '?' ? undefined : parseDow(expr, dow),
  };
}

function parseDom(expr: string, field: string): DomRule {
  const rule: DomRule = { days: new Set(), last: false, lastWeekday: false, nearestWeekday: [] };
  const plain: string[] = [];
  for (const item of field.toUpperCase().split(',')) {
    if (item === 'L') rule.last = true;
    else if (item === 'LW') rule.lastWeekday = true;
    else if (/^\d{1,2}W$/.test(item)) {
      const n = Number(item.slice(0, -1));
      if (n < 1 || n > 31) invalid(expr, `day-of-month ${item} is out of range`);
      rule.nearestWeekday.push(n);
    } else plain.push(item);
  }
  if (plain.length) for (const d of parseList(expr, 'day-of-month', plain.join(','), 1, 31)) rule.days.add(d);
  return rule;
}

function parseDow(expr: string, field: string): DowRule {
  const rule: DowRule = { days: new Set(), nth: [], last: [] };
  const plain: string[] = [];
  for (const raw of field.toUpperCase().split(',')) {
    const item = replaceNames(raw, DAYS);
    const nth = /^(\d)#(\d)$/.exec(item);
    const last = /^(\d)L$/.exec(item);
    if (item === 'L') rule.days.add(7);
    else if (nth) {
      const day = Number(nth[1]);
      const n = Number(nth[2]);
      if (day < 1 || day > 7 || n < 1 || n > 5) invalid(expr, `day-of-week ${raw} is out of range`);
      rule.nth.push({ day, n });
    } else if (last) {
      const day = Number(last[1]);
      if (day < 1 || day > 7) invalid(expr, `day-of-week ${raw} is out of range`);
      rule.last.push(day);
    } else plain.push(raw);
  }
  if (plain.length)
    for (const d of parseList(expr, 'day-of-week', plain.join(','), 1, 7, DAYS)) rule.days.add(d);
  return rule;
}

function replaceNames(item: string, names?: string[]): string {
  if (!names) return item;
  return item.replace(/[A-Z]{3}/gi, (w) => {
    const i = names.indexOf(w.toUpperCase());
    return i < 0 ? w : String(i + 1);
  });
}

/** A comma list of *, n, a-b, * /s, a/s, a-b/s (wrapping ranges such as FRI-MON allowed). */
function parseList(expr: string, name: string, field: string, lo: number, hi: number, names?: string[]) {
  const out = new Set<number>();
  for (const raw of field.split(',')) {
    const item = replaceNames(raw, names);
    const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(item);
    if (!m) invalid(expr, `${name} field: cannot read ${JSON.stringify(raw)}`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) invalid(expr, `${name} field: step must be at least 1`);
    let from = lo;
    let to = hi;
    if (m[1] !== '*') {
      const [a, b] = m[1]!.split('-').map(Number) as [number, number | undefined];
      from = a;
      to = b ?? (m[2] === undefined ? a : hi);
    }
    if (from < lo || from > hi || to < lo || to > hi)
      invalid(expr, `${name} field: ${raw} is outside ${lo}-${hi}`);
    const span = to >= from ? to - from : to - lo + (hi - from) + 1;
    for (let k = 0; k <= span; k += step) {
      const v = from + k;
      out.add(v > hi ? v - hi - 1 + lo : v);
    }
  }
  return [...out].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------------------
// Time zone arithmetic

const zoneCache = new Map<string, IANAZone>();
function zoneOf(timeZone: string): IANAZone {
  let z = zoneCache.get(timeZone);
  if (!z) {
    z = IANAZone.create(timeZone);
    if (!z.isValid) throw new ValidationError(`unknown time zone ${JSON.stringify(timeZone)}`);
    zoneCache.set(timeZone, z);
  }
  return z;
}

const wallMs = (w: WallTime) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0);

/** Wall-clock fields of an instant in a zone. */
export function wallTimeOf(at: Date, timeZone: string): Required<WallTime> {
  const t = at.getTime();
  const local = new Date(t + zoneOf(timeZone).offset(t) * 60_000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

export interface ResolvedWallTime {
  /** The instants showing this wall time: none (in a spring-forward gap), one, or two (repeated in autumn). */
  instants: Date[];
  /**
   * A gap's wall time read with the offset in force before the change, i.e. moved forward by the gap's
   * length (02:30 on a 02:00→03:00 night becomes 03:30). Set only when `instants` is empty.
   */
  shiftedForward?: Date;
}

/** Which instants does a wall-clock time denote in a zone? */
export function resolveWallTime(wall: WallTime, timeZone: string): ResolvedWallTime {
  const zone = zoneOf(timeZone);
  const w = wallMs(wall);
  const DAY_AND_HALF = 36 * 3_600_000;
  const before = zone.offset(w - DAY_AND_HALF);
  const after = zone.offset(w + DAY_AND_HALF);
  const candidates = new Set([before, zone.offset(w), after]);
  const instants: number[] = [];
  for (const off of candidates) {
    const utc = w - off * 60_000;
    if (zone.offset(utc) === off) instants.push(utc);
  }
  instants.sort((a, b) => a - b);
  if (instants.length) return { instants: [...new Set(instants)].map((t) => new Date(t)) };
  return { instants: [], shiftedForward: new Date(w - before * 60_000) };
}

/**
 * One instant for a wall time: the first occurrence when repeated, moved forward when it falls in a gap.
 * (What a person means by "09:00 on that day" in almost every real case.)
 */
export function instantOfWallTime(wall: WallTime, timeZone: string): Date {
  const r = resolveWallTime(wall, timeZone);
  return r.instants[0] ?? r.shiftedForward!;
}

// ---------------------------------------------------------------------------------------------------------
// Next fire time

const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** EventBridge day-of-week: 1 = Sunday … 7 = Saturday. */
const dowOf = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;

function matchingDays(c: CronSchedule, y: number, m: number): number[] {
  const dim = daysInMonth(y, m);
  const out = new Set<number>();
  if (c.dom) {
    for (const d of c.dom.days) if (d <= dim) out.add(d);
    if (c.dom.last) out.add(dim);
    if (c.dom.lastWeekday) {
      let d = dim;
      while (dowOf(y, m, d) === 1 || dowOf(y, m, d) === 7) d--;
      out.add(d);
    }
    for (const n of c.dom.nearestWeekday) {
      if (n > dim) continue;
      const wd = dowOf(y, m, n);
      if (wd === 7) out.add(n === 1 ? n + 2 : n - 1);
      else if (wd === 1) out.add(n === dim ? n - 2 : n + 1);
      else out.add(n);
    }
  } else if (c.dow) {
    for (let d = 1; d <= dim; d++) {
      const wd = dowOf(y, m, d);
      if (
        c.dow.days.has(wd) ||
        c.dow.nth.some((x) => x.day === wd && Math.ceil(d / 7) === x.n) ||
        c.dow.last.some((x) => x === wd && d + 7 > dim)
      ) {
        out.add(d);
      }
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** Does a wall time match the cron fields (ignoring whether the zone skips or repeats it)? */
export function cronMatchesWallTime(c: CronSchedule, w: WallTime): boolean {
  return (
    c.minutes.includes(w.minute) &&
    c.hours.includes(w.hour) &&
    c.months.includes(w.month) &&
    (!c.years || c.years.includes(w.year)) &&
    matchingDays(c, w.year, w.month).includes(w.day)
  );
}

const cmp = (a: number[], b: number[]) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
};

function nextCron(c: CronSchedule, from: Date, timeZone: string): Date | undefined {
  const fromMs = from.getTime();
  const s = wallTimeOf(from, timeZone);
  const start = [s.year, s.month, s.day, s.hour, s.minute];
  const years = c.years ?? Array.from({ length: MAX_YEAR - MIN_YEAR + 1 }, (_, i) => MIN_YEAR + i);
  for (const y of years) {
    if (y < s.year) continue;
    for (const m of c.months) {
      if (cmp([y, m], start.slice(0, 2)) < 0) continue;
      for (const d of matchingDays(c, y, m)) {
        if (cmp([y, m, d], start.slice(0, 3)) < 0) continue;
        for (const h of c.hours) {
          if (cmp([y, m, d, h], start.slice(0, 4)) < 0) continue;
          for (const min of c.minutes) {
            if (cmp([y, m, d, h, min], start) < 0) continue;
            // First occurrence only; a wall time inside a spring-forward gap does not run (as on AWS).
            const at = resolveWallTime({ year: y, month: m, day: d, hour: h, minute: min }, timeZone)
              .instants[0];
            if (at && at.getTime() > fromMs) return at;
          }
        }
      }
    }
  }
  return undefined;
}

/**
 * The first fire time strictly after `from`, or undefined when there is none (an `at` in the past, a cron
 * whose years are over). `rate` schedules count from `from` (the previous fire, or the schedule's start).
 */
export function nextFireTime(
  expression: string | ScheduleExpression,
  from: Date,
  timeZone = 'UTC',
): Date | undefined {
  const e = typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
  if (e.kind === 'rate') return new Date(from.getTime() + e.ms);
  if (e.kind === 'at') {
    const at = instantOfWallTime(e.wall, timeZone);
    return at.getTime() > from.getTime() ? at : undefined;
  }
  return nextCron(e, from, timeZone);
}
