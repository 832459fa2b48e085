import * as z from 'zod';
import { Actor, Audience, Instant, Language, TimeZone } from './common.ts';
import { EditionSchedule, EditionTarget } from './edition-send.ts';
import { SegmentFilter, SegmentId } from './segment.ts';
import { Section } from './update.ts';

/**
 * A campaign is anything sent in bulk: an edition or one reminder wave.
 * Its key names the per-recipient delivery partition: "edition#8" or "reminder#<deadlineId>#<offset>".
 */
export const CampaignKey = z.string().regex(/^(edition#\d+|reminder#[A-Za-z0-9_-]+#[A-Za-z0-9_-]+|test#.+)$/);
export type CampaignKey = z.infer<typeof CampaignKey>;

export const EditionStatus = z.enum(['draft', 'approved', 'sending', 'paused', 'sent', 'cancelled']);
export type EditionStatus = z.infer<typeof EditionStatus>;

export const EditionItem = z.object({
  updateId: z.string(),
  section: Section,
  title: z.string(),
  organisation: z.string(),
  /** First absolute link of the update, if any (shown in lists and the archive feed). */
  url: z.string().optional(),
});
export type EditionItem = z.infer<typeof EditionItem>;

export const EditionVariant = z.object({
  language: Language,
  subject: z.string(),
  htmlKey: z.string(),
  textKey: z.string(),
  /** Same layout without per-recipient placeholders: the public archive page (content bucket). */
  archiveKey: z.string().optional(),
  /** The template data this variant was rendered from (preview with live reload re-renders it). */
  modelKey: z.string().optional(),
});
export type EditionVariant = z.infer<typeof EditionVariant>;

export const Edition = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  status: EditionStatus,
  windowStart: Instant,
  windowEnd: Instant,
  items: z.array(EditionItem),
  variants: z.array(EditionVariant),
  audience: Audience.default('newsletter'),
  createdAt: Instant,
  compiledAt: Instant,
  approvedBy: Actor.optional(),
  approvedAt: Instant.optional(),
  sendStartedAt: Instant.optional(),
  sentAt: Instant.optional(),
  cancelledAt: Instant.optional(),
  archiveUrl: z.string().optional(),
  recipients: z.number().int().nonnegative().optional(),
  /** Id of the compile run whose blobs the variants point to (a recompile writes new keys). */
  revision: z.string().optional(),
  compiledBy: Actor.optional(),
  cancelledBy: Actor.optional(),
  /** Approved updates in the window left out of this edition, and why (e.g. a deadline already passed). */
  skipped: z.array(z.object({ updateId: z.string(), title: z.string(), reason: z.string() })).default([]),
  /** A saved segment the approver targeted instead of every reader of `audience` (docs/editions.md). */
  target: EditionTarget.optional(),
  /** A scheduled send, until it fires (or is cancelled): see docs/editions.md "Scheduled send". */
  schedule: EditionSchedule.optional(),
});
export type Edition = z.infer<typeof Edition>;

/** Outcome of the latest compile attempt (the async job reports here; the CLI polls it). */
export const CompileAttempt = z.object({
  at: Instant,
  by: Actor,
  ok: z.boolean(),
  number: z.number().int().positive().optional(),
  error: z.string().optional(),
});
export type CompileAttempt = z.infer<typeof CompileAttempt>;

/** Per-(campaign, recipient) delivery claim: the exactly-once guard. */
export const DeliveryStatus = z.enum([
  'claimed', // claim written, send not yet confirmed: after a crash this is "uncertain"
  'sent',
  'failed', // permanent failure, not retried
  'skipped', // suppressed/unsubscribed at send time
  'uncertain', // a claim whose send outcome could not be established; reported, never re-sent automatically
]);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const Delivery = z.object({
  campaign: CampaignKey,
  subscriberId: z.string(),
  status: DeliveryStatus,
  claimedAt: Instant,
  claimToken: z.string(),
  sentAt: Instant.optional(),
  sesMessageId: z.string().optional(),
  error: z.string().optional(),
  attempts: z.number().int().nonnegative().default(0),
});
export type Delivery = z.infer<typeof Delivery>;

