import { describe, expect, it } from 'vitest';
import type { Deadline } from '../../../src/domain/index.ts';
import { prepareReminderMessage } from '../../../src/use-cases/reminders/reminder-message.ts';
import { subscriber } from './fakes.ts';

const webinar: Deadline = {
  deadlineId: 'd_webinar',
  kind: 'event',
  title: 'IGPN webinar',
  description: '',
  dueAt: '2021-05-25T07:00:00.000Z', // 15:00 Beijing
  endAt: '2021-05-25T10:00:00.000Z', // 18:00 Beijing
  timeZone: 'Asia/Shanghai',
  audience: { kind: 'all', audience: 'reminders' },
  offsets: ['P1D'],
  language: 'en',
  status: 'active',
  createdAt: '2021-05-01T00:00:00.000Z',
  updatedAt: '2021-05-01T00:00:00.000Z',
  version: 1,
};
const links = { unsubscribeUrl: 'https://x/u', preferencesUrl: 'https://x/p', listHeaders: {} };

describe('reminder message', () => {
  it("shows an event's start and end in the reader's own time zone, not only the announcing one", () => {
    const personalise = prepareReminderMessage(
      webinar,
      { kind: 'offset', offset: 'P1D' },
      {
        from: 'news@gazette.local',
        newsletterName: 'IGPN Gazette',
        now: new Date('2021-05-24T07:00:00.000Z'),
        campaign: 'reminder#d_webinar#P1D',
      },
    );
    const berlin = personalise(subscriber({ email: 'a@example.org', timeZone: 'Europe/Berlin' }), links);
    // Wrapped at 78 columns: a field's continuation lines are indented.
    const own = berlin.text
      .replace(/\n {2}/g, ' ')
      .split('\n')
      .find((l) => l.startsWith('In your time zone'));
    // 09:00–12:00 in Berlin (CEST) on 25 May.
    expect(own).toMatch(/9:00.*Europe\/Berlin.*–.*12:00.*Europe\/Berlin/);
  });

  it('keeps the subject on one line when the title has line breaks (mail APIs refuse a multi-line subject)', () => {
    const personalise = prepareReminderMessage(
      { ...webinar, title: 'IGPN webinar\r\non eco-labels\t(part 2)' },
      { kind: 'offset', offset: 'P1D' },
      {
        from: 'news@gazette.local',
        newsletterName: 'IGPN Gazette',
        now: new Date('2021-05-24T07:00:00.000Z'),
        campaign: 'reminder#d_webinar#P1D',
      },
    );
    const msg = personalise(subscriber({ email: 'a@example.org' }), links);
    expect(msg.subject).toBe('Reminder: IGPN webinar on eco-labels (part 2) – starts tomorrow');
  });

  const options = {
    from: 'news@gazette.local',
    newsletterName: 'IGPN Gazette',
    now: new Date('2021-05-24T07:00:00.000Z'),
    campaign: 'reminder#d_webinar#P1D',
    postalAddress: 'IGPN Secretariat, Beijing, China',
  };

  it("is written in each reader's language (zh-Hant → zh, ja, ko), not the item's (issue 14)", () => {
    const personalise = prepareReminderMessage(webinar, { kind: 'offset', offset: 'P1D' }, options);
    const zh = personalise(subscriber({ email: 'a@example.org', language: 'zh-Hant' }), links);
    expect(zh.subject).toMatch(/^提醒: IGPN webinar – 开始/);
    expect(zh.html).toContain('<html lang="zh"');
    expect(personalise(subscriber({ email: 'b@example.org', language: 'ja' }), links).subject).toMatch(
      /^リマインダー: IGPN webinar/,
    );
    expect(personalise(subscriber({ email: 'c@example.org', language: 'ko' }), links).text).toContain(
      '알림 중지',
    );
    expect(personalise(subscriber({ email: 'd@example.org', language: 'en' }), links).subject).toBe(
      'Reminder: IGPN webinar – starts tomorrow',
    );
  });

  it('uses the newsletter layout with its postal address, and wraps the text at 78 columns except URLs (issue 15)', () => {
    const personalise = prepareReminderMessage(
      {
        ...webinar,
        description: 'An hour on eco-labels, with a short quiz and time for questions. '.repeat(4),
      },
      { kind: 'offset', offset: 'P1D' },
      options,
    );
    const long = {
      ...links,
      unsubscribeUrl: `https://news.igpn.example/v1/unsubscribe?token=${'x'.repeat(120)}`,
    };
    const m = personalise(subscriber({ email: 'a@example.org', timeZone: 'Europe/Berlin' }), long);
    expect(m.html).toContain('<title>Reminder: IGPN webinar – starts tomorrow</title>');
    expect(m.html).toContain('xmlns:v="urn:schemas-microsoft-com:vml"');
    expect(m.html).toContain('IGPN Secretariat, Beijing, China');
    expect(m.html).toContain(`href="${long.unsubscribeUrl}"`);
    expect(m.html).not.toMatch(/\u0000|\{\{[a-z_]+\}\}/);
    expect(m.text).toContain('IGPN Secretariat, Beijing, China');
    for (const line of m.text.split('\n'))
      if (!/https?:\/\//.test(line)) expect(line.length).toBeLessThanOrEqual(78);
    expect(m.text.split('\n').some((l) => l.trim() === long.unsubscribeUrl)).toBe(true);
  });
});
