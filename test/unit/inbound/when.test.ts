import ical from 'node-ical';
import { describe, expect, it } from 'vitest';
import { createMimeParser } from '../../../src/adapters/mime/mail-parser.ts';
import {
  offsetOfDateHeader,
  parseDeadline,
  parseIcs,
  parseWhen,
} from '../../../src/use-cases/inbound/when.ts';
import { corpus, fixture } from '../../fixtures/inbound/index.ts';

const utc = { zone: 'UTC' };

describe('dates members write', () => {
  it.each([
    [
      '12–14 May 2026, 09:00–17:00 Europe/Berlin',
      { timeZone: 'Europe/Berlin', start: '2026-05-12T07:00:00Z', end: '2026-05-14T15:00:00Z' },
    ],
    ['2026-05-12T09:00+02:00', { start: '2026-05-12T07:00:00Z' }],
    ['2026年5月12日 14:00 JST', { timeZone: 'Asia/Tokyo', start: '2026-05-12T05:00:00Z' }],
    ['2026년 5월 12일 14:00 KST', { timeZone: 'Asia/Seoul', start: '2026-05-12T05:00:00Z' }],
    [
      'May 3, 2026 2pm - 4pm EST',
      { timeZone: 'America/New_York', start: '2026-05-03T18:00:00Z', end: '2026-05-03T20:00:00Z' },
    ],
    [
      'Thursday 11 June 2026, 15:00 (Beijing time)',
      { timeZone: 'Asia/Shanghai', start: '2026-06-11T07:00:00Z' },
    ],
    [
      '2026-05-12 10:00-12:00 UTC+8',
      { timeZone: 'Etc/GMT-8', start: '2026-05-12T02:00:00Z', end: '2026-05-12T04:00:00Z' },
    ],
    ['12.05.2026', { start: '2026-05-12T00:00:00Z', allDay: true }],
    [
      '2026-06-01 to 2026-06-03',
      { start: '2026-06-01T00:00:00Z', end: '2026-06-04T00:00:00Z', allDay: true },
    ],
  ])('%s', (text, expected) => {
    expect(parseWhen(text, utc)).toEqual(expect.objectContaining(expected));
  });

  it('gives up on what it cannot read rather than guessing', () => {
    expect(parseWhen('next Tuesday afternoon', utc)).toBeUndefined();
    expect(parseWhen('2026-02-30', utc)).toBeUndefined();
  });

  it('uses the sender’s Date offset when the text names no zone, without claiming a zone name', () => {
    const w = parseWhen('12 May 2026 10:00', {
      zone: 'UTC',
      offsetMinutes: offsetOfDateHeader('Tue, 3 Mar 2026 10:15:00 +0100'),
    });
    expect(w).toEqual({ start: '2026-05-12T09:00:00Z', timeZone: undefined });
  });

  it('reads a deadline date as the end of that day in its zone', () => {
    expect(parseDeadline('30 June 2026', { zone: 'Asia/Shanghai' })).toBe('2026-06-30T15:59:59.999Z');
    expect(parseDeadline('30 June 2026 17:00 CEST', utc)).toBe('2026-06-30T15:00:00Z');
  });

  it('a deadline date with a UTC offset that is not whole hours ends that day at that offset', () => {
    expect(parseDeadline('30 June 2026 UTC+5:30', utc)).toBe('2026-06-30T18:29:59.999Z');
    expect(parseDeadline('30 June 2026 GMT-03:30', { zone: 'Asia/Tokyo' })).toBe('2026-07-01T03:29:59.999Z');
  });

  it('reads a zone written before the time ("UTC 14:00") as UTC, keeping the time', () => {
    expect(parseWhen('12 May 2026, UTC 14:00', { zone: 'Asia/Tokyo' })).toEqual({
      timeZone: 'UTC',
      start: '2026-05-12T14:00:00Z',
    });
    expect(parseWhen('12 May 2026, GMT 10:00-12:00', utc)).toMatchObject({
      start: '2026-05-12T10:00:00Z',
      end: '2026-05-12T12:00:00Z',
    });
  });

  it('reads a range across two months from its first day', () => {
    const expected = { start: '2026-05-30T00:00:00Z', end: '2026-06-03T00:00:00Z', allDay: true };
    expect(parseWhen('30 May – 2 June 2026', utc)).toMatchObject(expected);
    expect(parseWhen('May 30 - June 2, 2026', utc)).toMatchObject(expected);
    expect(parseWhen('30 Dec 2026 – 2 Jan 2027', utc)).toMatchObject({
      start: '2026-12-30T00:00:00Z',
      end: '2027-01-03T00:00:00Z',
    });
    expect(parseWhen('30 Dec – 2 Jan 2027', utc)).toMatchObject({
      start: '2026-12-30T00:00:00Z',
      end: '2027-01-03T00:00:00Z',
    });
  });

  it('finds a zone abbreviation after a capitalised word that only looks like one ("GREEN IT")', () => {
    expect(parseWhen('GREEN IT Forum, 12 May 2026 14:00 CET', utc)).toMatchObject({
      timeZone: 'Europe/Paris',
      start: '2026-05-12T12:00:00Z',
    });
  });

  it('finds an IANA zone after a slash-separated word that is not one ("Online/Zoom")', () => {
    expect(parseWhen('12 May 2026 14:00 (Online/Zoom) Europe/Berlin', utc)).toMatchObject({
      timeZone: 'Europe/Berlin',
      start: '2026-05-12T12:00:00Z',
    });
  });

  it('reads afternoon markers in Japanese, Korean and Chinese (午後2時 is 14:00, not 02:00)', () => {
    expect(parseWhen('2026年5月12日 午後2時 JST', utc)).toMatchObject({ start: '2026-05-12T05:00:00Z' });
    expect(parseWhen('2026년 5월 12일 오후 2시 30분 KST', utc)).toMatchObject({
      start: '2026-05-12T05:30:00Z',
    });
    expect(parseWhen('2026年5月12日 下午2:00 北京时间', utc)).toMatchObject({
      start: '2026-05-12T06:00:00Z',
    });
    expect(parseWhen('2026年5月12日 午前10時〜午後4時 JST', utc)).toMatchObject({
      start: '2026-05-12T01:00:00Z',
      end: '2026-05-12T07:00:00Z',
    });
  });
});

