/**
 * Every kind of system mail is built in the layout it is given (the one saved in the template store), not
 * only the confirmation mail the integration test sends: acknowledgement, member notice, digest, reminder.
 */
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/config/config.ts';
import type { Deadline, Subscriber } from '../../../src/domain/index.ts';
import { buildAck } from '../../../src/use-cases/inbound/ack.ts';
import { buildDigest } from '../../../src/use-cases/notices/digest.ts';
import { buildNotice } from '../../../src/use-cases/notices/member-notices.ts';
import { prepareReminderMessage } from '../../../src/use-cases/reminders/reminder-message.ts';
import { SYSTEM_LAYOUT_HTML } from '../../../src/use-cases/shared/system-layout-html.ts';
import { confirmationMail } from '../../../src/use-cases/subscribers/mails.ts';
import { subscriber } from '../reminders/fakes.ts';

const MARK = 'Saved layout of the secretariat';
const saved = SYSTEM_LAYOUT_HTML.replace('{{newsletter_name}}', `{{newsletter_name}} · ${MARK}`);
const config = ConfigSchema.parse({ GAZETTE_FROM: 'IGPN Gazette <news@igpn.example>' });
const deadline: Deadline = {
  deadlineId: 'd_survey',
  kind: 'deadline',
  title: 'Member survey closes',
  description: '',
  dueAt: '2027-03-30T15:59:00.000Z',
  timeZone: 'Asia/Shanghai',
  audience: { kind: 'all', audience: 'reminders' },
  offsets: ['P1D'],
  language: 'en',
  status: 'active',
  createdAt: '2027-03-01T00:00:00.000Z',
  updatedAt: '2027-03-01T00:00:00.000Z',
  version: 1,
};

/** Each kind of system mail, built with `layoutHtml` (undefined: the built-in layout). */
const mails = (layoutHtml: string | undefined) => ({
  confirmation: confirmationMail(
    config,
    { subscriberId: 's_1', email: 'li@example.org', language: 'en' } as Subscriber,
    'https://news.igpn.example/v1/confirm?token=t',
    layoutHtml,
  ).html,
  acknowledgement: buildAck({
    to: 'press@bme.example',
    from: 'IGPN Gazette <news@igpn.example>',
    organisation: 'BME',
    title: 'Forum',
    status: 'pending',
    attachments: 0,
    withheld: [],
    layoutHtml,
  }).html,
  notice: buildNotice({
    event: 'approved',
    to: 'press@bme.example',
    from: 'IGPN Gazette <news@igpn.example>',
    organisation: 'BME',
    title: 'Forum',
    updateId: 'u_1',
    newsletterName: 'IGPN Gazette',
    postalAddress: 'Beijing',
    layoutHtml,
  }).html,
  digest: buildDigest({
    to: 'secretariat@igpn.example',
    from: 'IGPN Gazette <news@igpn.example>',
    newsletterName: 'IGPN Gazette',
    postalAddress: 'Beijing',
    day: '2027-03-01',
    quarantined: [],
    rejected: [],
    givenUp: [],
    layoutHtml,
  }).html,
  reminder: prepareReminderMessage(
    deadline,
    { kind: 'offset', offset: 'P1D' },
    {
      from: 'news@igpn.example',
      newsletterName: 'IGPN Gazette',
      now: new Date('2027-03-29T00:00:00Z'),
      campaign: 'reminder#d_survey#P1D',
      layoutHtml,
    },
  )(subscriber({ email: 'a@example.org', timeZone: 'Europe/Berlin' }), {
    unsubscribeUrl: 'https://x/u',
    preferencesUrl: 'https://x/p',
    listHeaders: {},
  }).html,
});

describe('system mails in a layout saved in the template store', () => {
  it('every kind is built in the layout given, with its own text still in it', () => {
    for (const [kind, html] of Object.entries(mails(saved))) {
      expect(html, kind).toContain(MARK);
      expect(html, kind).not.toMatch(/\{\{[a-z_]+\}\}/);
    }
    expect(mails(saved).reminder).toContain('Member survey closes');
  });

  it('without one, every kind is in the built-in layout', () => {
    for (const [kind, html] of Object.entries(mails(undefined))) expect(html, kind).not.toContain(MARK);
  });
});
