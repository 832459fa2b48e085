import * as z from 'zod';
import {
  CampaignKey,
  Email,
  emailHash,
  type MailEventType,
  subscriberIdFor,
  ValidationError,
} from '../../domain/index.ts';
import { parseInput } from '../../domain/validate.ts';
import type { StatCounter } from '../../ports/stats.ts';
import { MAX_LINKS_PER_CAMPAIGN, normaliseClickLink, OTHER_LINK } from './click-links.ts';
import type { SubscribersDeps } from './deps.ts';
import { unsubscribeSubscriber } from './lifecycle.ts';

// ---------------------------------------------------------------------------------------------------------
// Shapes. SES event publishing (configuration set → SNS) uses `eventType`; identity feedback notifications
// use `notificationType`: both are accepted. Unknown fields are kept (SES adds fields over time).

const Recipient = z.object({
  emailAddress: z.string(),
  action: z.string().optional(),
  status: z.string().optional(),
  diagnosticCode: z.string().optional(),
});

const Mail = z
  .object({
    messageId: z.string().min(1),
    timestamp: z.string().optional(),
    destination: z.array(z.string()).default([]),
    tags: z.record(z.string(), z.array(z.string())).optional(),
  })
  .loose();

export const SesEvent = z
  .object({
    eventType: z.string().optional(),
    notificationType: z.string().optional(),
    mail: Mail,
    bounce: z
      .object({
        bounceType: z.string(),
        bounceSubType: z.string().optional(),
        bouncedRecipients: z.array(Recipient).default([]),
        timestamp: z.string().optional(),
      })
      .loose()
      .optional(),
    complaint: z
      .object({
        complainedRecipients: z.array(Recipient).default([]),
        complaintFeedbackType: z.string().optional(),
        complaintSubType: z.string().nullish(),
        timestamp: z.string().optional(),
      })
      .loose()
      .optional(),
    delivery: z
      .object({ recipients: z.array(z.string()).default([]) })
      .loose()
      .optional(),
    deliveryDelay: z
      .object({ delayType: z.string().optional(), delayedRecipients: z.array(Recipient).default([]) })
      .loose()
      .optional(),
    reject: z.object({ reason: z.string().optional() }).loose().optional(),
    failure: z.object({ errorMessage: z.string().optional() }).loose().optional(),
    click: z.object({ link: z.string().optional() }).loose().optional(),
  })
  .loose()
  .refine((e) => e.eventType ?? e.notificationType, {
    message: 'eventType (or notificationType) is missing',
  });
export type SesEvent = z.infer<typeof SesEvent>;

/** One SNS notification (what SNS posts over HTTP, and `Records[].Sns` in a Lambda event). */
export const SnsNotification = z
  .object({
    Type: z.string().optional(),
    MessageId: z.string().min(1),
    TopicArn: z.string().optional(),
    Message: z.string(),
    Timestamp: z.string().optional(),
  })
  .loose();

/** The Lambda event of an SNS subscription. */
export const SnsLambdaEvent = z.object({
  Records: z.array(z.object({ EventSource: z.string().optional(), Sns: SnsNotification }).loose()).min(1),
});
export type SnsLambdaEvent = z.infer<typeof SnsLambdaEvent>;

// ---------------------------------------------------------------------------------------------------------
// Classification: SES vocabulary → the one MailEventType enum. Pure, unit-tested with real SES JSON.

export interface ClassifiedEvent {
  type: MailEventType;
  messageId: string;
  campaign?: string;
  subscriberTag?: string;
  recipients: { email: string; detail?: string }[];
  detail?: string;
  /** Click: the link as SES reports it (raw: it may carry a reader's token; normalised before counting). */
  link?: string;
}

const TYPE_BY_NAME: Record<string, MailEventType> = {
  send: 'send',
  delivery: 'delivery',
  complaint: 'complaint',
  reject: 'reject',
  open: 'open',
  click: 'click',
  deliverydelay: 'delivery-delay',
  renderingfailure: 'rendering-failure',
  subscription: 'subscription',
};

