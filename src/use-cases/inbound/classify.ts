/**
 * The ingest decision as pure functions: what kind of mail this is (bounce, abuse report, auto-reply,
 * unsubscribe request, member update) and what the SES verdicts allow. One table of rules, readable by
 * the secretariat in docs/inbound.md.
 */
import type { InboundOutcome, Member, Verdicts } from '../../domain/index.ts';
import type { ParsedMail } from '../../ports/inbound.ts';
import { alignmentProblem, type SenderIdentities } from './alignment.ts';

type Head = Pick<ParsedMail, 'headers' | 'from' | 'subject'> &
  Partial<Pick<ParsedMail, 'contentType' | 'reportType' | 'partTypes'>>;

const first = (h: Head, name: string) => h.headers[name]?.[0]?.trim().toLowerCase() ?? '';

/** Delivery status notifications (RFC 3464) and the classic MAILER-DAEMON shapes. */
export function isBounce(h: Head): boolean {
  if (h.reportType === 'delivery-status' || h.reportType === 'disposition-notification') return true;
  if (h.partTypes?.includes('message/delivery-status')) return true;
  const from = h.from?.address ?? '';
  if (/^(mailer-daemon|postmaster)@/i.test(from)) return true;
  const returnPath = first(h, 'return-path');
  return (
    (returnPath === '<>' || returnPath === '') &&
    h.headers['return-path'] !== undefined &&
    /undeliver|delivery status|returned mail|failure notice|delivery fail/i.test(h.subject)
  );
}

/** ARF feedback reports (RFC 5965): an abuse desk complaining, not a member writing. */
export function isAbuseReport(h: Head): boolean {
  return h.reportType === 'feedback-report' || Boolean(h.partTypes?.includes('message/feedback-report'));
}

/** RFC 3834 and the de-facto headers of vacation responders and bulk senders. */
export function isAutoReply(h: Head): boolean {
  const auto = first(h, 'auto-submitted');
  if (auto && auto !== 'no') return true;
  if (h.headers['x-autoreply'] || h.headers['x-autorespond'] || h.headers['x-autoreply-from']) return true;
  if (/^(bulk|junk|auto_reply|auto-reply)$/.test(first(h, 'precedence'))) return true;
  if (
    /^(all|oof|autoreply)$/i.test(first(h, 'x-auto-response-suppress')) &&
    /^(automatic reply|out of office|auto:)/i.test(h.subject)
  )
    return true;
  return /^(automatic reply|auto(matic)?[- ]?reply|out of (the )?office|abwesenheitsnotiz|自动回复|自動回覆|自動応答|자동 ?응답|respuesta automática|réponse automatique)\b/iu.test(
    h.subject.trim(),
  );
}

/**
 * A failing or unverifiable authentication result: the From address may be forged. A PASS counts only
 * for the From: domain (DMARC alignment): an attacker's own domain passes SPF and DKIM just as well.
 */
export function authProblem(v: Verdicts, ids: SenderIdentities): string | undefined {
  const failed = (['spf', 'dkim', 'dmarc'] as const).filter((k) => v[k] === 'FAIL');
  if (failed.length)
    return `sender authentication failed (${failed.map((k) => `${k.toUpperCase()}=FAIL`).join(', ')})`;
  if (v.spf !== 'PASS' && v.dkim !== 'PASS')
    return `sender could not be verified (SPF=${v.spf}, DKIM=${v.dkim}: neither passed)`;
  return alignmentProblem(v, ids);
}

export function spamProblem(v: Verdicts): string | undefined {
  if (v.spam === 'FAIL') return 'flagged as spam by the mail scanner';
  if (v.spam === 'PROCESSING_FAILED') return 'the spam scan could not be completed';
  if (v.virus === 'PROCESSING_FAILED') return 'the virus scan could not be completed';
  return undefined;
}

export type Decision =
  | { outcome: 'rejected'; reason: string; ack: boolean; unsubscribe?: boolean }
  | { outcome: 'quarantined'; reason: string; ack: boolean; member: Member }
  | { outcome: 'accepted'; member: Member; ack: true; approve: boolean };

export interface DecisionInput {
  head: Head;
  verdicts: Verdicts;
  size: number;
  maxBytes: number;
  recipients: string[];
  unsubscribeAddress: string;
  member: Member | undefined;
  /** Envelope sender (SES `mail.source`): the domain SPF vouches for. Never a header: those are forgeable. */
  mailFrom?: string;
}

/**
 * Rules in order; the first that applies decides. Acknowledgements go only to registered, active members
 * whose mail authenticated: never to unknown or forged senders (no backscatter), never to robots.
 */
export function decide(i: DecisionInput): Decision {
  const { head, verdicts: v } = i;
  const ids: SenderIdentities = {
    from: head.from?.address,
    mailFrom: i.mailFrom,
    dkimSignatures: head.headers['dkim-signature'],
  };
  if (v.virus === 'FAIL')
    return { outcome: 'rejected', reason: 'a virus was detected in the message', ack: false };
  if (isBounce(head))
    return {
      outcome: 'rejected',
      reason: 'delivery status notification (bounce), not a member update',
      ack: false,
    };
  if (isAbuseReport(head))
    return {
      outcome: 'rejected',
      reason: 'abuse report (ARF feedback report), not a member update',
      ack: false,
    };
  if (isAutoReply(head))
    return {
      outcome: 'rejected',
      reason: 'automatic reply (auto-responder or bulk mail), not a member update',
      ack: false,
    };
  if (i.recipients.some((r) => r.toLowerCase() === i.unsubscribeAddress.toLowerCase())) {
    const auth = authProblem(v, ids);
    if (auth || !head.from)
      return {
        outcome: 'rejected',
        reason: `unsubscribe request not honoured: ${auth ?? 'no sender address'}`,
        ack: false,
      };
    return { outcome: 'rejected', reason: 'unsubscribe request handled', ack: false, unsubscribe: true };
  }
  if (!head.from)
    return { outcome: 'rejected', reason: 'the message has no sender address (From:)', ack: false };
  const m = i.member;
  if (!m)
    return {
      outcome: 'rejected',
      reason: `unknown sender ${head.from.address}: not a registered member address`,
      ack: false,
    };
  const auth = authProblem(v, ids);
  const verified = !auth;
  if (m.status !== 'active')
    return { outcome: 'rejected', reason: `member ${m.organisation} is disabled`, ack: false };
  if (i.size > i.maxBytes)
    return {
      outcome: 'rejected',
      reason: `message too large: ${mb(i.size)} MB, the limit is ${mb(i.maxBytes)} MB (send links to large files instead)`,
      ack: verified,
    };
  if (auth) return { outcome: 'quarantined', reason: auth, ack: false, member: m };
  const spam = spamProblem(v);
  if (spam) return { outcome: 'quarantined', reason: spam, ack: true, member: m };
  // Auto-approval needs DMARC PASS, SES's own verdict on the From: domain's policy; our alignment check
  // above is an approximation (no Public Suffix List, DKIM verdict not tied to one signature).
  return { outcome: 'accepted', member: m, ack: true, approve: m.trusted && v.dmarc === 'PASS' };
}

const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

export const isOutcome = (s: string): s is InboundOutcome =>
  ['accepted', 'quarantined', 'rejected'].includes(s);
