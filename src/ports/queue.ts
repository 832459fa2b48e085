/** Work queue for the send fan-out: SQS on AWS, an in-process queue in the embedded runtime. */
export interface Queue<T> {
  /**
   * `delayMs`: the messages become visible only after this long (SQS DelaySeconds: whole seconds, at most
   * 15 minutes; longer delays are cut to that).
   */
  sendBatch(messages: T[], opts?: { delayMs?: number }): Promise<void>;
}

/** One unit of send work: a slice of recipients of one campaign. */
export interface SendBatchMessage {
  /** Absent on messages queued before quota checks existed: a message without `kind` is a batch. */
  kind?: 'recipients';
  campaign: string;
  subscriberIds: string[];
}

/**
 * A send paused because the SES daily quota was used up (`pausedBy: ses:daily-quota`): look at GetAccount
 * and resume it once the 24-hour window has room, or look again later. Belongs to the one pause that
 * queued it (`pausedAt`): anything else that happened to the job since (a human pause, a resume, a cancel)
 * ends the checks.
 */
export interface QuotaCheckMessage {
  kind: 'quota-check';
  campaign: string;
  /** The job's pausedAt when the quota paused it. */
  pausedAt: string;
  /** Checks made before this one (0 for the first). */
  checks: number;
}

/** Everything the send queue carries. */
export type SendQueueMessage = SendBatchMessage | QuotaCheckMessage;

export const isQuotaCheck = (m: SendQueueMessage): m is QuotaCheckMessage => m.kind === 'quota-check';