export const CampaignStats = z.object({
  campaign: CampaignKey,
  recipients: z.number().int().default(0),
  sent: z.number().int().default(0),
  delivered: z.number().int().default(0),
  bounced: z.number().int().default(0),
  /** Of `bounced`, the hard (permanent) ones: what the reputation guard and SES's bounce rate count. */
  bouncedHard: z.number().int().default(0),
  complained: z.number().int().default(0),
  opened: z.number().int().default(0),
  clicked: z.number().int().default(0),
  failed: z.number().int().default(0),
  uncertain: z.number().int().default(0),
  suppressedSkipped: z.number().int().default(0),
});
export type CampaignStats = z.infer<typeof CampaignStats>;

/**
 * Scope of who receives a reminder or announcement: a list (`all`), the contacts of members (of one type), a
 * saved segment (docs/subscribers.md "Segments"), or a filter given inline. Each becomes a SegmentFilter.
 */
export const AudienceScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all'), audience: Audience.default('reminders') }),
  z.object({ kind: z.literal('members') }),
  z.object({ kind: z.literal('member-type'), memberType: z.string() }),
  z.object({ kind: z.literal('segment'), segmentId: SegmentId }),
  z.object({ kind: z.literal('filter'), filter: SegmentFilter }),
]);
export type AudienceScope = z.infer<typeof AudienceScope>;

/**
 * The filter of a scope other than a saved segment. `list` is the list the campaign is for (reminders:
 * "reminders"): the member scopes and an inline filter without lists keep to readers of it.
 */
export function scopeFilter(
  scope: Exclude<AudienceScope, { kind: 'segment' }>,
  list: Audience,
): SegmentFilter {
  switch (scope.kind) {
    case 'all':
      return SegmentFilter.parse({ lists: [scope.audience] });
    case 'members':
      return SegmentFilter.parse({ lists: [list], members: true });
    case 'member-type':
      return SegmentFilter.parse({ lists: [list], memberTypes: [scope.memberType] });
    case 'filter':
      return { ...scope.filter, lists: scope.filter.lists ?? [list] };
  }
}

export const DeadlineKind = z.enum(['deadline', 'event']);
export const DeadlineStatus = z.enum(['active', 'cancelled', 'passed']);

export const Deadline = z.object({
  deadlineId: z.string(),
  kind: DeadlineKind,
  title: z.string().min(1).max(300),
  description: z.string().max(5000).default(''),
  link: z.url().optional(),
  /** For deadlines: the due instant. For events: the start. */
  dueAt: Instant,
  endAt: Instant.optional(),
  /** The time zone it was announced in (shown next to the recipient's own). */
  timeZone: TimeZone,
  audience: AudienceScope,
  /**
   * "HH:MM": reminders of whole days (P7D, P1D) go out at this local time in each reader's own zone on the
   * reminder's day, instead of at the due wall time (docs/reminders.md "Each reader's hour").
   */
  readerTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .optional(),
  /** Offsets before dueAt, ISO-8601 durations: P14D, P7D, P1D, PT2H. */
  offsets: z
    .array(z.string().regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?$/))
    .default(['P14D', 'P7D', 'P1D']),
  language: z.string().default('en'),
  status: DeadlineStatus,
  createdAt: Instant,
  updatedAt: Instant,
  version: z.number().int().nonnegative(),
  /** The version whose update moved the due time later and asked for an "extended" notice (a retry may finish it). */
  noticeVersion: z.number().int().optional(),
});
export type Deadline = z.infer<typeof Deadline>;

/** `failed`: the send engine refused the wave for a reason a retry cannot fix (see `error`); an update re-plans it. */
export const ReminderStatus = z.enum(['pending', 'sending', 'sent', 'cancelled', 'skipped-late', 'failed']);
export const Reminder = z.object({
  deadlineId: z.string(),
  offset: z.string(),
  fireAt: Instant,
  status: ReminderStatus,
  scheduleName: z.string(),
  /** Deadline version this reminder was planned for; a fire for an older version is ignored. */
  version: z.number().int().nonnegative(),
  sentAt: Instant.optional(),
  /** Why a `failed` reminder was refused ("config: …"), for the secretariat; absent in every other status. */
  error: z.string().optional(),
});
export type Reminder = z.infer<typeof Reminder>;
