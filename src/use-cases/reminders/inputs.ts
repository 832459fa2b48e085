import * as z from 'zod';
import { AudienceScope, DeadlineKind, Language, MemberType, TimeZone } from '../../domain/index.ts';

/**
 * Audience as an object ({kind:'member-type', memberType:'council'}) or as the short text the CLI sends:
 * "all", "members", "member-type:council", "segment:council-contacts".
 */
export const AudienceInput = z
  .preprocess((v) => {
    if (typeof v !== 'string') return v;
    const s = v.trim();
    if (s === 'all') return { kind: 'all' };
    if (s === 'members') return { kind: 'members' };
    const m = /^member-type:(.+)$/.exec(s);
    if (m) return { kind: 'member-type', memberType: m[1] };
    const seg = /^segment:(.+)$/.exec(s);
    if (seg) return { kind: 'segment', segmentId: seg[1] };
    return { kind: s };
  }, AudienceScope)
  .superRefine((a, ctx) => {
    if (a.kind === 'member-type' && !MemberType.safeParse(a.memberType).success) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown member type ${JSON.stringify(a.memberType)}; one of ${MemberType.options.join(', ')}`,
      });
    }
  });

const Offsets = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.array(z.string()).max(10, 'at most 10 reminders per item'),
);

const fields = {
  title: z.string().trim().min(1).max(300),
  description: z.string().max(5000),
  link: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  /** Deadline: the due time. Event: the start (alias of `start`). Wall time in `timeZone` or ISO instant. */
  due: z.string().min(1),
  start: z.string().min(1),
  end: z.string().min(1),
  /** Canonical spelling (asia/shanghai → Asia/Shanghai): it is shown in mails and compared with readers' zones. */
  timeZone: TimeZone.transform(
    (tz) => new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone,
  ),
  audience: AudienceInput,
  offsets: Offsets,
  language: Language,
  /** "09:00": day reminders at this local time in each reader's zone. */
  readerTime: z
    .string()
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time such as 09:00'),
};

export const NewDeadlineInput = z
  .object({
    kind: DeadlineKind.default('deadline'),
    title: fields.title,
    description: fields.description.default(''),
    link: fields.link.optional(),
    due: fields.due.optional(),
    start: fields.start.optional(),
    end: fields.end.optional(),
    timeZone: fields.timeZone,
    audience: fields.audience.default({ kind: 'all', audience: 'reminders' }),
    offsets: fields.offsets.optional(),
    language: fields.language.default('en'),
    readerTime: fields.readerTime.optional(),
    /** Count the audience and show the reminders it would plan; write and schedule nothing. */
    dryRun: z.boolean().default(false),
    /** Send reminders whose time has already passed right away instead of skipping them. */
    sendLate: z.boolean().default(false),
    /** Record an item whose due time (an event's start) has passed, which is refused otherwise (issue 15). */
    force: z.boolean().default(false),
    /**
     * Idempotency key chosen by the client: a retry of the same create (after a timeout or an error halfway)
     * finishes the first item instead of making a second one.
     */
    requestId: z
      .string()
      .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1–200 printable ASCII characters without spaces')
      .optional(),
  })
  .strict();
export type NewDeadlineInput = z.input<typeof NewDeadlineInput>;

export const DeadlinePatchInput = z
  .object({
    title: fields.title.optional(),
    description: fields.description.optional(),
    link: fields.link.nullable().optional(),
    due: fields.due.optional(),
    start: fields.start.optional(),
    end: fields.end.optional(),
    timeZone: fields.timeZone.optional(),
    audience: fields.audience.optional(),
    offsets: fields.offsets.optional(),
    language: fields.language.optional(),
    /** null: back to the exact offset for everyone. */
    readerTime: fields.readerTime.nullable().optional(),
    sendLate: z.boolean().default(false),
    /** Accept a new due time (or start) that has already passed. */
    force: z.boolean().default(false),
    /** When the due time moves later: also send an "extended" notice to the audience now. */
    notifyExtension: z.boolean().default(false),
    /** Optimistic concurrency: refuse the change if the item is no longer at this version. */
    ifVersion: z.number().int().nonnegative().optional(),
  })
  .strict();
export type DeadlinePatchInput = z.input<typeof DeadlinePatchInput>;

export const RemindNowInput = z.object({
  dryRun: z.boolean().default(false),
  /** Dry run: how many recipients to list (the count is always complete). */
  limit: z.number().int().positive().max(10_000).default(500),
});
