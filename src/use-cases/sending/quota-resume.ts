import type { SendQuota } from '../../ports/mailer.ts';
import type { QuotaCheckMessage } from '../../ports/queue.ts';
import type { SendEngineDeps } from './context.ts';
import type { SendSettings } from './settings.ts';

/**
 * A send paused because the SES daily quota was used up resumes by itself: the pausing worker queues a
 * quota check on the send queue with a delay; the worker that receives it asks GetAccount and resumes the
 * send once the 24-hour window has room, or queues the next check. No new infrastructure: the send queue's
 * DelaySeconds is the timer. The checks belong to one pause (its pausedAt): a human pause, resume or cancel
 * ends them, and they stop after settings.quotaCheckForMs with a warning.
 */
export const queueQuotaCheck = (deps: Pick<SendEngineDeps, 'queue' | 'settings'>, msg: QuotaCheckMessage) =>
  deps.queue.sendBatch([msg], { delayMs: deps.settings.quotaCheckDelayMs });

/**
 * Room enough to resume: at least one queue message's worth, and at least 1% of the quota (so a window
 * that frees a handful at a time does not resume and pause again every check). -1: unlimited.
 */
export function quotaHasRoom(q: SendQuota, batchSize: number): boolean {
  if (q.max24HourSend < 0) return true;
  const room = q.max24HourSend - q.sentLast24Hours;
  const margin = Math.min(q.max24HourSend, Math.max(batchSize, Math.ceil(q.max24HourSend / 100)));
  return room > 0 && room >= margin;
}

export const quotaText = (q: SendQuota) =>
  q.max24HourSend < 0
    ? `${q.sentLast24Hours} sent in the last 24 h, no daily limit`
    : `${q.sentLast24Hours} of ${q.max24HourSend} sent in the last 24 h`;

/** For the pause's warning: what the engine will do about it. */
export const autoResumeText = (s: Pick<SendSettings, 'quotaCheckDelayMs' | 'quotaCheckForMs'>) =>
  `it resumes by itself once the 24-hour window has room (SES GetAccount is checked every ${span(
    s.quotaCheckDelayMs,
  )}, for up to ${span(s.quotaCheckForMs)}); 'sends pause' keeps it paused, 'sends resume' resumes it now`;

export function span(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}
