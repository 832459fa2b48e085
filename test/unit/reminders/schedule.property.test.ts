import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextFireTime } from '../../../src/domain/cron.ts';
import {
  formatOffset,
  normalizeOffset,
  parseOffset,
  reminderFireTime,
} from '../../../src/domain/reminder-schedule.ts';

/**
 * Property tests of the schedule maths against an independent reference: wall-clock fields come from
 * Intl (the runtime's ICU), not from luxon, and minimality is checked by scanning minute by minute.
 */

const ZONES = [
  'UTC',
  'Asia/Shanghai',
  'Europe/Berlin',
  'America/New_York',
  'Australia/Sydney',
  'Asia/Kolkata',
  'Pacific/Chatham', // +12:45 / +13:45
];
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 1 = Sunday … 7 = Saturday */
  dow: number;
}
const formatters = new Map<string, Intl.DateTimeFormat>();
function wall(t: number, zone: string): Wall {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    dow: DAY_NAMES.indexOf(p.weekday!) + 1,
  };
}
const sameWall = (a: Wall, b: Wall) =>
  a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
/** A repeated (autumn) wall time's second occurrence: the same wall time was shown 30 or 60 minutes before. */
const isRepeat = (t: number, zone: string) =>
  [30, 60].some((m) => sameWall(wall(t - m * 60_000, zone), wall(t, zone)));

/** A cron field as text plus the set of values it denotes (computed here, not by the parser). */
const field = (lo: number, hi: number, fieldMax = hi) =>
  fc.oneof(
    fc.constant({ text: '*', set: range(lo, fieldMax) }),
    fc.uniqueArray(fc.integer({ min: lo, max: hi }), { minLength: 1, maxLength: 3 }).map((vs) => ({
      text: vs.join(','),
      set: vs,
    })),
    fc
      .tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: 1, max: Math.max(1, hi - lo) }))
      .map(([a, s]) => ({
        text: `${a}/${s}`,
        // "a/s" runs to the field's own maximum (31 for day-of-month), not to the generator's bound.
        set: range(a, fieldMax).filter((v) => (v - a) % s === 0),
      })),
    fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi })).map(([a, b]) => {
      const [x, y] = a <= b ? [a, b] : [b, a];
      return { text: `${x}-${y}`, set: range(x, y) };
    }),
  );
function range(a: number, b: number) {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

const cronArb = fc
  .record({
    minutes: field(0, 59),
    hours: field(0, 23),
    months: fc.oneof(
      { weight: 3, arbitrary: fc.constant({ text: '*', set: range(1, 12) }) },
      { weight: 1, arbitrary: field(1, 12) },
    ),
    days: fc.oneof(
      field(1, 28, 31).map((f) => ({ dom: f, dow: undefined })),
      field(1, 7).map((f) => ({ dom: undefined, dow: f })),
    ),
  })
  .map((c) => ({
    ...c,
    text: `cron(${c.minutes.text} ${c.hours.text} ${c.days.dom?.text ?? '?'} ${c.months.text} ${c.days.dow?.text ?? '?'} *)`,
  }));
type Cron = typeof cronArb extends fc.Arbitrary<infer T> ? T : never;

function matches(c: Cron, w: Wall): boolean {
  return (
    c.minutes.set.includes(w.minute) &&
    c.hours.set.includes(w.hour) &&
    c.months.set.includes(w.month) &&
    (c.days.dom ? c.days.dom.set.includes(w.day) : c.days.dow!.set.includes(w.dow))
  );
}

const instantArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2032, 0, 1) });
const zoneArb = fc.constantFrom(...ZONES);
const SCAN_MS = 2 * 86_400_000;

