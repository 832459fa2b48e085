/**
 * Notices to a member about their update (issue 15): approved, rejected (with the reason), published (with
 * the archive link). In the member's language, in the system-mail layout every other system mail uses.
 * At most once per event: a ledger claim (conditional write) is taken before sending and released if the
 * send fails, so a retried moderation step or a re-run archive never mails the member twice. A failed send
 * is not lost: it waits in the outbox (table) and is retried with backoff by the `notice-retries` job until
 * it is sent or given up (then the secretariat's digest lists it).
 */
import { escapeHtml } from '../../domain/html.ts';
import type { Update } from '../../domain/index.ts';
import { type Clock, systemClock } from '../../ports/clock.ts';
import type { MemberRepo, UpdateRepo } from '../../ports/inbound.ts';
import type { Logger } from '../../ports/logger.ts';
import {
  type Mailer,
  MailerOutcomeUnknownError,
  MailerPermanentError,
  type OutboundMessage,
} from '../../ports/mailer.ts';
import type { NoticeOutbox, PendingNotice } from '../../ports/notices.ts';
import type { EventLedger } from '../../ports/subscribers.ts';
import type { SystemLayoutSource } from '../shared/system-layout-source.ts';
import { paragraphs, systemMailHtml, wrapText } from '../shared/system-mail.ts';

export type NoticeEvent = 'approved' | 'rejected' | 'published';

interface Strings {
  subject: Record<NoticeEvent, (title: string) => string>;
  greeting: (org: string) => string;
  body: Record<NoticeEvent, (title: string) => string>;
  reason: string;
  /** Label of the archive link. */
  read: string;
  signoff: string;
}

const STRINGS: Record<string, Strings> = {
  en: {
    subject: {
      approved: (t) => `Approved: ${t}`,
      rejected: (t) => `Not accepted: ${t}`,
      published: (t) => `Published: ${t}`,
    },
    greeting: (o) => `Hello ${o},`,
    body: {
      approved: (t) => `Your update “${t}” has been approved and will appear in the next newsletter.`,
      rejected: (t) => `Your update “${t}” could not be accepted for the newsletter.`,
      published: (t) => `Your update “${t}” has been published in the newsletter.`,
    },
    reason: 'Reason',
    read: 'Read it online',
    signoff: 'This is an automatic message. Reply to it if you have a question.',
  },
  zh: {
    subject: {
      approved: (t) => `已通过审核：${t}`,
      rejected: (t) => `未被采用：${t}`,
      published: (t) => `已刊登：${t}`,
    },
    greeting: (o) => `${o}，您好：`,
    body: {
      approved: (t) => `您的动态“${t}”已审核通过，将刊登在下一期通讯中。`,
      rejected: (t) => `很抱歉，您的动态“${t}”未能被通讯采用。`,
      published: (t) => `您的动态“${t}”已刊登在通讯中。`,
    },
    reason: '原因',
    read: '在线阅读',
    signoff: '此为系统自动发送的邮件。如有疑问，请直接回复。',
  },
  ja: {
    subject: {
      approved: (t) => `承認されました：${t}`,
      rejected: (t) => `掲載を見送りました：${t}`,
      published: (t) => `掲載されました：${t}`,
    },
    greeting: (o) => `${o} 御中`,
    body: {
      approved: (t) => `「${t}」は承認され、次号のニュースレターに掲載されます。`,
      rejected: (t) => `申し訳ありませんが、「${t}」はニュースレターに掲載できませんでした。`,
      published: (t) => `「${t}」がニュースレターに掲載されました。`,
    },
    reason: '理由',
    read: 'オンラインで読む',
    signoff: 'これは自動送信メールです。ご質問はこのメールに返信してください。',
  },
  ko: {
    subject: {
      approved: (t) => `승인됨: ${t}`,
      rejected: (t) => `게재 불가: ${t}`,
      published: (t) => `게재됨: ${t}`,
    },
    greeting: (o) => `${o} 담당자님께,`,
    body: {
      approved: (t) => `보내주신 소식 “${t}”이(가) 승인되어 다음 뉴스레터에 게재됩니다.`,
      rejected: (t) => `죄송하지만 보내주신 소식 “${t}”은(는) 뉴스레터에 게재할 수 없습니다.`,
      published: (t) => `보내주신 소식 “${t}”이(가) 뉴스레터에 게재되었습니다.`,
    },
    reason: '사유',
    read: '온라인으로 보기',
    signoff: '자동 발송 메일입니다. 문의 사항은 이 메일에 회신해 주세요.',
  },
  es: {
    subject: {
      approved: (t) => `Aprobada: ${t}`,
      rejected: (t) => `No aceptada: ${t}`,
      published: (t) => `Publicada: ${t}`,
    },
    greeting: (o) => `Estimados/as ${o}:`,
    body: {
      approved: (t) => `Su novedad «${t}» ha sido aprobada y aparecerá en el próximo boletín.`,
      rejected: (t) => `Su novedad «${t}» no ha podido ser aceptada para el boletín.`,
      published: (t) => `Su novedad «${t}» ha sido publicada en el boletín.`,
    },
    reason: 'Motivo',
    read: 'Leer en línea',
    signoff: 'Este es un mensaje automático. Responda a él si tiene alguna pregunta.',
  },
  fr: {
    subject: {
      approved: (t) => `Approuvée : ${t}`,
      rejected: (t) => `Non retenue : ${t}`,
      published: (t) => `Publiée : ${t}`,
    },
    greeting: (o) => `Bonjour ${o},`,
    body: {
      approved: (t) => `Votre actualité « ${t} » a été approuvée et paraîtra dans la prochaine lettre.`,
      rejected: (t) => `Votre actualité « ${t} » n’a pas pu être retenue pour la lettre.`,
      published: (t) => `Votre actualité « ${t} » a été publiée dans la lettre.`,
    },
    reason: 'Motif',
    read: 'Lire en ligne',
    signoff: 'Ceci est un message automatique. Répondez-y pour toute question.',
  },
};

