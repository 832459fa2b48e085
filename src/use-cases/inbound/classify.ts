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

/**
 * Subject words of vacation responders and Outlook/Exchange/Gmail/Lotus automatic replies, in the languages
 * of IGPN's members (en, zh-Hans, zh-Hant, ja, ko, de, fr, es, it, pt, nl, pl, ru, th, vi, id, ms, he, ar,
 * tr) and a few neighbours. Matched on the NFKC-folded, lower-cased subject, at its start (after list tags
 * and brackets) and followed by punctuation, a space or the end: `\b` means nothing after CJK characters.
 */
const AUTO_REPLY_PHRASES = [
  // en (Outlook, Gmail, Lotus Notes "AUTO:", Zimbra, Apple)
  'automatic reply',
  'auto reply',
  'auto-reply',
  'autoreply',
  'auto response',
  'auto-response',
  'automatic response',
  'autoresponse',
  'auto:',
  'out of office',
  'out of the office',
  'out-of-office',
  'ooo:',
  'away from the office',
  'away from office',
  'vacation reply',
  'absence notice',
  // zh-Hans, zh-Hant
  '自动回复',
  '自动答复',
  '自动应答',
  '自動回覆',
  '自動回复',
  '自動答覆',
  '自動回應',
  '不在办公室',
  '休假通知',
  // ja
  '自動応答',
  '自動返信',
  '自動回答',
  '不在通知',
  '不在のお知らせ',
  // ko
  '자동 응답',
  '자동응답',
  '자동 회신',
  '자동회신',
  // de
  'automatische antwort',
  'abwesenheitsnotiz',
  'automatische rückantwort',
  'nicht im büro',
  // fr
  'réponse automatique',
  'reponse automatique',
  'absent du bureau',
  'absence du bureau',
  "message d'absence",
  // es
  'respuesta automática',
  'respuesta automatica',
  'fuera de la oficina',
  'fuera de oficina',
  // it
  'risposta automatica',
  "fuori dall'ufficio",
  'fuori ufficio',
  // pt
  'resposta automática',
  'resposta automatica',
  'fora do escritório',
  'ausente do escritório',
  // nl
  'automatisch antwoord',
  'automatisch bericht',
  // pl
  'automatyczna odpowiedź',
  'automatyczna odpowiedz',
  'odpowiedź automatyczna',
  'poza biurem',
  // ru
  'автоматический ответ',
  'автоответ',
  'вне офиса',
  // th
  'การตอบกลับอัตโนมัติ',
  'ตอบกลับอัตโนมัติ',
  'ไม่อยู่ที่สำนักงาน',
  // vi
  'trả lời tự động',
  'tra loi tu dong',
  'thư trả lời tự động',
  // id, ms
  'balasan otomatis',
  'jawaban otomatis',
  'balasan automatik',
  'jawapan automatik',
  'di luar kantor',
  'di luar pejabat',
  // he
  'תשובה אוטומטית',
  'מענה אוטומטי',
  'מחוץ למשרד',
  // ar
  'رد تلقائي',
  'الرد التلقائي',
  'رد آلي',
  'خارج المكتب',
  // tr
  'otomatik yanıt',
  'otomatik yanit',
  'otomatik cevap',
  'ofis dışında',
  // neighbours: sv, da, no, fi, cs
  'automatiskt svar',
  'autosvar',
  'automatisk svar',
  'automaattinen vastaus',
  'automatická odpověď',
];
/** Ordinary words as well: an auto-reply only when they are the whole subject or end in a colon/bracket. */
const AUTO_REPLY_WORDS = [
  'absence',
  'abwesenheit',
  'abwesend',
  'ausencia',
  'afwezig',
  'niet aanwezig',
  'nieobecność',
  'нет на месте',
  'vắng mặt',
  'sedang cuti',
  'on vacation',
  'on leave',
  '外出中',
  '부재중',
  '부재 중',
];
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Opening brackets and list tags before the phrase: "[Auto-Reply]", "【自动回复】", "(Out of office)". */
const AUTO_REPLY_SUBJECT = new RegExp(
  `^(?:\\[[^\\]]{0,40}\\]\\s*)*[\\[(【（「<]?\\s*(?:${AUTO_REPLY_PHRASES.map((p) => escapeRe(p.normalize('NFKC'))).join('|')})(?=$|[\\s:：\\-–—\\])】）」>,，.。!！|/])`,
  'u',
);
const AUTO_REPLY_WORD_SUBJECT = new RegExp(
  `^(?:\\[[^\\]]{0,40}\\]\\s*)*[\\[(【（「<]?\\s*(?:${AUTO_REPLY_WORDS.map((p) => escapeRe(p.normalize('NFKC'))).join('|')})\\s*(?:$|[:：\\])】）」>])`,
  'u',
);
/** "AUTO: Jane is out of the office (returning 2 March)": Lotus Notes and Exchange transport rules. */
const AUTO_REPLY_ANYWHERE =
  /\b(?:is|am|are|will be) (?:currently )?(?:out of (?:the )?office|away from (?:the )?office|on (?:annual |parental |sick )?leave|on vacation|on holiday)\b/u;

