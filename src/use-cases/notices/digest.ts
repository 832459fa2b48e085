/**
 * The secretariat's daily digest (issue 15): every inbound message quarantined or rejected in the last 24
 * hours, with who sent it, its subject and the reason, so nothing a member sent is lost without someone
 * seeing it. Fired once a day (the embedded scheduler; EventBridge Scheduler on AWS), sent at most once per
 * day: a ledger claim on the day is taken before sending and released if the send fails.
 */
import { escapeHtml } from '../../domain/html.ts';
import type { InboundRecord } from '../../domain/index.ts';
import type { Clock } from '../../ports/clock.ts';
import type { InboundRepo } from '../../ports/inbound.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Mailer, OutboundMessage } from '../../ports/mailer.ts';
import type { NoticeOutbox, PendingNotice } from '../../ports/notices.ts';
import type { EventLedger } from '../../ports/subscribers.ts';
import type { SystemLayoutSource } from '../shared/system-layout-source.ts';
import { systemMailHtml, wrapText } from '../shared/system-mail.ts';

const DAY_MS = 24 * 3600 * 1000;
/** More than a day ever holds; the digest says so if it was cut (a spam flood). */
const MAX_PER_OUTCOME = 500;

export interface DigestDeps {
  inbound: Pick<InboundRepo, 'listByOutcome'>;
  ledger: EventLedger;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
  /** The secretariat's address; undefined turns the digest off. */
  to: string | undefined;
  from: string;
  newsletterName: string;
  postalAddress: string;
  /** The day of the digest (its subject and its once-a-day key) is counted in this zone. */
  timeZone: string;
  /** Link to the inbound log in the console or API, if there is one. */
  reviewUrl?: string;
  /** Member notices given up (never reached the member): listed so the secretariat can tell them. */
  notices?: Pick<NoticeOutbox, 'givenUpSince'>;
  /** The system-mail layout saved in the template store, if any (else the built-in one). */
  systemLayout?: SystemLayoutSource;
}

export interface DigestResult {
  sent: boolean;
  /** Why nothing was sent: off, nothing to report, or already sent today. */
  skipped?: 'off' | 'empty' | 'already-sent';
  day: string;
  quarantined: number;
  rejected: number;
  /** Member notices given up in the day (present when there were any). */
  noticesGivenUp?: number;
}

const oneLine = (v: string) => v.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

export function makeDailyDigest(d: DigestDeps) {
  return async function runDigest(): Promise<DigestResult> {
    const now = d.clock.now();
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: d.timeZone }).format(now); // YYYY-MM-DD
    if (!d.to) return { sent: false, skipped: 'off', day, quarantined: 0, rejected: 0 };
    const since = new Date(now.getTime() - DAY_MS).toISOString();
    const cut = new Set<string>();
    const recent = async (outcome: 'quarantined' | 'rejected') => {
      const page = await d.inbound.listByOutcome(outcome, { limit: MAX_PER_OUTCOME });
      const inDay = page.filter((r) => r.receivedAt >= since && r.receivedAt <= now.toISOString());
      // A full page whose oldest is still within the day: there were more than it lists.
      if (page.length >= MAX_PER_OUTCOME && inDay.length === page.length) cut.add(outcome);
      return inDay;
    };
    const [quarantined, rejected, givenUp] = await Promise.all([
      recent('quarantined'),
      recent('rejected'),
      d.notices ? d.notices.givenUpSince(new Date(now.getTime() - DAY_MS)) : Promise.resolve([]),
    ]);
    const counts = {
      day,
      quarantined: quarantined.length,
      rejected: rejected.length,
      ...(givenUp.length ? { noticesGivenUp: givenUp.length } : {}),
    };
    if (!quarantined.length && !rejected.length && !givenUp.length)
      return { sent: false, skipped: 'empty', ...counts };
    const key = `digest:inbound:${day}`;
    if (!(await d.ledger.claim(key, 30))) return { sent: false, skipped: 'already-sent', ...counts };
    try {
      await d.mailer.send(
        buildDigest({
          ...d,
          to: d.to,
          day,
          quarantined,
          rejected,
          cut,
          givenUp,
          layoutHtml: await d.systemLayout?.(),
        }),
      );
    } catch (e) {
      await d.ledger.release(key).catch(() => {});
      throw e;
    }
    d.logger.info('inbound digest sent', counts);
    return { sent: true, ...counts };
  };
}

