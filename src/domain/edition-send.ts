/**
 * Who an edition goes to and when (docs/editions.md "Audience and scheduled send"): the saved segment an
 * approver targets, and the time the send is scheduled for. Pure: luxon's zone data only.
 */
import { DateTime } from 'luxon';
import * as z from 'zod';
import { Actor, Instant, TimeZone } from './common.ts';
import { ValidationError } from './errors.ts';
import { SegmentFilter, SegmentId } from './segment.ts';

/**
 * The segment an edition targets, as the approver chose it: its filter is kept with the edition, so the dry
 * run, the plan, a resume and a re-run all reach the same people even if the segment is edited or deleted
 * later (set it again to take a changed segment). Recipients are always readers of the edition's list too.
 */
export const EditionTarget = z.object({
  segmentId: SegmentId,
  name: z.string(),
  /** The segment's version when it was chosen (the dry run says when the saved segment has moved on). */
  version: z.number().int().nonnegative(),
  filter: SegmentFilter,
  setBy: Actor,
  setAt: Instant,
});
export type EditionTarget = z.infer<typeof EditionTarget>;

/** A scheduled send of an approved edition: the instant, and the wall time and zone it was given in. */
export const EditionSchedule = z.object({
  /** When the send starts (UTC instant). */
  at: Instant,
  /** The wall time as given, "YYYY-MM-DDTHH:mm", in `timeZone`. */
  localTime: z.string(),
  timeZone: TimeZone,
  /** The one-time schedule (EventBridge Scheduler / the local scheduler) that fires it. */
  scheduleName: z.string(),
  scheduledBy: Actor,
  scheduledAt: Instant,
  /**
   * Each reader at `localTime` in their own zone (docs/editions.md "Each reader's morning"): `at` is the
   * earliest of them, each fire sends to the readers whose time has come and schedules the next (`nextAt`).
   */
  perReader: z.boolean().optional(),
  nextAt: Instant.optional(),
  /**
   * A fire took this schedule (a conditional write on `at`) and is starting the send: from then on a move or
   * cancel is refused, so a send never starts at a time the edition no longer shows. A claim with no
   * `firedAt` after SCHEDULE_CLAIM_STALE_MS is taken as abandoned (its retries ran out).
   */
  claimedAt: Instant.optional(),
  /** When it fired and started the send (the record stays, so the edition shows when it went out). */
  firedAt: Instant.optional(),
  /** Per reader: the later readers' hours were called off (DELETE …/schedule after the first fire). */
  stopped: z.object({ at: Instant, by: Actor }).optional(),
  /** Why it fired but could not start (e.g. its audience had become empty): nothing was sent. */
  error: z.string().optional(),
});
export type EditionSchedule = z.infer<typeof EditionSchedule>;

/** How long a fire's claim on a schedule holds without the send starting (Scheduler retries are minutes). */
export const SCHEDULE_CLAIM_STALE_MS = 30 * 60_000;

/** Admin API: choose the audience (`null`: every confirmed reader of the edition's list, the default). */
export const EditionAudienceRequest = z.object({ segmentId: SegmentId.nullable() }).strict();

/** Admin API: schedule (or move) the send. `at` is a wall time in `timeZone` or an instant with offset. */
export const EditionScheduleRequest = z
  .object({
    at: z.string().trim().min(1).max(40),
    timeZone: TimeZone.optional(),
    /** Also choose the audience (as PUT /admin/editions/:n/audience); absent: keep the current one. */
    segmentId: SegmentId.nullable().optional(),
    /** `at` is a wall time for each reader in their own zone ("09:00 on 5 January, wherever they are"). */
    perReader: z.boolean().optional(),
  })
  .strict();
export type EditionScheduleRequest = z.infer<typeof EditionScheduleRequest>;

/** Admin API: start the send now, or (dryRun) only show who would receive it. */
export const EditionSendRequest = z
  .object({
    dryRun: z.boolean().default(false),
    segmentId: SegmentId.nullable().optional(),
    sample: z.number().int().min(0).max(100).default(10),
  })
  .strict();

const WALL = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::00)?$/;

/**
 * "2027-01-05 09:00" (or 2027-01-05T09:00) in `zone` → the instant; an ISO instant with an offset or Z is
 * taken as it is. A wall time that does not exist in the zone (the hour skipped when clocks go forward) is
 * refused rather than silently moved; one that happens twice (clocks go back) is the first of the two.
 */
export function parseScheduleTime(input: string, zone: string): { at: Date; localTime: string } {
  const s = input.trim();
  const wall = WALL.exec(s);
  if (wall) {
    const localTime = `${wall[1]}T${wall[2]}`;
    const dt = DateTime.fromISO(localTime, { zone });
    if (!dt.isValid) throw new ValidationError(`"${input}" is not a date and time (use YYYY-MM-DD HH:MM)`);
    // The instants whose wall time in the zone is this one, under the offsets in force around it.
    const wallMs = DateTime.fromISO(localTime, { zone: 'utc' }).toMillis();
    const fits = [dt.minus({ days: 1 }).offset, dt.offset, dt.plus({ days: 1 }).offset]
      .map((offset) => wallMs - offset * 60_000)
      .filter((ms) => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm") === localTime);
    if (!fits.length)
      throw new ValidationError(
        `${wall[1]} ${wall[2]} does not exist in ${zone} (the clocks skip that hour); choose another time`,
      );
    return { at: new Date(Math.min(...fits)), localTime };
  }
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) {
    const dt = DateTime.fromISO(s, { setZone: true });
    if (dt.isValid) return { at: dt.toJSDate(), localTime: dt.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm") };
  }
  throw new ValidationError(
    `"${input}" is not a send time: use "YYYY-MM-DD HH:MM" (a wall time in the time zone) or an ISO instant with an offset`,
  );
}

/**
 * The instant a reader in `zone` reaches the wall time `localTime` ("YYYY-MM-DDTHH:mm"). Where the clocks skip
 * it, as much later as they jump (02:30 → 03:30): a reader's morning still comes that day.
 */
export function readerInstant(localTime: string, zone: string): Date {
  try {
    return parseScheduleTime(localTime, zone).at;
  } catch {
    return DateTime.fromISO(localTime, { zone }).toJSDate();
  }
}

/** EventBridge Scheduler name of an edition's scheduled send (≤ 64 chars of [0-9a-zA-Z-_.]). */
export const editionSendScheduleName = (n: number) => `gz-edition-send-${n}`;