export const NOTICE_LANGUAGES = Object.keys(STRINGS);

const stringsFor = (language: string | undefined): Strings =>
  STRINGS[(language ?? 'en').toLowerCase().split('-')[0] ?? 'en'] ?? (STRINGS.en as Strings);

const oneLine = (v: string) => v.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

export interface NoticeInput {
  event: NoticeEvent;
  to: string;
  from: string;
  replyTo?: string;
  organisation: string;
  language?: string;
  title: string;
  reason?: string;
  /** The archive page of the edition (published). */
  url?: string;
  updateId: string;
  newsletterName: string;
  postalAddress: string;
  /** The system layout saved in the template store (default: the built-in one). */
  layoutHtml?: string;
}

export function buildNotice(n: NoticeInput): OutboundMessage {
  const s = stringsFor(n.language);
  const title = oneLine(n.title).slice(0, 150) || '(no subject)';
  const reason = n.event === 'rejected' && n.reason ? oneLine(n.reason) : undefined;
  const main = [s.greeting(oneLine(n.organisation)), s.body[n.event](title)];
  const e = escapeHtml;
  const subject = s.subject[n.event](title);
  const text = [
    ...main.flatMap((l) => [l, '']),
    ...(reason ? [`${s.reason}: ${reason}`, ''] : []),
    ...(n.url ? [`${s.read}: ${n.url}`, ''] : []),
    `— ${s.signoff}`,
    `(ref. ${n.updateId})`,
    n.postalAddress,
  ];
  const html = systemMailHtml({
    lang: (n.language ?? 'en').split('-')[0] ?? 'en',
    title: subject,
    preheader: s.body[n.event](title),
    newsletterName: n.newsletterName,
    bodyHtml: paragraphs(main) + (reason ? `<p><strong>${e(s.reason)}:</strong> ${e(reason)}</p>` : ''),
    action: n.url ? { url: n.url, label: s.read } : undefined,
    footerHtml: `${e(s.signoff)} (ref. ${e(n.updateId)})`,
    postalAddress: n.postalAddress,
    layoutHtml: n.layoutHtml,
  });
  return {
    from: n.from,
    to: n.to,
    replyTo: n.replyTo,
    subject,
    text: wrapText(text.join('\n')),
    html,
    // An automatic message (RFC 3834): vacation responders must not answer it.
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    tags: { kind: 'member-notice', event: n.event },
  };
}

/** Kept long: an update's notice must not repeat even if its edition is re-archived a year later. */
const LEDGER_DAYS = 400;

/**
 * Sends of one notice before it is given up: the first and six retries, 5 min × 3ⁿ apart (5 min, 15 min,
 * 45 min, 2¼ h, 6¾ h, 20¼ h: about 30 hours in all), so an SES throttle or a day's outage is outlasted.
 */
export const NOTICE_MAX_ATTEMPTS = 7;
const FIRST_RETRY_MS = 5 * 60_000;
export const retryDelayMs = (attempts: number) => FIRST_RETRY_MS * 3 ** Math.max(0, attempts - 1);
/** Due notices one retry run takes on (the next run takes the rest). */
const RETRY_BATCH = 50;

