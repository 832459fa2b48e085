import { instantOfWallTime, resolveWallTime, wallTimeOf } from './cron.ts';
import { ValidationError } from './errors.ts';

/**
 * Reminder time maths.
 *
 * An offset is an ISO-8601 duration of days, hours and minutes (P14D, P7D, P1D, PT2H, P1DT12H).
 * "N days before" means N calendar days in the ANNOUNCING time zone at the same wall-clock time:
 * a deadline of 30 March 23:59 Beijing time gets its P14D reminder on 16 March at 23:59 Beijing time, and
 * a Berlin deadline of 1 April 09:00 (summer time) gets its P14D reminder on 18 March 09:00 (winter time),
 * not 08:00. The hours and minutes part is then subtracted as elapsed time (PT2H = exactly two hours before).
 * If the day arithmetic lands on a wall time the zone skips (spring forward), the reminder moves forward by
 * the gap; if it lands on a repeated wall time (autumn), the first occurrence is used (the earlier reminder).
 */

export interface Offset {
  days: number;
  hours: number;
  minutes: number;
}

const OFFSET_RE = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;
const MAX_OFFSET_DAYS = 366;

export function parseOffset(text: string): Offset {
  const s = text.trim().toUpperCase();
  const m = OFFSET_RE.exec(s);
  if (!m || s === 'P' || s.endsWith('T')) {
    throw new ValidationError(
      `invalid reminder offset ${JSON.stringify(text)}: use an ISO-8601 duration of days, hours, minutes such as P14D, P1D, PT2H, P1DT12H`,
    );
  }
  const o = { days: Number(m[1] ?? 0), hours: Number(m[2] ?? 0), minutes: Number(m[3] ?? 0) };
  if (offsetMs(o) > MAX_OFFSET_DAYS * 86_400_000) {
    throw new ValidationError(`reminder offset ${text} is more than ${MAX_OFFSET_DAYS} days`);
  }
  return o;
}

/**
 * Canonical text of an offset: P14D, PT2H, P1DT12H, P0D. Minutes carry into hours (PT90M → PT1H30M) but
 * hours never into days: PT24H (elapsed) and P1D (calendar) differ across a DST change.
 */
export function formatOffset(o: Offset): string {
  const total = o.hours * 60 + o.minutes;
  const hours = Math.floor(total / 60);
  const minutes = total % 60;
  const date = o.days ? `${o.days}D` : '';
  const time = (hours ? `${hours}H` : '') + (minutes ? `${minutes}M` : '');
  if (!date && !time) return 'P0D';
  return `P${date}${time ? `T${time}` : ''}`;
}

export const normalizeOffset = (text: string) => formatOffset(parseOffset(text));

/** Nominal length, for ordering offsets (largest first = earliest reminder first). */
export const offsetMs = (o: Offset) => ((o.days * 24 + o.hours) * 60 + o.minutes) * 60_000;

/** Canonical, de-duplicated, largest first. */
export function normalizeOffsets(list: readonly string[]): string[] {
  const parsed = [...new Map(list.map((t) => [normalizeOffset(t), parseOffset(t)])).entries()];
  return parsed.sort((a, b) => offsetMs(b[1]) - offsetMs(a[1]) || a[0].localeCompare(b[0])).map(([t]) => t);
}

/** When the reminder with this offset fires, for an item due at `due` announced in `timeZone`. */
export function reminderFireTime(due: Date, offset: string | Offset, timeZone: string): Date {
  const o = typeof offset === 'string' ? parseOffset(offset) : offset;
  let at = due;
  if (o.days) {
    const w = wallTimeOf(due, timeZone);
    // Date.UTC normalises day underflow into the previous month/year.
    const d = new Date(Date.UTC(w.year, w.month - 1, w.day - o.days));
    const shifted = instantOfWallTime(
      {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: w.hour,
        minute: w.minute,
        second: w.second,
      },
      timeZone,
    );
    at = new Date(shifted.getTime() + due.getUTCMilliseconds());
  }
  return new Date(at.getTime() - (o.hours * 60 + o.minutes) * 60_000);
}

/**
 * Read a due time as typed by the secretariat: an ISO instant with offset or Z ("2027-03-30T15:59:00Z"),
 * or a wall-clock time in the announcing zone ("2027-03-30 23:59", "2027-03-30T23:59:00").
 * A wall time the zone skips is refused; a repeated one means its first occurrence.
 */
export function parseDueTime(text: string, timeZone: string): Date {
  const s = text.trim();
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(s) && /T/i.test(s)) {
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) throw new ValidationError(`cannot read the time ${JSON.stringify(text)}`);
    // Date() rolls 30 February over into March and 24:00 into the next day: refuse them as below.
    const f = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/i.exec(s);
    if (f && !isRealWallTime(f.slice(1).map((v) => Number(v ?? 0)) as number[])) {
      throw new ValidationError(`${JSON.stringify(text)} is not a real date and time`);
    }
    return d;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/i.exec(s);
  if (!m) {
    throw new ValidationError(
      `cannot read the time ${JSON.stringify(text)}: use "YYYY-MM-DD HH:MM" in the announcing time zone, or an ISO instant with an offset`,
    );
  }
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
  const wall = { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second! };
  if (!isRealWallTime([year!, month!, day!, hour!, minute!, second!])) {
    throw new ValidationError(`${JSON.stringify(text)} is not a real date and time`);
  }
  const r = resolveWallTime(wall, timeZone);
  if (!r.instants[0]) {
    throw new ValidationError(
      `${s} does not exist in ${timeZone} (the clocks skip it for daylight saving time); pick another time`,
    );
  }
  return r.instants[0];
}

