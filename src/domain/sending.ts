import * as z from 'zod';
import { Actor, Instant } from './common.ts';

/** Lifecycle of one bulk send (one per campaign key). */
export const SendJobStatus = z.enum(['running', 'paused', 'finished', 'cancelled']);
export type SendJobStatus = z.infer<typeof SendJobStatus>;

/** Exact per-recipient outcome counts, computed from the delivery records (not the running counters). */
export const SendTally = z.object({
  recipients: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  uncertain: z.number().int().nonnegative(),
  /** Claimed and still within their lease: a worker is sending them right now. */
  inFlight: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
});
export type SendTally = z.infer<typeof SendTally>;

/** What the reputation guard counts for one campaign, from the SES events recorded in its stats. */
export const ReputationCounts = z.object({
  /** Sent mails whose fate SES has reported: deliveries and bounces (hard and soft). */
  outcomes: z.number().int().nonnegative(),
  hardBounces: z.number().int().nonnegative(),
  complaints: z.number().int().nonnegative(),
});
export type ReputationCounts = z.infer<typeof ReputationCounts>;

/** The reputation guard's record on a send job (docs/sending.md "Reputation guard"). */
export const SendReputation = z.object({
  /** Why the guard paused the send (its latest pause). */
  reason: z.string(),
  pausedAt: Instant,
  /** The counts that crossed the threshold. */
  counts: ReputationCounts,
  /** The secretariat was mailed about this pause (once, by the worker whose pause won). */
  alertedAt: Instant.optional(),
  /**
   * The counts an approver's resume acknowledged: the guard then judges only the outcomes after them, so it
   * does not pause again for what was already seen.
   */
  acknowledged: ReputationCounts.extend({ at: Instant, by: Actor }).optional(),
});
export type SendReputation = z.infer<typeof SendReputation>;

export const SendJob = z.object({
  campaign: z.string(),
  status: SendJobStatus,
  startedBy: Actor,
  startedAt: Instant,
  updatedAt: Instant,
  /** Recipients enumerated by the latest plan (the denominator of progress). */
  recipients: z.number().int().nonnegative().default(0),
  /** Recipients the latest plan put on the queue (those not yet resolved at that moment). */
  queued: z.number().int().nonnegative().default(0),
  batches: z.number().int().nonnegative().default(0),
  /** Recipients resolved (sent, skipped, failed, uncertain) by workers since the latest plan. */
  progress: z.number().int().nonnegative().default(0),
  /** Distinct recipients already added to the campaign's `recipients` stat (re-plans add only the new). */
  counted: z.number().int().nonnegative().default(0),
  /** true once the latest plan has enumerated every recipient. */
  planned: z.boolean().default(false),
  /** How many times the campaign was planned (start, resume, re-run). */
  runs: z.number().int().nonnegative().default(0),
  /** Messages/s the whole fleet may send (min of SES GetAccount and GAZETTE_MAX_SEND_RATE) at plan time. */
  maxSendRate: z.number().positive().optional(),
  pausedAt: Instant.optional(),
  pausedBy: Actor.optional(),
  resumedAt: Instant.optional(),
  /** Who resumed it last (`ses:daily-quota`: the engine itself, once the daily quota had room). */
  resumedBy: Actor.optional(),
  finishedAt: Instant.optional(),
  cancelledAt: Instant.optional(),
  /** The onFinished hook (e.g. publish the edition to the archive) has completed. */
  finishedHookDone: z.boolean().default(false),
  /** Last exact tally (status --exact, finish detection). */
  tally: SendTally.optional(),
  /** Set once the reputation guard paused this send (bounces or complaints over the threshold). */
  reputation: SendReputation.optional(),
  warnings: z.array(z.string()).default([]),
});
export type SendJob = z.infer<typeof SendJob>;

/** What the engine reports for one campaign: the job plus live progress. */
export const SendStatus = z.object({
  campaign: z.string(),
  status: SendJobStatus,
  recipients: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  uncertain: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
  /** 'exact': counted from the delivery records now; 'counters': from the running counters (cheap). */
  source: z.enum(['exact', 'counters']),
  job: SendJob,
});
export type SendStatus = z.infer<typeof SendStatus>;

/**
 * `pausedBy` of a send the worker paused because the SES daily quota was used up. Only such a pause is
 * resumed by the engine itself (docs/sending.md); a pause by anyone else waits for a human.
 */
export const DAILY_QUOTA_PAUSER = 'ses:daily-quota';

/** `pausedBy` of a send the reputation guard paused: only a human resumes it (acknowledging the counts). */
export const REPUTATION_GUARD_PAUSER = 'gazette:reputation-guard';