const recipientDetail = (r: z.infer<typeof Recipient>) =>
  [r.status, r.diagnosticCode].filter(Boolean).join(' ') || undefined;

/**
 * SES tag values allow only [A-Za-z0-9_-.@], so the mailer sends "edition#8" as "edition_8".
 * Reminder offsets are ISO durations (no "_"), so the last "_" separates them from the deadline id.
 */
export function campaignFromTag(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  if (CampaignKey.safeParse(tag).success) return tag;
  let m = /^edition_(\d+)$/.exec(tag);
  if (m) return `edition#${m[1]}`;
  m = /^reminder_([A-Za-z0-9_-]+)_(P[0-9DTHM]+)$/.exec(tag);
  if (m) return `reminder#${m[1]}#${m[2]}`;
  m = /^test_(.+)$/.exec(tag);
  if (m) return `test#${m[1]}`;
  return undefined;
}

export function classifySesEvent(e: SesEvent): ClassifiedEvent {
  const name = (e.eventType ?? e.notificationType ?? '').replace(/\s+/g, '').toLowerCase();
  const base = {
    messageId: e.mail.messageId,
    campaign: campaignFromTag(e.mail.tags?.campaign?.[0]),
    subscriberTag: e.mail.tags?.subscriber?.[0],
  };
  const destination = e.mail.destination.map((email) => ({ email }));
  if (name === 'bounce') {
    if (!e.bounce) throw new ValidationError('Bounce event without a bounce object');
    // Permanent = hard. Transient and Undetermined are counted as soft: they may go away.
    const hard = e.bounce.bounceType === 'Permanent';
    return {
      ...base,
      type: hard ? 'bounce-hard' : 'bounce-soft',
      recipients: e.bounce.bouncedRecipients.map((r) => ({
        email: r.emailAddress,
        detail: recipientDetail(r),
      })),
      detail: [e.bounce.bounceType, e.bounce.bounceSubType].filter(Boolean).join('/'),
    };
  }
  const type = TYPE_BY_NAME[name];
  if (!type)
    throw new ValidationError(`unknown SES event type ${JSON.stringify(e.eventType ?? e.notificationType)}`);
  switch (type) {
    case 'complaint': {
      const listed = e.complaint?.complainedRecipients.map((r) => ({ email: r.emailAddress })) ?? [];
      return {
        ...base,
        type,
        recipients: listed.length ? listed : destination,
        detail: e.complaint?.complaintFeedbackType ?? undefined,
      };
    }
    case 'delivery':
      return {
        ...base,
        type,
        recipients: e.delivery?.recipients.length
          ? e.delivery.recipients.map((email) => ({ email }))
          : destination,
      };
    case 'delivery-delay':
      return {
        ...base,
        type,
        recipients:
          e.deliveryDelay?.delayedRecipients.map((r) => ({
            email: r.emailAddress,
            detail: recipientDetail(r),
          })) ?? destination,
        detail: e.deliveryDelay?.delayType,
      };
    case 'reject':
      return { ...base, type, recipients: destination, detail: e.reject?.reason };
    case 'rendering-failure':
      return { ...base, type, recipients: destination, detail: e.failure?.errorMessage };
    case 'click':
      return { ...base, type, recipients: destination, link: e.click?.link };
    default:
      return { ...base, type, recipients: destination };
  }
}

const COUNTER: Partial<Record<MailEventType, StatCounter>> = {
  delivery: 'delivered',
  'bounce-hard': 'bounced',
  'bounce-soft': 'bounced',
  complaint: 'complained',
  open: 'opened',
  click: 'clicked',
  // SES accepted the message and then refused it (virus): a failed delivery of this campaign.
  reject: 'failed',
};