function isRealWallTime([year, month, day, hour, minute, second]: number[]): boolean {
  const probe = new Date(Date.UTC(year!, month! - 1, day!));
  return (
    probe.getUTCMonth() === month! - 1 &&
    probe.getUTCDate() === day! &&
    hour! <= 23 &&
    minute! <= 59 &&
    second! <= 59
  );
}

export type ReminderWave =
  | { kind: 'offset'; offset: string }
  | { kind: 'now'; stamp: string }
  | { kind: 'extended'; version: number };

/** Campaign key of one reminder wave: reminder#<deadlineId>#<P7D | now-202703301559 | extended-v3>. */
export function reminderCampaign(deadlineId: string, wave: ReminderWave): string {
  const tail =
    wave.kind === 'offset'
      ? wave.offset
      : wave.kind === 'now'
        ? `now-${wave.stamp}`
        : `extended-v${wave.version}`;
  return `reminder#${deadlineId}#${tail}`;
}

export function parseReminderCampaign(
  campaign: string,
): { deadlineId: string; wave: ReminderWave } | undefined {
  const m = /^reminder#([A-Za-z0-9_-]+)#([A-Za-z0-9_-]+)$/.exec(campaign);
  if (!m) return undefined;
  const deadlineId = m[1]!;
  const tail = m[2]!;
  const now = /^now-(\d{12})$/.exec(tail);
  if (now) return { deadlineId, wave: { kind: 'now', stamp: now[1]! } };
  const ext = /^extended-v(\d+)$/.exec(tail);
  if (ext) return { deadlineId, wave: { kind: 'extended', version: Number(ext[1]) } };
  if (OFFSET_RE.test(tail) && tail !== 'P') return { deadlineId, wave: { kind: 'offset', offset: tail } };
  return undefined;
}

/** Minute stamp (UTC) for remind-now waves: a double click within the same minute is one wave. */
export const minuteStamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 12);

/** EventBridge Scheduler name of a reminder's one-time schedule (≤ 64 chars of [0-9a-zA-Z-_.]). */
export function reminderScheduleName(deadlineId: string, offset: string): string {
  const name = `gz-rem-${deadlineId}-${offset}`;
  if (!/^[0-9a-zA-Z_.-]{1,64}$/.test(name)) {
    throw new ValidationError(`cannot build a schedule name from ${deadlineId} and ${offset}`);
  }
  return name;
}

// ---------------------------------------------------------------------------------------------------------
// Each reader's hour (docs/reminders.md "Each reader's hour")

/** A local time of day, "HH:MM" (24-hour). */
export const LOCAL_TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The zone whose day starts first (UTC+14, Kiritimati): nobody's local morning comes before its own. */
export const EARLIEST_ZONE = 'Etc/GMT-14';

/** Offsets of whole days (P14D, P1D) are "on that day" and go out at each reader's hour; PT2H stays exact. */
export function isDayOffset(offset: string | Offset): boolean {
  const o = typeof offset === 'string' ? parseOffset(offset) : offset;
  return o.days > 0 && o.hours === 0 && o.minutes === 0;
}

/** The item fields reader-local timing needs. */
export interface ReaderTimed {
  dueAt: string;
  timeZone: string;
  /** "HH:MM": day reminders go out at this local time in each reader's zone; absent = the exact offset. */
  readerTime?: string;
}

/**
 * When a reader in `readerZone` gets the reminder with this offset. Without a reader time, or for an offset
 * that is not whole days, the exact offset (reminderFireTime). Otherwise `readerTime` in the reader's zone on
 * the reminder's day (the calendar day, in the announcing zone, the offset lands on): a deadline of 30 March
 * 23:59 Beijing has its P1D reminder on 29 March, at 09:00 in Shanghai, in Berlin and in New York alike, not
 * at 23:59. A local time the reader's zone skips (spring forward) moves forward by the gap. If that local
 * time is not before the due time (a reader far west of an item due early in the morning), the exact offset.
 */
export function readerReminderTime(item: ReaderTimed, offset: string, readerZone: string): Date {
  const due = new Date(item.dueAt);
  const nominal = reminderFireTime(due, offset, item.timeZone);
  const m = item.readerTime ? LOCAL_TIME_RE.exec(item.readerTime) : null;
  if (!m || !isDayOffset(offset)) return nominal;
  const day = wallTimeOf(nominal, item.timeZone);
  const at = instantOfWallTime(
    { year: day.year, month: day.month, day: day.day, hour: Number(m[1]), minute: Number(m[2]), second: 0 },
    readerZone,
  );
  return at.getTime() < due.getTime() ? at : nominal;
}

/**
 * When a reminder wave starts: its exact time, or with reader times the first local `readerTime` anywhere on
 * Earth that day (each later reader's hour tops the same wave up; see fire-reminder.ts).
 */
export function waveStartTime(item: ReaderTimed, offset: string): Date {
  const nominal = reminderFireTime(new Date(item.dueAt), offset, item.timeZone);
  if (!item.readerTime || !isDayOffset(offset)) return nominal;
  const first = readerReminderTime(item, offset, EARLIEST_ZONE);
  return first.getTime() < nominal.getTime() ? first : nominal;
}