describe('.ics invitations', () => {
  it('agrees with node-ical on the corpus Google Calendar invite (TZID Europe/Tallinn)', async () => {
    const m = await createMimeParser().parse(corpus('postal-mime--calendar-event.eml'));
    const text = Buffer.from(
      m.attachments.find((a) => a.contentType === 'text/calendar')!.content,
    ).toString();
    const ours = parseIcs(text, utc)!;
    const ref = Object.values(ical.sync.parseICS(text)).find((c) => c.type === 'VEVENT') as ical.VEvent;
    expect(ours.event.start).toBe(ref.start.toISOString().replace('.000', ''));
    expect(ours.event.end).toBe(ref.end.toISOString().replace('.000', ''));
    expect(ours.event.timeZone).toBe('Europe/Tallinn');
    expect(ours.summary).toContain('Test event');
  });

  it('maps an Outlook Windows zone name and unescapes text', async () => {
    const m = await createMimeParser().parse(fixture('calendar-invite.eml'));
    const ics = parseIcs(Buffer.from(m.attachments[0]!.content).toString(), utc)!;
    expect(ics.event).toEqual({
      start: '2026-04-15T12:00:00Z',
      end: '2026-04-15T13:30:00Z',
      timeZone: 'Europe/Berlin',
      location: 'Microsoft Teams Meeting',
      allDay: undefined,
    });
    expect(ics.summary).toBe('Webinar: Green cleaning products in public tenders');
    expect(ics.description).toBe(
      'How three cities wrote green cleaning criteria, and what they saved.\nJoin us!',
    );
    expect(ics.url).toBe('https://greenbuy.example/webinars/cleaning');
  });

  it('reads all-day and UTC events and ignores calendars without a VEVENT', () => {
    const allDay = parseIcs(
      'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260501\nEND:VEVENT\nEND:VCALENDAR',
      utc,
    );
    expect(allDay?.event).toMatchObject({ start: '2026-05-01T00:00:00Z', allDay: true });
    const z = parseIcs('BEGIN:VEVENT\r\nDTSTART:20260501T080000Z\r\nEND:VEVENT', { zone: 'Asia/Tokyo' });
    expect(z?.event).toMatchObject({ start: '2026-05-01T08:00:00Z', timeZone: 'UTC' });
    expect(parseIcs('BEGIN:VCALENDAR\nEND:VCALENDAR', utc)).toBeUndefined();
  });
});

describe('.ics time zone ids that name an Object property', () => {
  it.each(['constructor', 'toString', '__proto__'])(
    'TZID=%s is an unknown zone, not a lost event',
    (tzid) => {
      const ics = parseIcs(
        `BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=${tzid}:20260512T100000\nSUMMARY:Forum\nEND:VEVENT\nEND:VCALENDAR`,
        { zone: 'Asia/Tokyo' },
      );
      expect(ics?.event).toEqual({ start: '2026-05-12T01:00:00Z', timeZone: undefined });
    },
  );
});