export function isAutoReplySubject(subject: string): boolean {
  const s = subject.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return AUTO_REPLY_SUBJECT.test(s) || AUTO_REPLY_WORD_SUBJECT.test(s) || AUTO_REPLY_ANYWHERE.test(s);
}

/**
 * Automatic replies, headers first (RFC 3834 Auto-Submitted; the X-Autoreply/X-Autorespond family of
 * vacation programs; Precedence; Exchange's OOF markers), then the subject in many languages. A mail
 * carrying a calendar invitation is a person's (Outlook stamps X-Auto-Response-Suppress on meeting requests).
 */
export function isAutoReply(h: Head): boolean {
  const auto = first(h, 'auto-submitted');
  if (auto && !/^no\b/.test(auto)) return true;
  for (const name of [
    'x-autoreply',
    'x-autorespond',
    'x-autoreply-from',
    'x-mail-autoreply',
    'x-autoresponder',
  ])
    if (h.headers[name]) return true;
  if (/^auto[-_ ]?(reply|replied|generated)/.test(first(h, 'x-autogenerated'))) return true;
  if (/^(bulk|junk|auto[_-]?reply|autoreply)\b/.test(first(h, 'precedence'))) return true;
  if (/^(auto[_-]?reply|autoreply)\b/.test(first(h, 'x-precedence'))) return true;
  // Exchange: the Mailbox Rules Agent (OOF, inbox rules) and an inbox rule's loop counter.
  if (h.headers['x-ms-exchange-generated-message-source'] || h.headers['x-ms-exchange-inbox-rules-loop'])
    return true;
  const calendar = h.partTypes?.some((t) => t === 'text/calendar' || t === 'application/ics') ?? false;
  const suppress = first(h, 'x-auto-response-suppress');
  if (!calendar && /(^|[\s,])(all|oof|autoreply)($|[\s,])/.test(suppress)) return true;
  return isAutoReplySubject(h.subject);
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
  /**
   * The other identities the mail names besides the first From: mailbox: further From: mailboxes and a
   * Sender: that differs from it, each with the member it is an allowed sender of (if any).
   */
  otherMailboxes?: { role: 'From' | 'Sender'; address: string; memberId?: string }[];
}

/**
 * Google Calendar sends a member's own invitation from its notifier, naming it as Sender: on the
 * organiser's behalf. Only with a calendar part in the mail, and only that service's address.
 */
const CALENDAR_SERVICE_SENDER = /^calendar-notification@google\.com$/;
function isCalendarServiceSender(address: string, h: Head): boolean {
  const calendar = h.partTypes?.some((t) => t === 'text/calendar' || t === 'application/ics') ?? false;
  return calendar && CALENDAR_SERVICE_SENDER.test(address.toLowerCase());
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
  // "member@…, someone@elsewhere" or a Sender: on someone else's behalf: the member did not (only) write it.
  const strangers = (i.otherMailboxes ?? []).filter(
    (x) => x.memberId !== m.memberId && !(x.role === 'Sender' && isCalendarServiceSender(x.address, head)),
  );
  if (strangers.length)
    return {
      outcome: 'rejected',
      reason: `not a member's own mail: ${strangers
        .slice(0, 3)
        .map((x) => `${x.role}: ${x.address}`)
        .join(', ')} is not an allowed sender of ${m.organisation}`,
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
