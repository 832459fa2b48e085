import { describe, expect, it } from 'vitest';
import { CampaignKey } from '../../../src/domain/campaign.ts';
import { ValidationError } from '../../../src/domain/errors.ts';
import {
  formatOffset,
  normalizeOffsets,
  parseDueTime,
  parseOffset,
  parseReminderCampaign,
  reminderCampaign,
  reminderFireTime,
  reminderScheduleName,
} from '../../../src/domain/reminder-schedule.ts';

const fire = (due: string, offset: string, tz: string) =>
  reminderFireTime(new Date(due), offset, tz).toISOString();

describe('reminder fire times: "N days before" = same wall-clock time in the announcing zone', () => {
  it('Asia/Shanghai (no DST): 14, 7 and 1 days before 30 March 23:59', () => {
    const due = parseDueTime('2027-03-30 23:59', 'Asia/Shanghai').toISOString();
    expect(due).toBe('2027-03-30T15:59:00.000Z');
    expect(fire(due, 'P14D', 'Asia/Shanghai')).toBe('2027-03-16T15:59:00.000Z');
    expect(fire(due, 'P7D', 'Asia/Shanghai')).toBe('2027-03-23T15:59:00.000Z');
    expect(fire(due, 'P1D', 'Asia/Shanghai')).toBe('2027-03-29T15:59:00.000Z');
  });

  it('Europe/Berlin across the spring change keeps 09:00 local, not 14 × 24 hours', () => {
    const due = '2026-04-01T07:00:00.000Z'; // 09:00 CEST
    expect(fire(due, 'P14D', 'Europe/Berlin')).toBe('2026-03-18T08:00:00.000Z'); // 09:00 CET
    expect(fire(due, 'P7D', 'Europe/Berlin')).toBe('2026-03-25T08:00:00.000Z'); // 09:00 CET
    expect(fire(due, 'P1D', 'Europe/Berlin')).toBe('2026-03-31T07:00:00.000Z'); // 09:00 CEST
  });

  it('America/New_York across the autumn change keeps 17:00 local', () => {
    const due = '2026-11-05T22:00:00.000Z'; // 17:00 EST
    expect(fire(due, 'P7D', 'America/New_York')).toBe('2026-10-29T21:00:00.000Z'); // 17:00 EDT
  });

  it('the same instant announced in different zones gets different reminder instants across DST', () => {
    const due = '2026-04-01T07:00:00.000Z';
    expect(fire(due, 'P14D', 'Asia/Shanghai')).toBe('2026-03-18T07:00:00.000Z');
    expect(fire(due, 'P14D', 'Europe/Berlin')).toBe('2026-03-18T08:00:00.000Z');
  });

  it('hours and minutes are elapsed time, applied after the calendar days', () => {
    const due = '2026-03-29T02:00:00.000Z'; // 04:00 CEST, two hours after the change
    expect(fire(due, 'PT2H', 'Europe/Berlin')).toBe('2026-03-29T00:00:00.000Z'); // 01:00 CET
    expect(fire(due, 'PT90M', 'Europe/Berlin')).toBe('2026-03-29T00:30:00.000Z');
    expect(fire('2026-04-01T07:00:00.000Z', 'P1DT2H', 'Europe/Berlin')).toBe('2026-03-31T05:00:00.000Z');
    expect(fire(due, 'P0D', 'Europe/Berlin')).toBe(due);
  });

  it('a day-shift landing in the spring gap moves forward by the gap; a repeated time uses its first occurrence', () => {
    // due Mon 9 March 02:30 EDT; one day before is 02:30 on 8 March, which New York skips.
    expect(fire('2026-03-09T06:30:00.000Z', 'P1D', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
    // due Mon 2 November 01:30 EST; 01:30 on 1 November happens twice: the earlier (EDT) one is used.
    expect(fire('2026-11-02T06:30:00.000Z', 'P1D', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
  });

  it('crosses month and year boundaries', () => {
    expect(fire('2027-01-03T01:00:00.000Z', 'P14D', 'Asia/Shanghai')).toBe('2026-12-20T01:00:00.000Z');
  });
});

describe('offsets', () => {
  it('normalises, de-duplicates and orders offsets largest first', () => {
    expect(normalizeOffsets(['p1d', 'P14D', 'PT2H', 'P7D', 'P1D', 'PT120M'])).toEqual([
      'P14D',
      'P7D',
      'P1D',
      'PT2H',
    ]);
    expect(normalizeOffsets(['PT24H', 'P1D'])).toEqual(['P1D', 'PT24H']); // calendar day ≠ 24 h
    expect(formatOffset(parseOffset('P1DT0H30M'))).toBe('P1DT30M');
    expect(formatOffset(parseOffset('PT90M'))).toBe('PT1H30M');
    expect(formatOffset({ days: 0, hours: 0, minutes: 0 })).toBe('P0D');
  });

  it('refuses what is not a day/hour/minute duration', () => {
    for (const bad of ['P', 'PT', 'P1W', 'P1M', '14d', 'P1DT', 'P-1D', 'P400D', '']) {
      expect(() => parseOffset(bad), bad).toThrow(ValidationError);
    }
  });
});

describe('due times typed by the secretariat', () => {
  it('reads wall time in the announcing zone, or an instant with an offset', () => {
    expect(parseDueTime('2027-03-30 23:59', 'Asia/Shanghai').toISOString()).toBe('2027-03-30T15:59:00.000Z');
    expect(parseDueTime('2027-03-30T23:59:30', 'Europe/Berlin').toISOString()).toBe(
      '2027-03-30T21:59:30.000Z',
    );
    expect(parseDueTime('2027-03-30T15:59:00Z', 'Europe/Berlin').toISOString()).toBe(
      '2027-03-30T15:59:00.000Z',
    );
    expect(parseDueTime('2027-03-30T23:59:00+08:00', 'UTC').toISOString()).toBe('2027-03-30T15:59:00.000Z');
  });

  it('refuses a time the clocks skip, an impossible date and unreadable text', () => {
    expect(() => parseDueTime('2026-03-08 02:30', 'America/New_York')).toThrow(/does not exist/);
    expect(() => parseDueTime('2026-02-30 10:00', 'UTC')).toThrow(/not a real date/);
    expect(() => parseDueTime('next Tuesday', 'UTC')).toThrow(ValidationError);
  });

  it('refuses an impossible date written as an instant instead of rolling it into the next month', () => {
    // Date() reads 30 February as 2 March.
    expect(() => parseDueTime('2027-02-30T23:59:00+08:00', 'Asia/Shanghai')).toThrow(/not a real date/);
    expect(() => parseDueTime('2027-04-31T12:00:00Z', 'UTC')).toThrow(/not a real date/);
    expect(() => parseDueTime('2027-03-30T24:30:00Z', 'UTC')).toThrow(ValidationError);
    expect(parseDueTime('2028-02-29T12:00:00Z', 'UTC').toISOString()).toBe('2028-02-29T12:00:00.000Z');
  });

  it('takes the first occurrence of a repeated wall time', () => {
    expect(parseDueTime('2026-11-01 01:30', 'America/New_York').toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
  });
});

describe('campaign keys and schedule names', () => {
  it('round-trips every wave kind and fits the domain CampaignKey', () => {
    const waves = [
      { kind: 'offset', offset: 'P14D' },
      { kind: 'offset', offset: 'P1DT12H' },
      { kind: 'now', stamp: '202703301559' },
      { kind: 'extended', version: 3 },
    ] as const;
    for (const wave of waves) {
      const key = reminderCampaign('dl_0abc_DEF-1', wave);
      expect(CampaignKey.safeParse(key).success, key).toBe(true);
      expect(parseReminderCampaign(key)).toEqual({ deadlineId: 'dl_0abc_DEF-1', wave });
    }
    expect(parseReminderCampaign('edition#4')).toBeUndefined();
    expect(parseReminderCampaign('reminder#x#bogus')).toBeUndefined();
  });

  it('builds EventBridge-valid schedule names', () => {
    const name = reminderScheduleName('dl_mk2x9a0bcAbCdEfGh', 'P1DT12H30M');
    expect(name).toMatch(/^[0-9a-zA-Z_.-]{1,64}$/);
  });
});
