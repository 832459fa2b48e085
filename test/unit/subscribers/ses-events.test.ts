import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';
import {
  campaignFromTag,
  classifySesEvent,
  SesEvent,
  sesEventsFromBody,
} from '../../../src/use-cases/subscribers/ses-events.ts';
import { type FixtureName, sesEvent, snsEvent } from './ses-fixtures.ts';

const classify = (name: FixtureName, opts: Parameters<typeof sesEvent>[1] = {}) =>
  classifySesEvent(SesEvent.parse(sesEvent(name, { campaign: 'edition_8', ...opts })));

describe('SES event classification (real SES JSON shapes → MailEventType)', () => {
  it.each([
    ['bounce-permanent', 'bounce-hard'],
    ['notification-bounce', 'bounce-hard'],
    ['bounce-transient', 'bounce-soft'],
    ['complaint', 'complaint'],
    ['delivery', 'delivery'],
    ['send', 'send'],
    ['reject', 'reject'],
    ['open', 'open'],
    ['click', 'click'],
    ['delivery-delay', 'delivery-delay'],
    ['rendering-failure', 'rendering-failure'],
  ] as const)('%s → %s', (fixture, type) => {
    const c = classify(fixture, { to: 'Reader@Example.org' });
    expect(c.type).toBe(type);
    expect(c.recipients.map((r) => r.email.toLowerCase())).toEqual(['reader@example.org']);
  });

  it('reads the campaign back from the sanitised SES tag and keeps the bounce diagnostics', () => {
    const c = classify('bounce-permanent', { subscriber: 's_abc' });
    expect(c).toMatchObject({
      campaign: 'edition#8',
      subscriberTag: 's_abc',
      detail: 'Permanent/General',
      recipients: [{ detail: '5.1.1 smtp; 550 5.1.1 user unknown' }],
    });
  });

  it('treats an Undetermined bounce as soft (it may go away)', () => {
    const e = sesEvent('bounce-transient') as { bounce: { bounceType: string } };
    e.bounce.bounceType = 'Undetermined';
    expect(classifySesEvent(SesEvent.parse(e)).type).toBe('bounce-soft');
  });

  it('refuses unknown event types and bounces without a bounce object', () => {
    expect(() =>
      classifySesEvent(SesEvent.parse({ eventType: 'Teleport', mail: { messageId: 'm' } })),
    ).toThrow(ValidationError);
    expect(() => classifySesEvent(SesEvent.parse({ eventType: 'Bounce', mail: { messageId: 'm' } }))).toThrow(
      /without a bounce/,
    );
    expect(SesEvent.safeParse({ mail: { messageId: 'm' } }).success).toBe(false);
  });

  it.each([
    ['edition_8', 'edition#8'],
    ['edition#12', 'edition#12'],
    ['reminder_dl_0abc-Z_9_P7D', 'reminder#dl_0abc-Z_9#P7D'],
    ['reminder_dl1_PT2H', 'reminder#dl1#PT2H'],
    ['test_smoke', 'test#smoke'],
    ['something-else', undefined],
    [undefined, undefined],
  ])('campaign tag %s → %s', (tag, key) => {
    expect(campaignFromTag(tag)).toBe(key);
  });

  it('unwraps an SNS Lambda event, one SNS notification, or a bare SES event', () => {
    const msg = sesEvent('delivery');
    expect(sesEventsFromBody(snsEvent(msg, 'sns-1'))).toEqual([{ key: 'sns-1', message: msg }]);
    expect(
      sesEventsFromBody({ Type: 'Notification', MessageId: 'sns-2', Message: JSON.stringify(msg) }),
    ).toEqual([{ key: 'sns-2', message: msg }]);
    expect(sesEventsFromBody(msg)).toEqual([{ message: msg }]);
    expect(() =>
      sesEventsFromBody({ Type: 'SubscriptionConfirmation', MessageId: 'x', Message: 'confirm me' }),
    ).toThrow(/SubscriptionConfirmation/);
    expect(() => sesEventsFromBody({ Type: 'Notification', MessageId: 'x', Message: 'not json' })).toThrow(
      ValidationError,
    );
    expect(() => sesEventsFromBody([1, 2])).toThrow(ValidationError);
  });
});