describe('cron next fire time (property)', () => {
  it('is strictly after `from`, matches every field in the target zone, is a first occurrence, and is the earliest such minute', () => {
    fc.assert(
      fc.property(cronArb, instantArb, zoneArb, (c, fromMs, zone) => {
        const next = nextFireTime(c.text, new Date(fromMs), zone);
        expect(next, c.text).toBeDefined(); // days ≤ 28 exist in every month of every year
        const t = next!.getTime();
        expect(t).toBeGreaterThan(fromMs);
        expect(t % 60_000).toBe(0);
        expect(matches(c, wall(t, zone))).toBe(true);
        expect(isRepeat(t, zone)).toBe(false);
        // Minimal: no earlier matching minute (within a bounded scan window).
        const end = Math.min(t, fromMs + SCAN_MS);
        for (let m = Math.floor(fromMs / 60_000) * 60_000 + 60_000; m < end; ) {
          const w = wall(m, zone);
          // Skip the rest of a non-matching hour (transitions happen on the hour, so nothing is jumped over).
          const step = c.hours.set.includes(w.hour) ? 60_000 : (60 - w.minute) * 60_000;
          const at = m;
          m += step;
          if (!c.minutes.set.includes(w.minute)) continue;
          const m0 = at;
          if (matches(c, w) && !isRepeat(m0, zone)) {
            throw new Error(
              `${c.text} in ${zone}: ${new Date(m0).toISOString()} matches before ${next!.toISOString()}`,
            );
          }
        }
      }),
      { numRuns: 120 },
    );
  });

  it('rate(n unit) fires exactly one period after `from`', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom(['minutes', 60_000], ['hours', 3_600_000], ['days', 86_400_000]),
        instantArb,
        zoneArb,
        (n, [unit, ms], from, zone) => {
          const next = nextFireTime(`rate(${n} ${unit})`, new Date(from), zone);
          expect(next!.getTime() - from).toBe(n * (ms as number));
        },
      ),
    );
  });
});

const offsetArb = fc.record({
  days: fc.integer({ min: 0, max: 60 }),
  hours: fc.integer({ min: 0, max: 47 }),
  minutes: fc.integer({ min: 0, max: 59 }),
});

describe('reminder offsets (property)', () => {
  it('round-trip: formatting is canonical and parsing it back keeps days and elapsed minutes', () => {
    fc.assert(
      fc.property(offsetArb, (o) => {
        const text = formatOffset(o);
        expect(normalizeOffset(text)).toBe(text);
        const back = parseOffset(text);
        expect(back.days).toBe(o.days);
        expect(back.hours * 60 + back.minutes).toBe(o.hours * 60 + o.minutes);
      }),
    );
  });

  it('a time-only offset is exact elapsed time before the due instant', () => {
    fc.assert(
      fc.property(instantArb, zoneArb, fc.integer({ min: 1, max: 72 * 60 }), (due, zone, mins) => {
        const at = reminderFireTime(new Date(due), formatOffset({ days: 0, hours: 0, minutes: mins }), zone);
        expect(due - at.getTime()).toBe(mins * 60_000);
      }),
    );
  });

  it('a day offset lands N calendar days earlier at the same wall-clock time in the announcing zone', () => {
    fc.assert(
      fc.property(
        instantArb.map((t) => Math.floor(t / 60_000) * 60_000),
        zoneArb,
        fc.integer({ min: 1, max: 60 }),
        (due, zone, days) => {
          const at = reminderFireTime(new Date(due), `P${days}D`, zone).getTime();
          const dw = wall(due, zone);
          const aw = wall(at, zone);
          const expectedDate = new Date(Date.UTC(dw.year, dw.month - 1, dw.day - days));
          const sameTime = aw.hour === dw.hour && aw.minute === dw.minute;
          if (sameTime) {
            expect([aw.year, aw.month, aw.day]).toEqual([
              expectedDate.getUTCFullYear(),
              expectedDate.getUTCMonth() + 1,
              expectedDate.getUTCDate(),
            ]);
            expect(isRepeat(at, zone)).toBe(false); // first occurrence of a repeated time
          } else {
            // Only allowed when that wall time does not exist that day: nothing within ±3 h shows it.
            for (let m = at - 3 * 3_600_000; m <= at + 3 * 3_600_000; m += 60_000) {
              const w = wall(m, zone);
              const target =
                w.year === expectedDate.getUTCFullYear() &&
                w.month === expectedDate.getUTCMonth() + 1 &&
                w.day === expectedDate.getUTCDate() &&
                w.hour === dw.hour &&
                w.minute === dw.minute;
              expect(target).toBe(false);
            }
            expect(at).toBeGreaterThan(at - 1); // moved forward past the gap
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
