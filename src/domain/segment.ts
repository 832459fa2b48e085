import * as z from 'zod';
import { Audience, Instant, Language } from './common.ts';
import { MemberType } from './member.ts';
import type { Subscriber } from './subscriber.ts';
import { SubscriptionStatus } from './subscriber.ts';

/** What a subscriber is for a member organisation (a contact of that member). */
export const ContactRole = z.enum([
  'main-contact',
  'communications',
  'survey-focal-point',
  'finance',
  'technical',
  'other',
]);
export type ContactRole = z.infer<typeof ContactRole>;

/** A role as people type it: "Main contact", "survey_focal_point" → main-contact, survey-focal-point. */
export const ContactRoleInput = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .trim()
          .toLowerCase()
          .replace(/[\s_]+/g, '-')
      : v,
  ContactRole,
);

/** Trimmed, de-duplicated, non-empty list; accepts "a,b c" text (CLI, forms) as well as arrays. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? [
            ...new Set(
              v
                .split(/[\s,;|]+/)
                .map((s) => s.trim())
                .filter(Boolean),
            ),
          ]
        : Array.isArray(v)
          ? [...new Set(v)]
          : v,
    z.array(item).min(1).max(200),
  );

/**
 * An audience as a filter over subscribers. Every field given narrows it (AND); the values inside one field
 * are alternatives (OR). Absent fields do not filter. `statuses` defaults to confirmed: only they receive
 * mail, whatever a segment says; other statuses are for previews and exports.
 */
export const SegmentFilter = z
  .object({
    /** Lists (topics) the subscriber opted into: any of them. */
    lists: list(Audience).optional(),
    /** Only contacts of an active member organisation (any type). Implied by the member fields below. */
    members: z.boolean().optional(),
    memberTypes: list(MemberType).optional(),
    memberIds: list(z.string().min(1).max(200)).optional(),
    /** The member organisation's country, or the subscriber's own when it has one (case-insensitive). */
    countries: list(z.string().trim().min(2).max(100)).optional(),
    /** Language tags; "zh" also matches zh-Hant and zh-Hans. */
    languages: list(Language).optional(),
    roles: list(ContactRole).optional(),
    statuses: list(SubscriptionStatus).default(['confirmed']),
  })
  .strict();
export type SegmentFilter = z.infer<typeof SegmentFilter>;
export type SegmentFilterInput = z.input<typeof SegmentFilter>;

export const SegmentId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'use a-z, 0-9 and -, e.g. council-contacts');

/** A saved audience: a named filter that deadlines, events and editions can target. */
export const Segment = z.object({
  segmentId: SegmentId,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  filter: SegmentFilter,
  createdAt: Instant,
  updatedAt: Instant,
  version: z.number().int().nonnegative().default(1),
});
export type Segment = z.infer<typeof Segment>;

/** Admin API: create a segment (PUT /admin/segments/:id is create-or-replace; POST with segmentId creates). */
export const NewSegment = z
  .object({
    segmentId: SegmentId,
    name: Segment.shape.name,
    description: z.string().max(2000).default(''),
    filter: SegmentFilter,
  })
  .strict();
export type NewSegment = z.input<typeof NewSegment>;

/** Admin API: change a segment (only the fields given). */
export const SegmentPatch = z
  .object({
    name: Segment.shape.name,
    description: z.string().max(2000),
    filter: SegmentFilter,
    ifVersion: z.number().int().positive(),
  })
  .partial()
  .strict();
export type SegmentPatch = z.input<typeof SegmentPatch>;

/** Admin API: evaluate a saved segment or an ad-hoc filter (count + sample). */
export const AudiencePreviewRequest = z
  .object({
    segmentId: SegmentId.optional(),
    filter: SegmentFilter.optional(),
    sample: z.number().int().min(0).max(100).default(10),
  })
  .strict()
  .refine((r) => (r.segmentId === undefined) !== (r.filter === undefined), 'give either segmentId or filter');

/** Answer of an audience preview and of every --dry-run that targets an audience. */
export const AudiencePreview = z.object({
  count: z.number().int().nonnegative(),
  sample: z.array(
    z.object({
      subscriberId: z.string(),
      email: z.string(),
      name: z.string(),
      language: z.string(),
      timeZone: z.string(),
      memberId: z.string().optional(),
      memberRole: z.string().optional(),
    }),
  ),
  /** Counts by language and by time zone: which edition variants and reminder hours are needed. */
  byLanguage: z.record(z.string(), z.number()),
  byTimeZone: z.record(z.string(), z.number()),
});
export type AudiencePreview = z.infer<typeof AudiencePreview>;

/** What segment evaluation needs to know about a member organisation. */
export interface SegmentMember {
  type: string;
  status: string;
  country?: string;
}

const lower = (s: string) => s.toLowerCase();

/** "zh" matches zh, zh-Hant, zh-Hans-CN; "zh-Hant" matches zh-Hant and zh-Hant-TW but not zh. */
export function languageMatches(wanted: string, actual: string): boolean {
  const w = lower(wanted);
  const a = lower(actual);
  return a === w || a.startsWith(`${w}-`);
}

const needsMember = (f: SegmentFilter) => Boolean(f.members || f.memberTypes || f.memberIds || f.roles);

/**
 * The filter as a predicate. `member(id)` answers from members already loaded (one read of the member
 * registry per evaluation, not one per subscriber), so evaluating a segment over the confirmed
 * subscribers a send reads anyway adds no table reads per recipient.
 */
export function segmentMatcher(
  filter: SegmentFilter,
  member: (memberId: string) => SegmentMember | undefined,
): (s: Subscriber) => boolean {
  const countries = filter.countries?.map(lower);
  return (s) => {
    if (!filter.statuses.includes(s.status)) return false;
    if (filter.lists && !filter.lists.some((l) => s.audiences.includes(l))) return false;
    if (filter.languages && !filter.languages.some((l) => languageMatches(l, s.language))) return false;
    const m = s.memberId ? member(s.memberId) : undefined;
    const active = m?.status === 'active' ? m : undefined;
    if (needsMember(filter) && !active) return false;
    if (filter.memberIds && !filter.memberIds.includes(s.memberId ?? '')) return false;
    if (filter.memberTypes && !filter.memberTypes.some((t) => t === active?.type)) return false;
    if (filter.roles && !filter.roles.some((r) => r === s.memberRole)) return false;
    if (countries) {
      const own = [s.country, active?.country].filter((c): c is string => Boolean(c)).map(lower);
      if (!own.some((c) => countries.includes(c))) return false;
    }
    return true;
  };
}

/** A short human description, for dry runs and errors: "lists reminders; member type council". */
export function describeFilter(f: SegmentFilter): string {
  const parts: string[] = [];
  if (f.lists) parts.push(`lists ${f.lists.join('/')}`);
  if (f.members) parts.push('contacts of members');
  if (f.memberTypes) parts.push(`member type ${f.memberTypes.join('/')}`);
  if (f.memberIds) parts.push(`member ${f.memberIds.join('/')}`);
  if (f.roles) parts.push(`role ${f.roles.join('/')}`);
  if (f.countries) parts.push(`country ${f.countries.join('/')}`);
  if (f.languages) parts.push(`language ${f.languages.join('/')}`);
  if (f.statuses.join() !== 'confirmed') parts.push(`status ${f.statuses.join('/')}`);
  return parts.join('; ') || 'every confirmed subscriber';
}
