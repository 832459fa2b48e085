import ical from 'node-ical';
import { describe, expect, it } from 'vitest';
import type { Deadline } from '../../../src/domain/index.ts';
import { buildIcs, foldOctets } from '../../../src/use-cases/reminders/calendar.ts';

const survey: Deadline = {
  deadlineId: 'd_survey',
  kind: 'deadline',
  // 63 characters, 189 octets: the line the `ics` library left unfolded.
  title:
    '亚洲绿色采购网络会员调查问卷截止提醒：请各成员机构在截止日期前完成在线问卷填写并提交相关材料和年度报告及联系人信息更新表格谢谢',
  description: '问卷约需十五分钟。'.repeat(12),
  link: 'https://survey.igpn.example/2027/members?lang=zh&ref=gazette-reminder',
  dueAt: '2027-03-30T15:59:00.000Z', // 23:59 in Beijing
  timeZone: 'Asia/Shanghai',
  audience: { kind: 'all', audience: 'reminders' },
  offsets: ['P7D'],
  language: 'zh',
  status: 'active',
  createdAt: '2027-03-01T00:00:00.000Z',
  updatedAt: '2027-03-01T00:00:00.000Z',
  version: 2,
};

/** The bytes as a strict reader sees them: CRLF lines, each valid UTF-8 on its own. */
function octetLines(ics: string): Buffer[] {
  const bytes = Buffer.from(ics, 'utf8');
  const lines: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < bytes.length - 1; i++)
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      lines.push(bytes.subarray(from, i));
      from = i + 2;
    }
  expect(from).toBe(bytes.length); // ends with CRLF, no bare LF anywhere
  return lines;
}

describe('.ics calendar entries (issue 15)', () => {
  it('folds every line at 75 octets, never inside a character, and the unfolded text is the title', () => {
    const ics = buildIcs(survey, 'IGPN Gazette', new Date('2027-03-23T01:00:00Z'));
    const lines = octetLines(ics);
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(75);
      expect(() => strict.decode(line)).not.toThrow(); // a fold inside a character would be invalid UTF-8
    }
    const unfolded = lines
      .map((l) => strict.decode(l))
      .join('\r\n')
      .replace(/\r\n[ \t]/g, '');
    expect(unfolded.split('\r\n')).toContain(`SUMMARY:${survey.title}`);
    const ev = Object.values(ical.sync.parseICS(ics)).find((c) => c?.type === 'VEVENT') as ical.VEvent;
    expect(ev.summary).toBe(survey.title);
    expect(String(ev.description)).toContain(survey.link);
    expect(ev.url).toBe(survey.link);
  });

  it('folds by octets whatever the mix of scripts (ASCII, CJK, emoji)', () => {
    const long = `DESCRIPTION:${'a'.repeat(70)}絵文字🌱${'한국어'.repeat(30)}`;
    const folded = foldOctets(`BEGIN:VCALENDAR\r\n${long}\r\nEND:VCALENDAR\r\n`);
    for (const l of octetLines(folded)) expect(l.length).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(`BEGIN:VCALENDAR\r\n${long}\r\nEND:VCALENDAR\r\n`);
  });

  it('makes a deadline a zero-length, transparent moment at the due time, not 15 minutes into the next day', () => {
    const ics = buildIcs(survey, 'IGPN Gazette');
    expect(ics).toMatch(/\r\nDTSTART:20270330T155900Z\r\n/);
    expect(ics).not.toMatch(/DTEND|DURATION/);
    expect(ics).toMatch(/\r\nTRANSP:TRANSPARENT\r\n/);
    const ev = Object.values(ical.sync.parseICS(ics)).find((c) => c?.type === 'VEVENT') as ical.VEvent;
    expect(new Date(ev.start).toISOString()).toBe('2027-03-30T15:59:00.000Z');
    // RFC 5545 3.6.1: no DTEND with a DATE-TIME start ends at the start; the entry stays on 30 March.
    expect(new Date(ev.end ?? ev.start).toISOString()).toBe('2027-03-30T15:59:00.000Z');
  });

  it('gives an event its start and end, and stamps the entry with the given clock', () => {
    const ics = buildIcs(
      { ...survey, kind: 'event', dueAt: '2027-05-25T07:00:00.000Z', endAt: '2027-05-25T10:00:00.000Z' },
      'IGPN Gazette',
      new Date('2027-05-24T07:00:00Z'),
    );
    expect(ics).toMatch(/\r\nDTSTART:20270525T070000Z\r\nDTEND:20270525T100000Z\r\n/);
    expect(ics).toMatch(/\r\nDTSTAMP:20270524T070000Z\r\n/);
    expect(ics).toMatch(/\r\nTRANSP:OPAQUE\r\n/);
  });
});
