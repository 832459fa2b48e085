import type { DeliveryStatus, SendJob, SendJobStatus } from '../domain/index.ts';
import type { SubscriberRepo, SuppressionRepo } from './subscribers.ts';

/**
 * One recipient's delivery record as the engine sees it. Successful sends are recorded in grouped
 * outcome logs (one write per ~25 sends, see docs/sending.md "cost"); repos merge them into this view,
 * so `status` is 'sent' whether the claim item itself or an outcome log says so.
 */
export interface DeliveryRecord {
  campaign: string;
  subscriberId: string;
  status: DeliveryStatus;
  claimToken?: string;
  claimedAt?: string;
  /** The worker run whose outcome logs will hold this recipient's send, if it happens. */
  run?: string;
  sentAt?: string;
  sesMessageId?: string;
  error?: string;
  attempts: number;
}

export type ClaimResult = { ok: true } | { ok: false; existing: DeliveryRecord | undefined };

export interface SentEntry {
  subscriberId: string;
  messageId: string;
}

/** Per-(campaign, recipient) claims: the exactly-once guard. Every write is conditional. */
export interface DeliveryRepo {
  /** Conditional put (attribute_not_exists): only one claim per (campaign, recipient), ever. */
  claim(
    campaign: string,
    subscriberId: string,
    claim: { token: string; run: string; at: Date },
  ): Promise<ClaimResult>;
  /** One write for a group of successful sends of one run (`seq` numbers the groups of that run). */
  recordSent(campaign: string, run: string, seq: number, sent: SentEntry[], at: Date): Promise<void>;
  /** claimed(token) → failed | uncertain. False when the claim is no longer that token's. */
  settle(
    campaign: string,
    subscriberId: string,
    token: string,
    status: 'failed' | 'uncertain',
    at: Date,
    error?: string,
  ): Promise<boolean>;
  /** Resolve without sending (suppressed, unsubscribed …). False when a record already exists. */
  skip(campaign: string, subscriberId: string, reason: string, at: Date): Promise<boolean>;
  /** Delete a claim known not to have been sent (throttled, out of time), so a later run can send. */
  release(campaign: string, subscriberId: string, token: string): Promise<boolean>;
  /** Refresh a held claim's lease before a late retry. False when it was taken from us (marked uncertain). */
  renew(campaign: string, subscriberId: string, token: string, at: Date): Promise<boolean>;
  /** Outside evidence (an SES Send/Delivery event tagged with campaign + subscriber): uncertain → sent. */
  confirmSent(campaign: string, subscriberId: string, messageId: string, at: Date): Promise<boolean>;
  get(campaign: string, subscriberId: string): Promise<DeliveryRecord | undefined>;
  /** Every record of a campaign, outcome logs merged, page by page. */
  list(campaign: string): AsyncIterable<DeliveryRecord[]>;
}

export interface SendJobRepo {
  /** False when a job for the campaign already exists. */
  create(job: SendJob): Promise<boolean>;
  get(campaign: string): Promise<SendJob | undefined>;
  /**
   * Conditional status change; undefined when the job was not in one of `from`, or (`when`) one of these
   * fields did not hold exactly this value (e.g. only the daily-quota pause that queued a check resumes).
   */
  transition(
    campaign: string,
    from: SendJobStatus[],
    to: SendJobStatus,
    patch?: Partial<SendJob>,
    when?: Partial<Pick<SendJob, 'pausedBy' | 'pausedAt'>>,
  ): Promise<SendJob | undefined>;
  /** Set fields without touching the status. */
  patch(campaign: string, patch: Partial<SendJob>): Promise<SendJob>;
  /** Atomically add to the count of recipients resolved since the latest plan; returns the job after. */
  addProgress(campaign: string, resolved: number): Promise<SendJob>;
  list(status?: SendJobStatus): Promise<SendJob[]>;
}

/** The engine's narrow view of other areas' repos. */
export type RecipientDirectory = Pick<SubscriberRepo, 'getMany'>;
export type SuppressionCheck = Pick<SuppressionRepo, 'isSuppressed'> & {
  /** Optional batch form: which of these addresses are suppressed (one round trip per queue message). */
  suppressedAmong?(emails: string[]): Promise<Set<string>>;
};