export function buildDigest(p: {
  layoutHtml?: string;
  to: string;
  from: string;
  newsletterName: string;
  postalAddress: string;
  reviewUrl?: string;
  day: string;
  quarantined: InboundRecord[];
  rejected: InboundRecord[];
  /** Outcomes whose list was cut at the limit (more arrived that day than the digest lists). */
  cut?: ReadonlySet<string>;
  /** Member notices given up in the day. */
  givenUp?: PendingNotice[];
}): OutboundMessage {
  const givenUp = p.givenUp ?? [];
  const subject =
    `Inbound digest ${p.day}: ${p.quarantined.length} quarantined, ${p.rejected.length} rejected` +
    (givenUp.length ? `, ${givenUp.length} member notice${givenUp.length === 1 ? '' : 's'} not sent` : '');
  const e = escapeHtml;
  const row = (r: InboundRecord) => ({
    at: r.receivedAt.slice(0, 16).replace('T', ' '),
    from: oneLine(r.from).slice(0, 200),
    subject: oneLine(r.subject).slice(0, 200) || '(no subject)',
    reason: oneLine(r.reason ?? '').slice(0, 500) || '(no reason recorded)',
    id: r.messageId,
  });
  const section = (title: string, hint: string, records: InboundRecord[], wasCut = false) => {
    if (!records.length) return { text: [] as string[], html: '' };
    const rows = records.map(row);
    if (wasCut)
      hint = `${hint} Only the ${records.length} most recent are listed: more arrived; see the inbound log.`;
    return {
      text: [
        `${title} (${records.length})`,
        hint,
        '',
        ...rows.flatMap((r) => [
          `- ${r.at} UTC  ${r.from}`,
          `  ${r.subject}`,
          `  Reason: ${r.reason}`,
          `  Message: ${r.id}`,
        ]),
        '',
      ],
      html:
        `<h2>${e(title)} (${records.length})</h2><p>${e(hint)}</p><table role="presentation">` +
        rows
          .map(
            (r) =>
              `<tr><td>${e(r.at)} UTC<br>${e(r.from)}</td><td><strong>${e(r.subject)}</strong><br>${e(r.reason)}<br><small>${e(r.id)}</small></td></tr>`,
          )
          .join('') +
        '</table>',
    };
  };
  const q = section(
    'Quarantined',
    'Held for a manual check: approve or reject each in moderation.',
    p.quarantined,
    p.cut?.has('quarantined'),
  );
  const r = section(
    'Rejected',
    'Not turned into updates (no acknowledgement for bounces and auto-replies).',
    p.rejected,
    p.cut?.has('rejected'),
  );
  const n = noticesSection(givenUp);
  const intro = `Member mail of the last 24 hours that did not go straight to moderation.`;
  const text = [
    intro,
    '',
    ...q.text,
    ...r.text,
    ...n.text,
    ...(p.reviewUrl ? [`Review: ${p.reviewUrl}`, ''] : []),
    p.postalAddress,
  ];
  return {
    from: p.from,
    to: p.to,
    subject,
    text: wrapText(text.join('\n')),
    html: systemMailHtml({
      lang: 'en',
      title: subject,
      preheader: intro,
      newsletterName: p.newsletterName,
      bodyHtml: `<p>${e(intro)}</p>${q.html}${r.html}${n.html}`,
      action: p.reviewUrl ? { url: p.reviewUrl, label: 'Review in the console' } : undefined,
      footerHtml: e('The daily digest of the inbound mail (GAZETTE_DIGEST_EMAIL).'),
      postalAddress: p.postalAddress,
      layoutHtml: p.layoutHtml,
    }),
    headers: { 'Auto-Submitted': 'auto-generated' },
    tags: { kind: 'inbound-digest' },
  };
}

/** One line per notice that never reached its member: who, which update, what happened, why. */
function noticesSection(givenUp: PendingNotice[]): { text: string[]; html: string } {
  if (!givenUp.length) return { text: [], html: '' };
  const title = 'Member notices not sent';
  const hint = 'Gazette gave up telling these members about their update: tell them another way.';
  const rows = givenUp.map((n) => ({
    line: `${oneLine(n.to).slice(0, 200)}: ${n.event} “${oneLine(n.title).slice(0, 150)}” (update ${n.updateId})`,
    why: `${n.attempts} attempt${n.attempts === 1 ? '' : 's'}; last error: ${oneLine(n.lastError).slice(0, 300)}`,
  }));
  const e = escapeHtml;
  return {
    text: [
      `${title} (${givenUp.length})`,
      hint,
      '',
      ...rows.flatMap((r) => [`- ${r.line}`, `  ${r.why}`]),
      '',
    ],
    html:
      `<h2>${e(title)} (${givenUp.length})</h2><p>${e(hint)}</p><table role="presentation">` +
      rows.map((r) => `<tr><td>${e(r.line)}<br><small>${e(r.why)}</small></td></tr>`).join('') +
      '</table>',
  };
}