export interface SesEventResult {
  type: MailEventType;
  messageId: string;
  campaign?: string;
  duplicate: boolean;
  /** What changed, for logs and tests: "suppressed:hard-bounce:<hash prefix>", "stats:bounced" … */
  actions: string[];
}

/** SNS redelivers for a while; a week of markers covers it. */
const LEDGER_DAYS = 7;

/**
 * One SES event: suppression (hard bounce, complaint, soft bounces over the threshold), unsubscribe on
 * complaint, per-campaign counters, per-subscriber history. `key` (the SNS MessageId) makes redelivery a no-op.
 */
export function makeRecordSesEvent(deps: SubscribersDeps) {
  return async (input: { key?: string; message: unknown }): Promise<SesEventResult> => {
    const c = classifySesEvent(parseInput(SesEvent, input.message));
    const result: SesEventResult = {
      type: c.type,
      messageId: c.messageId,
      campaign: c.campaign,
      duplicate: false,
      actions: [],
    };
    // Two markers: "sns:" is taken before the work, "sns-done:" after it. A redelivery that finds the first
    // but not the second belongs to an attempt that died half-way (a Lambda timeout, or a failed release
    // after an error) and does the work instead of being dropped as a duplicate: losing a bounce or a
    // complaint is worse than counting one twice.
    let owned: string | undefined;
    if (input.key) {
      owned = `sns:${input.key}`;
      if (!(await deps.ledger.claim(owned, LEDGER_DAYS))) {
        owned = `sns-done:${input.key}`;
        if (!(await deps.ledger.claim(owned, LEDGER_DAYS))) return { ...result, duplicate: true };
      }
    }
    try {
      await apply(deps, c, result.actions);
    } catch (e) {
      if (owned) await deps.ledger.release(owned).catch(() => {});
      throw e;
    }
    if (input.key && owned === `sns:${input.key}`) {
      await deps.ledger.claim(`sns-done:${input.key}`, LEDGER_DAYS).catch((e) => {
        deps.logger.warn('ses event done-marker not written', { key: input.key, error: String(e) });
      });
    }
    deps.logger.info('ses event', { ...result, recipients: c.recipients.length });
    return result;
  };
}