/** How one attempt ended: sent, nothing owed (any more), failed (recorded for a retry or given up), error. */
type NotifyOutcome = 'sent' | 'not-owed' | 'failed' | 'error';

/** What a failed send means for the notice. */
type FailureKind = 'retry' | 'permanent' | 'uncertain';
function failureKind(e: unknown): FailureKind {
  // SES refused this message for good (a bad address): retrying would be refused the same way.
  if (e instanceof MailerPermanentError) return 'permanent';
  // No answer: SES may have sent it, and a second notice is worse than a missing one.
  if (e instanceof MailerOutcomeUnknownError) return 'uncertain';
  // Throttled (429), a 5xx SES did not take, or anything else that did not reach SES.
  return 'retry';
}

export interface MemberNoticesDeps {
  members: Pick<MemberRepo, 'get'>;
  ledger: EventLedger;
  mailer: Mailer;
  logger: Logger;
  from: string;
  replyTo?: string;
  newsletterName: string;
  postalAddress: string;
  /** Where failed notices wait for their retry; without it a failed notice is only logged. */
  outbox?: NoticeOutbox;
  /** The update a retry is about, re-read so the retry sees its current state. */
  updates?: Pick<UpdateRepo, 'get'>;
  clock?: Clock;
  /** The system-mail layout saved in the template store, if any (else the built-in one). */
  systemLayout?: SystemLayoutSource;
}

export interface RetryRunResult {
  due: number;
  sent: number;
  /** Tried again and failed again (still pending). */
  failed: number;
  givenUp: number;
  /** No longer owed (update gone or changed since, member disabled, already sent). */
  dropped: number;
}

/**
 * Whether the update still is what the notice says: an approval rejected since gets no late "approved"
 * (nor one published since: its "published" notice says more), a rejection approved since no "rejected".
 */
function stillTrue(event: NoticeEvent, u: Update): boolean {
  return u.status === event;
}

interface Failure {
  event: NoticeEvent;
  u: Update;
  occurrence: string;
  url?: string;
  /** The notice's state before this attempt (undefined: its first). */
  previous: PendingNotice | undefined;
  error: unknown;
  kind: FailureKind;
}

/** The notice after a failed attempt: pending until its next try, or given up. */
function afterFailure(f: Failure, now: Date): PendingNotice {
  const attempts = (f.previous?.attempts ?? 0) + 1;
  const message = f.error instanceof Error ? `${f.error.name}: ${f.error.message}` : String(f.error);
  const givingUp = f.kind !== 'retry' || attempts >= NOTICE_MAX_ATTEMPTS;
  return {
    key: noticeKey(f.u.updateId, f.event, f.occurrence),
    event: f.event,
    updateId: f.u.updateId,
    occurrence: f.occurrence,
    ...(f.url ? { url: f.url } : {}),
    to: f.u.sender,
    title: oneLine(f.u.title).slice(0, 150),
    attempts,
    status: givingUp ? 'given-up' : 'pending',
    nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)).toISOString(),
    lastError:
      f.kind === 'uncertain'
        ? `no answer from the mail service (it may have been sent): ${message}`
        : message,
    createdAt: f.previous?.createdAt ?? now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

