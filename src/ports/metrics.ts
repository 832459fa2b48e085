/**
 * Operator metrics (CloudWatch EMF on AWS: src/adapters/powertools/metrics.ts). Use cases and handlers
 * speak only this port; the names below are what the dashboard and alarms read.
 */
export interface Metrics {
  /** Counts under one set of dimensions, published together as one record. */
  count(counts: Record<string, number>, dimensions?: Record<string, string>): void;
  /** Durations in milliseconds, one record (optional: stand-ins that only count may leave it out). */
  milliseconds?(values: Record<string, number>, dimensions?: Record<string, string>): void;
  /** Levels read at one moment (e.g. the SES quota): plain numbers, read with Maximum, not summed. */
  gauge?(values: Record<string, number>, dimensions?: Record<string, string>): void;
}

export const noMetrics: Metrics = { count() {} };

/** What a send batch did (the worker's BatchOutcome), per campaign kind: edition or reminder. */
export function recordSendBatch(
  m: Metrics,
  out: { campaign: string; sent: number; failed: number; uncertain: number; throttled: number },
): void {
  m.count(
    {
      SendsSent: out.sent,
      SendsFailed: out.failed,
      SendsUncertain: out.uncertain,
      SendsThrottled: out.throttled,
    },
    // The kind, not the campaign key: a dimension per campaign would be a new custom metric each quarter.
    { campaignKind: out.campaign.split('#')[0] ?? 'unknown' },
  );
}

/**
 * One ingested mail, by outcome (accepted / quarantined / rejected). The reason is free text (it names
 * attachments), so it stays in the log line, not in a dimension.
 */
export function recordIngest(m: Metrics, result: { outcome: string }): void {
  m.count({ IngestMessages: 1 }, { outcome: result.outcome });
}

/**
 * One SES sending event (delivery, bounce-hard, bounce-soft, complaint, open, click, …) by type and campaign
 * kind; per-campaign counts are the stats table's job (the console shows them).
 */
export function recordMailEvent(m: Metrics, event: { type: string; campaign?: string | undefined }): void {
  m.count({ MailEvents: 1 }, { type: event.type, campaignKind: event.campaign?.split('#')[0] ?? 'none' });
}

/**
 * How late a reminder wave started against the time it was due (Scheduler's delay, retries, a stopped
 * embedded runtime): `ReminderLatenessMs`, read as Maximum and p99 on the dashboard.
 */
export function recordReminderLateness(m: Metrics, lateMs: number): void {
  m.milliseconds?.({ ReminderLatenessMs: Math.max(0, lateMs) });
}

/** The SES account's 24-hour quota as GetAccount last reported it (the dashboard's quota widget). */
export function recordSesQuota(
  m: Metrics,
  q: { max24HourSend: number; sentLast24Hours: number; maxSendRate: number },
) {
  m.gauge?.({
    SesSentLast24Hours: q.sentLast24Hours,
    // -1: no daily limit; left out rather than drawn as a quota of -1.
    ...(q.max24HourSend >= 0 ? { SesMax24HourSend: q.max24HourSend } : {}),
    SesMaxSendRate: q.maxSendRate,
  });
}
