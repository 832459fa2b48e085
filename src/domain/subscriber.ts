import { z } from 'zod';
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
  source: z.enum(['form', 'import', 'admin']).default('form'),
  createdAt: Instant,
  updatedAt: Instant,
  confirmedAt: Instant.optional(),
  unsubscribedAt: Instant.optional(),
  softBounces: z.number().int().nonnegative().default(0),
});
export type Subscriber = z.infer<typeof Subscriber>;

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
