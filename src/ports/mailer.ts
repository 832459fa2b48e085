/** Outbound mail. The SES v2 adapter implements it on AWS and against aws-ses-v2-local. */
export interface OutboundAttachment {
  filename: string;
  contentType: string;
  content: string | Uint8Array;
  /** e.g. 'text/calendar; method=REQUEST' parts want inline disposition too. */
  disposition?: 'attachment' | 'inline';
}

export interface OutboundMessage {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  html?: string;
  text: string;
  /** Extra headers (List-Unsubscribe, List-Unsubscribe-Post, List-Id …). Values must be single-line. */
  headers?: Record<string, string>;
  attachments?: OutboundAttachment[];
  /** SES message tags: campaign and subscriber let SES events find their way back. */
  tags?: Record<string, string>;
  configurationSet?: string;
}

export interface SendQuota {
  maxSendRate: number;
  max24HourSend: number;
  sentLast24Hours: number;
}

export interface Mailer {
  send(message: OutboundMessage): Promise<{ messageId: string }>;
  getSendQuota(): Promise<SendQuota>;
}

/** SES said slow down (429 / Throttling / "Maximum sending rate exceeded"): retry later, nothing lost. */
export class MailerThrottledError extends Error {
  override name = 'MailerThrottledError';
}
/** A 5xx or network failure: the message may or may not have been accepted. */
export class MailerTransientError extends Error {
  override name = 'MailerTransientError';
}
/**
 * No answer from SES (timeout, reset connection, an answer without a MessageId): it may have sent the
 * message, so a sender that must not duplicate reports it uncertain instead of retrying.
 */
export class MailerOutcomeUnknownError extends MailerTransientError {
  override name = 'MailerOutcomeUnknownError';
}
/** SES refused this message for good (bad address, rejected content …): do not retry. */
export class MailerPermanentError extends Error {
  override name = 'MailerPermanentError';
}