export function makeMemberNotices(d: MemberNoticesDeps) {
  const clock = d.clock ?? systemClock;

  /** Remembers a failed send: due again after the backoff, or given up (logged as an error). */
  const recordFailure = async (f: Failure) => {
    const log = d.logger.child({ updateId: f.u.updateId });
    const notice = afterFailure(f, clock.now());
    if (!d.outbox) {
      log.error('member notice not sent', { event: f.event, error: notice.lastError });
      return;
    }
    // A lost race means another attempt already recorded its own outcome for this notice.
    await d.outbox.save(notice, f.previous?.attempts ?? 0);
    const fields = { event: f.event, attempts: notice.attempts, error: notice.lastError };
    if (notice.status === 'given-up')
      log.error('member notice given up: the member was not told', { ...fields, reason: f.kind });
    else log.warn('member notice not sent: will retry', { ...fields, nextAttemptAt: notice.nextAttemptAt });
  };

  /**
   * Tells the member once per `occurrence` (the update's version for a decision, the edition for a
   * publication). Never throws: the moderation step it follows is already saved.
   */
  const notify = async (
    event: NoticeEvent,
    u: Update,
    occurrence: string,
    extra: { url?: string } = {},
    owed?: PendingNotice,
  ): Promise<NotifyOutcome> => {
    const log = d.logger.child({ updateId: u.updateId });
    const key = noticeKey(u.updateId, event, occurrence);
    try {
      // Mail whose From may be forged was never acknowledged: telling that address now would be backscatter
      // carrying the forger's subject.
      if (u.acknowledged === false) {
        log.info('member notice not sent: the mail was not acknowledged (sender not authenticated)', {
          event,
        });
        return 'not-owed';
      }
      const member = await d.members.get(u.memberId);
      if (member?.status !== 'active') {
        log.info('member notice not sent: no active member', { event, memberId: u.memberId });
        return 'not-owed';
      }
      // An address since removed from the member's senders (someone who left) is not told any more.
      if (!member.senders.some((s) => s.toLowerCase() === u.sender.toLowerCase())) {
        log.info('member notice not sent: the sender is no longer one of the member’s', { event });
        return 'not-owed';
      }
      const previous = owed ?? (await d.outbox?.get(key));
      // Given up already (a bad address, or no answer): a repeated moderation step does not try again.
      if (previous?.status === 'given-up') return 'not-owed';
      // Sent already, or being sent by another attempt right now.
      if (!(await d.ledger.claim(key, LEDGER_DAYS))) return 'not-owed';
      try {
        await d.mailer.send(
          buildNotice({
            event,
            to: u.sender,
            from: d.from,
            replyTo: d.replyTo,
            organisation: u.organisation,
            language: member.language,
            title: u.title,
            reason: u.reason,
            url: extra.url,
            updateId: u.updateId,
            newsletterName: d.newsletterName,
            postalAddress: d.postalAddress,
            layoutHtml: await d.systemLayout?.(),
          }),
        );
      } catch (e) {
        const kind = failureKind(e);
        // Not sent: free the claim, so the retry (or a repeated step) can send it. An unanswered send keeps
        // its claim: it may have reached the member, and nothing must send it a second time.
        if (kind !== 'uncertain') await d.ledger.release(key).catch(() => {});
        await recordFailure({ event, u, occurrence, url: extra.url, previous, error: e, kind });
        return 'failed';
      }
      if (previous) await d.outbox?.remove(key);
      log.info('member notice sent', { event, ...(previous ? { attempt: previous.attempts + 1 } : {}) });
      return 'sent';
    } catch (e) {
      // The table or the member registry failed: a pending notice stays pending for the next run.
      log.error('member notice not sent', { event, error: String(e) });
      return 'error';
    }
  };

  /** Sends every pending notice that is due; run from a periodic trigger (job `notice-retries`). */
  const retryDue = async (): Promise<RetryRunResult> => {
    const result: RetryRunResult = { due: 0, sent: 0, failed: 0, givenUp: 0, dropped: 0 };
    if (!d.outbox || !d.updates) return result;
    const due = await d.outbox.due(clock.now(), RETRY_BATCH);
    result.due = due.length;
    for (const n of due) {
      const u = await d.updates.get(n.updateId);
      if (!u || !stillTrue(n.event, u)) {
        d.logger.info('member notice no longer owed: the update changed since', {
          updateId: n.updateId,
          event: n.event,
        });
        await d.outbox.remove(n.key);
        result.dropped++;
        continue;
      }
      const outcome = await notify(n.event, u, n.occurrence, { url: n.url }, n);
      if (outcome === 'sent') result.sent++;
      else if (outcome === 'failed') {
        const after = await d.outbox.get(n.key);
        if (after?.status === 'given-up') result.givenUp++;
        else result.failed++;
      } else if (outcome === 'error') result.failed++;
      else {
        // Nobody to tell any more (member disabled, address removed), or another attempt sent it.
        await d.outbox.remove(n.key);
        result.dropped++;
      }
    }
    return result;
  };

  return {
    /** After an approval or rejection was saved (ModerationListener). */
    decided: (event: 'approved' | 'rejected', u: Update) =>
      notify(event, u, String(u.audit.length)).then(() => {}),
    /** After the update was marked published in edition `editionNumber`, whose archive page is `url`. */
    published: (u: Update, editionNumber: number, url: string) =>
      notify('published', u, String(editionNumber), { url }).then((o) => o === 'sent'),
    retryDue,
  };
}
export type MemberNotices = ReturnType<typeof makeMemberNotices>;

export const noticeKey = (updateId: string, event: NoticeEvent, occurrence: string) =>
  `notice:${updateId}:${event}:${occurrence}`;