async function apply(deps: SubscribersDeps, c: ClassifiedEvent, actions: string[]) {
  const now = deps.clock.now();
  // ARF Feedback-Type "not-spam": the provider says the message is NOT spam (it corrects an earlier verdict).
  // It is the opposite of a complaint: no suppression, no unsubscribe, not counted as complained.
  if (c.type === 'complaint' && c.detail?.trim().toLowerCase() === 'not-spam') {
    actions.push('ignored:not-spam');
    return;
  }
  if ((c.type === 'send' || c.type === 'delivery') && c.campaign && c.subscriberTag && deps.onMailSent) {
    if (await deps.onMailSent(c.campaign, c.subscriberTag, c.messageId)) actions.push('delivery-confirmed');
  }
  for (const r of c.recipients) {
    const parsed = Email.safeParse(r.email);
    if (!parsed.success) continue;
    const email = parsed.data;
    const tag = `${emailHash(email).slice(0, 12)}`;
    const subscriberId =
      c.subscriberTag && c.recipients.length === 1
        ? c.subscriberTag
        : subscriberIdFor(email, await deps.tokenSecret());
    const history = (
      type: 'bounce-hard' | 'bounce-soft' | 'complaint' | 'reject' | 'suppressed',
      detail?: string,
    ) =>
      deps.subscribers
        .addEvent(subscriberId, {
          at: now.toISOString(),
          type,
          campaign: c.campaign,
          detail: detail?.slice(0, 1000),
        })
        .catch(() => {});
    const known = async () => (await deps.subscribers.get(subscriberId)) !== undefined;
    switch (c.type) {
      case 'bounce-hard':
        await deps.suppressions.suppress(email, 'hard-bounce', now, r.detail ?? c.detail);
        actions.push(`suppressed:hard-bounce:${tag}`);
        if (await known()) await history('bounce-hard', r.detail ?? c.detail);
        break;
      case 'bounce-soft': {
        const count = await deps.subscribers.addSoftBounce(subscriberId);
        actions.push(`soft-bounce:${tag}:${count ?? 'unknown subscriber'}`);
        if (count === undefined) break;
        await history('bounce-soft', r.detail ?? c.detail);
        if (count >= deps.config.GAZETTE_SOFT_BOUNCE_THRESHOLD) {
          await deps.suppressions.suppress(
            email,
            'soft-bounce-threshold',
            now,
            `${count} consecutive soft bounces; last: ${r.detail ?? c.detail ?? 'n/a'}`,
          );
          await history('suppressed', `soft-bounce-threshold (${count})`);
          actions.push(`suppressed:soft-bounce-threshold:${tag}`);
        }
        break;
      }
      case 'complaint': {
        await deps.suppressions.suppress(email, 'complaint', now, c.detail);
        actions.push(`suppressed:complaint:${tag}`);
        const u = await unsubscribeSubscriber(deps, subscriberId, 'all', 'complaint');
        if (u.found) {
          await history('complaint', c.detail);
          if (u.changed) actions.push(`unsubscribed:${tag}`);
        }
        break;
      }
      case 'delivery':
        await deps.subscribers.resetSoftBounces(subscriberId);
        break;
      case 'reject':
        if (await known()) await history('reject', c.detail);
        break;
      default:
        break;
    }
  }
  // Counters last: if a step above fails, the event is released and retried without having been counted.
  const counter = COUNTER[c.type];
  if (counter && c.campaign) {
    const n = Math.max(c.recipients.length, 1);
    // Hard bounces also on their own: the send engine's reputation guard and SES's bounce rate count those.
    await deps.stats.increment(c.campaign, {
      [counter]: n,
      ...(c.type === 'bounce-hard' ? { bouncedHard: n } : {}),
    });
    actions.push(`stats:${counter}`);
  }
  // Per link, after the click itself (the ledger claim above makes a redelivery count neither twice). Best
  // effort: a failure here must not release the event, whose redelivery would count the click again.
  if (c.type === 'click' && c.campaign && deps.stats.addLinkClick) {
    const link = normaliseClickLink(c.link);
    try {
      const counted = await deps.stats.addLinkClick(c.campaign, link, MAX_LINKS_PER_CAMPAIGN, OTHER_LINK);
      actions.push(counted === OTHER_LINK ? 'stats:link:other' : 'stats:link');
    } catch (e) {
      deps.logger.warn('click not counted per link', { campaign: c.campaign, error: String(e) });
      actions.push('stats:link:failed');
    }
  }
}

/**
 * What may arrive at POST /admin/ses-events (embedded runtime, tests): an SNS Lambda event, one SNS
 * notification as SNS posts it over HTTP, or a bare SES event (no SNS MessageId, so no redelivery guard).
 */
export function sesEventsFromBody(body: unknown): { key?: string; message: unknown }[] {
  const lambda = SnsLambdaEvent.safeParse(body);
  if (lambda.success) return lambda.data.Records.map((r) => fromNotification(r.Sns));
  const one = SnsNotification.safeParse(body);
  if (one.success) return [fromNotification(one.data)];
  if (body && typeof body === 'object' && ('eventType' in body || 'notificationType' in body)) {
    return [{ message: body }];
  }
  throw new ValidationError('expected an SNS event, an SNS notification or an SES event');
}

export function fromNotification(n: z.infer<typeof SnsNotification>): { key: string; message: unknown } {
  if (n.Type && n.Type !== 'Notification') {
    throw new ValidationError(`SNS ${n.Type} is not handled: subscribe the ses-events Lambda to the topic`);
  }
  try {
    return { key: n.MessageId, message: JSON.parse(n.Message) };
  } catch {
    throw new ValidationError(`SNS message ${n.MessageId} does not carry JSON`);
  }
}
