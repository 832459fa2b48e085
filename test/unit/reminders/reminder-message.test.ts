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
    const own = berlin.text.split('\n').find((l) => l.startsWith('In your time zone'));
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
});
