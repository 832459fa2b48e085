import type { Subscriber } from '../domain/index.ts';
import type { OutboundMessage } from './mailer.ts';

/**
 * What the send engine needs to know about a campaign, supplied by the area that owns it
 * (editions: "edition#N", reminders: "reminder#<deadlineId>#<offset>"). The engine owns claims,
 * suppression checks, rate and retries; sources own audience and content.
 */
export interface CampaignSource {
  /** Does this source own the campaign key? */
  handles(campaign: string): boolean;
  /** Confirmed subscribers of the campaign's audience, page by page. */
  recipients(campaign: string): AsyncIterable<Subscriber[]>;
  /**
   * Load whatever is precompiled (HTML/text from S3) once per campaign and return a cheap per-recipient
   * personaliser (string substitution only: no template engine in the hot path).
   */
  prepare(campaign: string): Promise<(subscriber: Subscriber, links: RecipientLinks) => OutboundMessage>;
  /**
   * Optional gate checked when a send starts: true, or false / a reason why not (e.g. "edition 8 is not
   * approved"). The engine refuses to start with an InvalidStateError carrying the reason.
   */
  ready?(campaign: string): Promise<boolean | string>;
}

/** Per-recipient links the engine computes (signed tokens) and hands to the personaliser. */
export interface RecipientLinks {
  unsubscribeUrl: string;
  /** RFC 8058 headers already built: List-Unsubscribe, List-Unsubscribe-Post, List-Id. */
  listHeaders: Record<string, string>;
  preferencesUrl: string;
}
