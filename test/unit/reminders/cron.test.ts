import { describe, expect, it } from 'vitest';
import {
  cronMatchesWallTime,
  nextFireTime,
  parseScheduleExpression,
  resolveWallTime,
} from '../../../src/domain/cron.ts';
import { ValidationError } from '../../../src/domain/errors.ts';

const iso = (d: Date | undefined) => d?.toISOString();
function series(expr: string, from: string, tz: string, n: number): string[] {
  const out: string[] = [];
  let t = new Date(from);
  for (let i = 0; i < n; i++) {
    const next = nextFireTime(expr, t, tz);
    if (!next) break;
    out.push(next.toISOString());
    t = next;
  }
  return out;
}

describe('EventBridge cron next fire time', () => {
  it('fires the default quarterly compile at 09:00 Beijing time on the first day of each quarter', () => {
    expect(series('cron(0 9 1 1,4,7,10 ? *)', '2026-02-10T00:00:00Z', 'Asia/Shanghai', 4)).toEqual([
      '2026-04-01T01:00:00.000Z',
      '2026-07-01T01:00:00.000Z',
      '2026-10-01T01:00:00.000Z',
      '2027-01-01T01:00:00.000Z',
    ]);
  });

  it('is strictly after `from`, even when `from` is exactly a fire time', () => {
    expect(iso(nextFireTime('cron(0 9 * * ? *)', new Date('2026-05-05T09:00:00Z'), 'UTC'))).toBe(
      '2026-05-06T09:00:00.000Z',
    );
    expect(iso(nextFireTime('cron(0 9 * * ? *)', new Date('2026-05-05T08:59:59.999Z'), 'UTC'))).toBe(
      '2026-05-05T09:00:00.000Z',
    );
  });

  it('keeps 09:00 wall-clock time in Berlin across the spring and autumn changes', () => {
    expect(series('cron(0 9 * * ? *)', '2026-03-28T12:00:00Z', 'Europe/Berlin', 2)).toEqual([
      '2026-03-29T07:00:00.000Z', // first day of summer time: 09:00 CEST
      '2026-03-30T07:00:00.000Z',
    ]);
    expect(series('cron(0 9 * * ? *)', '2026-10-24T12:00:00Z', 'Europe/Berlin', 2)).toEqual([
      '2026-10-25T08:00:00.000Z', // first day of winter time: 09:00 CET
      '2026-10-26T08:00:00.000Z',
    ]);
  });

  it('skips a time the clocks jump over in spring (New York 02:30 on 8 March 2026), as Scheduler does', () => {
    expect(series('cron(30 2 * * ? *)', '2026-03-07T00:00:00Z', 'America/New_York', 3)).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('runs a time repeated in autumn only once, at its first occurrence (New York 01:30 on 1 November 2026)', () => {
    expect(series('cron(30 1 * * ? *)', '2026-10-31T12:00:00Z', 'America/New_York', 2)).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; the 01:30 EST an hour later does not fire
      '2026-11-02T06:30:00.000Z',
    ]);
    expect(series('cron(0/30 * * * ? *)', '2026-11-01T05:00:00Z', 'America/New_York', 3)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T07:00:00.000Z', // 02:00 EST: the repeated 01:00 and 01:30 are not run again
      '2026-11-01T07:30:00.000Z',
    ]);
  });

  it('supports L, W, LW, # and nL with EventBridge numbering (1 = Sunday)', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    expect(iso(nextFireTime('cron(0 10 L * ? *)', from))).toBe('2026-01-31T10:00:00.000Z');
    expect(iso(nextFireTime('cron(0 10 LW * ? *)', from))).toBe('2026-01-30T10:00:00.000Z'); // 31st is a Saturday
    expect(iso(nextFireTime('cron(0 10 3W * ? *)', from))).toBe('2026-01-02T10:00:00.000Z'); // 3rd is a Saturday
    expect(iso(nextFireTime('cron(0 10 4W * ? *)', from))).toBe('2026-01-05T10:00:00.000Z'); // 4th is a Sunday
    expect(iso(nextFireTime('cron(0 10 ? * 6#3 *)', from))).toBe('2026-01-16T10:00:00.000Z'); // third Friday
    expect(iso(nextFireTime('cron(0 10 ? * 6L *)', from))).toBe('2026-01-30T10:00:00.000Z'); // last Friday
    expect(iso(nextFireTime('cron(0 10 ? * MON-FRI *)', new Date('2026-01-03T00:00:00Z')))).toBe(
      '2026-01-05T10:00:00.000Z',
    );
    expect(iso(nextFireTime('cron(15 10 ? * 1 *)', from))).toBe('2026-01-04T10:15:00.000Z'); // Sunday
  });

  it('honours the year field and reports no next fire once it is over', () => {
    expect(iso(nextFireTime('cron(0 0 1 1 ? 2027)', new Date('2026-06-01T00:00:00Z')))).toBe(
      '2027-01-01T00:00:00.000Z',
    );
    expect(nextFireTime('cron(0 0 1 1 ? 2027)', new Date('2027-06-01T00:00:00Z'))).toBeUndefined();
    expect(nextFireTime('cron(0 0 30 2 ? *)', new Date('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('reads steps, ranges and names, including wrapping ranges', () => {
    const c = parseScheduleExpression('cron(*/20 22-2 ? DEC-FEB SAT,SUN *)');
    if (c.kind !== 'cron') throw new Error('expected cron');
    expect(c.minutes).toEqual([0, 20, 40]);
    expect(c.hours).toEqual([0, 1, 2, 22, 23]);
    expect(c.months).toEqual([1, 2, 12]);
    expect(cronMatchesWallTime(c, { year: 2026, month: 1, day: 3, hour: 23, minute: 40 })).toBe(true); // Saturday
    expect(cronMatchesWallTime(c, { year: 2026, month: 1, day: 5, hour: 23, minute: 40 })).toBe(false); // Monday
  });

  it('refuses malformed expressions with a clear validation error', () => {
    for (const bad of [
      'cron(0 9 1 * * *)', // both day fields set
      'cron(0 9 ? * ? *)', // neither
      'cron(0 9 * *)',
      'cron(60 9 * * ? *)',
      'cron(0 24 * * ? *)',
      'cron(0 9 ? * 8 *)',
      'cron(0 9 ? * 2#6 *)',
      'cron(0 9 32W * ? *)',
      'rate(0 minutes)',
      'rate(5 weeks)',
      'at(2026-02-30T10:00:00)',
      '0 9 * * *',
    ]) {
      expect(() => parseScheduleExpression(bad), bad).toThrow(ValidationError);
    }
  });
});

describe('rate and at expressions', () => {
  it('rate counts fixed durations from the previous fire, so a daily rate drifts an hour across DST', () => {
    const from = new Date('2026-03-28T08:00:00Z'); // 09:00 CET
    const next = nextFireTime('rate(1 day)', from, 'Europe/Berlin');
    expect(iso(next)).toBe('2026-03-29T08:00:00.000Z'); // 10:00 CEST
    expect(iso(nextFireTime('rate(5 minutes)', from))).toBe('2026-03-28T08:05:00.000Z');
    expect(iso(nextFireTime('rate(1 hour)', from))).toBe('2026-03-28T09:00:00.000Z');
  });

  it('at fires once, in the schedule time zone, and never after it has passed', () => {
    const at = 'at(2027-03-30T23:59:00)';
    expect(iso(nextFireTime(at, new Date('2027-01-01T00:00:00Z'), 'Asia/Shanghai'))).toBe(
      '2027-03-30T15:59:00.000Z',
    );
    expect(nextFireTime(at, new Date('2027-03-30T15:59:00Z'), 'Asia/Shanghai')).toBeUndefined();
  });
});

describe('wall-clock resolution', () => {
  it('finds none, one or two instants for a wall time and moves a skipped one forward', () => {
    const gap = resolveWallTime({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York');
    expect(gap.instants).toEqual([]);
    expect(iso(gap.shiftedForward)).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    const twice = resolveWallTime({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York');
    expect(twice.instants.map(iso)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']);
    const once = resolveWallTime({ year: 2026, month: 7, day: 1, hour: 9, minute: 0 }, 'Asia/Shanghai');
    expect(once.instants.map(iso)).toEqual(['2026-07-01T01:00:00.000Z']);
  });
});
