import * as z from 'zod';
import { Audience, Email, Instant, Language, TimeZone } from './common.ts';

export const SubscriptionStatus = z.enum(['unconfirmed', 'confirmed', 'unsubscribed']);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatus>;

export const Subscriber = z.object({
  /** Stable id derived from the address (see subscriberIdFor); tokens carry this, never the address. */
  subscriberId: z.string(),
  email: Email,
  name: z.string().trim().max(200).default(''),
  language: Language.default('en'),
  timeZone: TimeZone.default('UTC'),
  audiences: z.array(Audience).min(1).default(['newsletter']),
  status: SubscriptionStatus,
  /** Member organisation this subscriber belongs to, if any (audience "members only"). */
  memberId: z.string().optional(),
  /** What the subscriber is for that member (main contact, communications …): see ContactRole in segment.ts. */
  memberRole: z.string().max(50).optional(),
  /** The subscriber's own country, if known (segments fall back to the member organisation's). */
  country: z.string().trim().max(100).optional(),
  source: z.enum(['form', 'import', 'admin']).default('form'),
  createdAt: Instant,
  updatedAt: Instant,
  confirmedAt: Instant.optional(),
  unsubscribedAt: Instant.optional(),
  softBounces: z.number().int().nonnegative().default(0),
  /** When and how consent was given: double opt-in (form), attested by an import, or by an operator. */
  consentedAt: Instant.optional(),
  consentSource: z.enum(['double-opt-in', 'import', 'admin']).optional(),
  /** Last confirmation (opt-in) mail sent: throttles resends and proves a re-subscribe was requested. */
  confirmationSentAt: Instant.optional(),
  /** Optimistic-concurrency counter kept by the repository (absent = 0). */
  version: z.number().int().nonnegative().optional(),
});
export type Subscriber = z.infer<typeof Subscriber>;

/** What a visitor may submit to subscribe. `website` is the honeypot: humans never see it. */
export const SubscribeRequest = z.object({
  email: Email,
  name: z.string().trim().max(200).default(''),
  language: Language.default('en'),
  timeZone: TimeZone.default('UTC'),
  audiences: z
    .preprocess(splitList, z.array(Audience).min(1, 'choose at least one list'))
    .default(['newsletter']),
  website: z.string().max(2000).optional(),
});
export type SubscribeRequest = z.input<typeof SubscribeRequest>;

/** Preferences a subscriber can change with a preferences token. */
export const PreferencesUpdate = z.object({
  name: z.string().trim().max(200).optional(),
  language: Language.optional(),
  timeZone: TimeZone.optional(),
  audiences: z.preprocess(splitList, z.array(Audience)).optional(),
});
export type PreferencesUpdate = z.input<typeof PreferencesUpdate>;

/** "newsletter,reminders", "newsletter reminders" or an array (HTML forms repeat checkbox fields). */
function splitList(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  return [...new Set(v.split(/[\s,;|]+/).filter(Boolean))];
}

/** Unsubscribe scope carried by the token: one list, or everything. */
export const UnsubscribeScope = z.union([Audience, z.literal('all')]);
export type UnsubscribeScope = z.infer<typeof UnsubscribeScope>;

export const BounceType = z.enum(['soft', 'hard', 'complaint']);
export type BounceType = z.infer<typeof BounceType>;

export const SuppressionReason = z.enum([
  'hard-bounce',
  'soft-bounce-threshold',
  'complaint',
  'manual',
  'erased',
]);
export type SuppressionReason = z.infer<typeof SuppressionReason>;

/** Account-level suppression, keyed by a hash of the address so it survives erasure. */
export const Suppression = z.object({
  emailHash: z.string(),
  /** Shown to operators; dropped when the person asks for erasure (only the hash remains). */
  email: Email.optional(),
  reason: SuppressionReason,
  at: Instant,
  detail: z.string().optional(),
});
export type Suppression = z.infer<typeof Suppression>;

/** One status enum for everything SES tells us about a sent message. */
export const MailEventType = z.enum([
  'send',
  'delivery',
  'bounce-hard',
  'bounce-soft',
  'complaint',
  'reject',
  'open',
  'click',
  'delivery-delay',
  'rendering-failure',
  'subscription',
]);
export type MailEventType = z.infer<typeof MailEventType>;

/** Lifecycle and deliverability history kept per subscriber (no opens/clicks: counters only). */
export const SubscriberEventType = z.enum([
  'subscribe-requested',
  'erase-requested',
  'confirmed',
  'preferences-updated',
  'unsubscribed',
  'imported',
  'added',
  'suppressed',
  'bounce-hard',
  'bounce-soft',
  'complaint',
  'reject',
]);
export type SubscriberEventType = z.infer<typeof SubscriberEventType>;

export const SubscriberEvent = z.object({
  at: Instant,
  type: SubscriberEventType,
  campaign: z.string().optional(),
  detail: z.string().max(1000).optional(),
});
export type SubscriberEvent = z.infer<typeof SubscriberEvent>;

/**
 * An operator's change of a subscriber (`gazette subscribers update`, PATCH /admin/subscribers/:id): only the
 * fields given. `member` is a member id or an organisation name; null unlinks (and drops the role and
 * country with null). Status is not patched: unsubscribing and confirming have their own paths.
 */
export const SubscriberPatch = z
  .object({
    name: z.string().trim().max(200),
    language: Language,
    timeZone: TimeZone,
    audiences: z.preprocess(splitList, z.array(Audience).min(1, 'keep at least one list (or unsubscribe)')),
    member: z.string().trim().min(1).max(300).nullable(),
    memberRole: z.string().trim().min(1).max(50).nullable(),
    country: z.string().trim().min(2).max(100).nullable(),
    /** Optimistic concurrency: refuse if the record is no longer at this version. */
    ifVersion: z.number().int().nonnegative(),
  })
  .partial()
  .strict();
export type SubscriberPatch = z.input<typeof SubscriberPatch>;
