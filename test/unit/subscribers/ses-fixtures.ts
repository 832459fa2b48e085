import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type FixtureName =
  | 'bounce-permanent'
  | 'bounce-transient'
  | 'complaint'
  | 'delivery'
  | 'send'
  | 'reject'
  | 'open'
  | 'click'
  | 'delivery-delay'
  | 'rendering-failure'
  | 'notification-bounce';

const dir = new URL('../../fixtures/ses-events/', import.meta.url);

/** A real-shaped SES event record with the recipient and Gazette tags replaced. */
export function sesEvent(
  name: FixtureName,
  opts: { to?: string; campaign?: string; subscriber?: string } = {},
): Record<string, unknown> {
  let text = readFileSync(new URL(`${name}.json`, dir), 'utf8');
  if (opts.to) text = text.replaceAll('recipient@example.com', opts.to);
  const event = JSON.parse(text) as { mail: { tags?: Record<string, string[]> } };
  if (event.mail.tags) {
    if (opts.campaign === undefined) delete event.mail.tags.campaign;
    else event.mail.tags.campaign = [opts.campaign];
    if (opts.subscriber === undefined) delete event.mail.tags.subscriber;
    else event.mail.tags.subscriber = [opts.subscriber];
  }
  return event as Record<string, unknown>;
}

/** Wrapped as SNS delivers it to a Lambda (same shape as test/fixtures/ses-events/sns-lambda-event.json). */
export function snsEvent(message: unknown, messageId: string = randomUUID()) {
  const template = JSON.parse(readFileSync(new URL('sns-lambda-event.json', dir), 'utf8')) as {
    Records: { Sns: { MessageId: string; Message: string } }[];
  };
  const record = template.Records[0]!;
  record.Sns.MessageId = messageId;
  record.Sns.Message = JSON.stringify(message);
  return template;
}
