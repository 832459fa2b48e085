/**
 * Ingest one inbound message: the raw MIME is already stored (SES S3 action, or the embedded SMTP
 * server under the same key). Decide the outcome, build and store the update and its files, record the
 * message, acknowledge the member. Idempotent per messageId: a redelivery returns the first outcome and
 * sends nothing; ids and file keys are derived from the messageId, so a crash half-way is repaired by
 * the retry.
 */
import {
  type AuditEntry,
  type InboundPolicy,
  type InboundRecord,
  type IngestResult,
  type Member,
  type StoredFile,
  stableId,
  UnparseableMessageError,
  Update,
  type Verdicts,
} from '../../domain/index.ts';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type {
  HtmlTools,
  InboundRepo,
  MemberRepo,
  MimeParser,
  ParsedMail,
  UpdateRepo,
} from '../../ports/inbound.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Mailer } from '../../ports/mailer.ts';
import type { SystemLayoutSource } from '../shared/system-layout-source.ts';
import { type AckStatus, buildAck } from './ack.ts';
import { type BuiltUpdate, buildUpdateContent, type FileToStore } from './build-update.ts';
import { type Decision, type DecisionInput, decide } from './classify.ts';
import { cleanTitle } from './text.ts';

export interface IngestCommand {
  messageId: string;
  rawKey: string;
  receivedAt: Date;
  /** Envelope recipients (SES receipt.recipients), not the To: header. */
  recipients: string[];
  verdicts: Verdicts;
  /** Envelope sender (SES mail.source; empty for bounces): SPF's identity, checked for alignment. */
  mailFrom?: string;
}

export interface IngestDeps {
  blobs: { raw: BlobStore; content: BlobStore };
  members: MemberRepo;
  updates: UpdateRepo;
  inbound: InboundRepo;
  mime: MimeParser;
  html: HtmlTools;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
  policy: InboundPolicy;
  /**
   * Handles mail to the List-Unsubscribe mailto address (wired to the subscribers area): the sender's address
   * and the decoded subject, which carries the mailto's signed unsubscribe token.
   */
  unsubscribeByEmail?: (email: string, subject?: string) => Promise<void>;
  /** The system-mail layout saved in the template store, if any (else the built-in one). */
  systemLayout?: SystemLayoutSource;
}

export const INGEST_ACTOR = 'system:ingest';
export const TRUSTED_ACTOR = 'system:trusted-sender';

export function makeIngest(d: IngestDeps) {
  return async function ingest(cmd: IngestCommand): Promise<IngestResult> {
    const log = d.logger.child({ messageId: cmd.messageId });
    const seen = await d.inbound.get(cmd.messageId);
    if (seen) return resultOf(seen);

    const raw = await d.blobs.raw.get(cmd.rawKey);
    const size = raw.length;
    let parsed: ParsedMail | undefined;
    let parseError: string | undefined;
    if (size <= d.policy.maxMessageBytes) {
      try {
        parsed = await d.mime.parse(raw);
      } catch (e) {
        if (!(e instanceof UnparseableMessageError)) throw e;
        parseError = e.message;
      }
    }
    const head = parsed ?? (await d.mime.parseHeaders(raw));
    const member = head.from ? await d.members.findBySender(head.from.address) : undefined;
    const otherMailboxes = member ? await otherIdentities(d.members, head) : [];
    let decision: Decision = decide({
      head,
      verdicts: cmd.verdicts,
      size,
      maxBytes: d.policy.maxMessageBytes,
      recipients: cmd.recipients,
      unsubscribeAddress: d.policy.unsubscribeAddress,
      member,
      mailFrom: cmd.mailFrom,
      otherMailboxes,
    });

    if (decision.outcome === 'rejected' && decision.unsubscribe && head.from) {
      if (d.unsubscribeByEmail) await d.unsubscribeByEmail(head.from.address, head.subject);
      else {
        log.warn('unsubscribe mail received but no unsubscribe handler is wired');
        decision = {
          ...decision,
          reason: 'unsubscribe request received, but no unsubscribe handler is configured',
        };
      }
    }

    let updateId: string | undefined;
    let built: BuiltUpdate | undefined;
    if (decision.outcome !== 'rejected') {
      const m = decision.member;
      updateId = stableId('u', cmd.messageId);
      built = parsed ? safeBuild(d, parsed, m, log) : undefined;
      const problem = parseError
        ? `could not read the message: ${parseError}`
        : built
          ? undefined
          : 'could not build an update from the message';
      if (problem) {
        decision = { outcome: 'quarantined', reason: problem, ack: decision.ack, member: m };
      } else if (built && decision.outcome === 'accepted') {
        const withheld = built.files.filter((f) => !f.publishable);
        if (withheld.length)
          decision = {
            outcome: 'quarantined',
            reason: `attachments withheld for review: ${withheld.map((f) => `${f.filename} (${f.withheldReason})`).join('; ')}`,
            ack: true,
            member: m,
          };
      }
      const files = built ? await storeFiles(d, updateId, built.files) : [];
      let update: Update;
      try {
        update = assembleUpdate(cmd, head, m, decision, updateId, built, files, d.clock.now());
      } catch (e) {
        // Content that fails the Update schema must not loop through Lambda retries: keep a bare shell.
        log.error('update failed validation', { error: String(e) });
        decision = {
          outcome: 'quarantined',
          reason: 'the update built from this message was invalid',
          ack: decision.ack,
          member: m,
        };
        built = undefined;
        update = assembleUpdate(cmd, head, m, decision, updateId, undefined, files, d.clock.now());
      }
      await d.updates.create(update);
    }

    const record: InboundRecord = {
      messageId: cmd.messageId,
      receivedAt: cmd.receivedAt.toISOString(),
      from: (head.from?.address ?? '').slice(0, 254),
      subject: head.subject.slice(0, 300),
      outcome: decision.outcome,
      reason: decision.outcome === 'accepted' ? undefined : decision.reason,
      updateId,
      memberId: member?.memberId,
      rawKey: cmd.rawKey,
      size,
      verdicts: cmd.verdicts,
    };
    // The record is the commit point: exactly one delivery wins it, and only that one acknowledges.
    if (!(await d.inbound.record(record))) {
      const winner = await d.inbound.get(cmd.messageId);
      return winner ? resultOf(winner) : resultOf(record);
    }
    log.info('inbound message', {
      outcome: record.outcome,
      reason: record.reason,
      updateId,
      memberId: member?.memberId,
    });

    if (decision.ack && member && head.from) {
      const status: AckStatus =
        decision.outcome === 'accepted' ? (decision.approve ? 'approved' : 'pending') : decision.outcome;
      const ack = buildAck({
        to: head.from.address,
        from: d.policy.from,
        organisation: member.organisation,
        language: member.language,
        title: built?.content.title ?? (cleanTitle(head.subject) || '(no subject)'),
        status,
        reason: decision.outcome === 'accepted' ? undefined : decision.reason,
        attachments: built?.files.length ?? 0,
        withheld: built?.files.filter((f) => !f.publishable).map((f) => f.filename) ?? [],
        inReplyTo: head.messageId,
        updateId,
        // Repeated to the member so they can correct a misread date or place (issue 15).
        event: built?.content.event,
        deadline: built?.content.deadline,
        timeZone: d.policy.defaultTimeZone,
        layoutHtml: await d.systemLayout?.(),
      });
      try {
        await d.mailer.send(ack);
      } catch (e) {
        // The update is safe; a lost acknowledgement must not make SES redeliver the whole message.
        log.error('acknowledgement not sent', { error: String(e) });
      }
    }
    return resultOf(record);
  };
}

export type Ingest = ReturnType<typeof makeIngest>;

/** Further From: mailboxes and a differing Sender:, each with the member it belongs to (looked up once each). */
async function otherIdentities(
  members: MemberRepo,
  head: Pick<ParsedMail, 'from' | 'fromAll' | 'sender'>,
): Promise<NonNullable<DecisionInput['otherMailboxes']>> {
  const first = head.from?.address;
  const named = [
    ...(head.fromAll ?? []).map((a) => ({ role: 'From' as const, address: a.address })),
    ...(head.sender ? [{ role: 'Sender' as const, address: head.sender.address }] : []),
  ];
  const seen = new Set<string>(first ? [first] : []);
  const out: NonNullable<DecisionInput['otherMailboxes']> = [];
  for (const x of named) {
    if (seen.has(x.address)) continue;
    seen.add(x.address);
    const m = await members.findBySender(x.address);
    out.push({ ...x, memberId: m?.memberId });
  }
  return out;
}

const resultOf = (r: Pick<InboundRecord, 'outcome' | 'updateId' | 'reason'>): IngestResult => ({
  outcome: r.outcome,
  ...(r.updateId ? { updateId: r.updateId } : {}),
  ...(r.reason ? { reason: r.reason } : {}),
});

/** A builder bug must not lose the message: the update is then quarantined with the raw key. */
function safeBuild(d: IngestDeps, parsed: ParsedMail, member: Member, log: Logger): BuiltUpdate | undefined {
  try {
    return buildUpdateContent(parsed, { html: d.html, member, defaultTimeZone: d.policy.defaultTimeZone });
  } catch (e) {
    log.error('could not build update', { error: String((e as Error)?.stack ?? e) });
    return undefined;
  }
}

async function storeFiles(d: IngestDeps, updateId: string, files: FileToStore[]): Promise<StoredFile[]> {
  const stored: StoredFile[] = [];
  for (const f of files) {
    const name = `${String(f.index + 1).padStart(2, '0')}-${f.filename}`;
    // Not publishable: kept in the private raw bucket only, never next to publishable content.
    const key = f.publishable ? `updates/${updateId}/${name}` : `withheld/${updateId}/${name}`;
    const store = f.publishable ? d.blobs.content : d.blobs.raw;
    await store.put(key, f.attachment.content, f.attachment.contentType);
    stored.push({
      key,
      filename: f.filename,
      contentType: f.attachment.contentType,
      size: f.attachment.size,
      inline: f.attachment.inline,
      contentId: f.attachment.contentId,
      publishable: f.publishable,
    });
  }
  return stored;
}

function assembleUpdate(
  cmd: IngestCommand,
  head: Pick<ParsedMail, 'from' | 'subject'>,
  member: Member,
  decision: Exclude<Decision, { outcome: 'rejected' }>,
  updateId: string,
  built: BuiltUpdate | undefined,
  files: StoredFile[],
  now: Date,
): Update {
  const at = now.toISOString();
  const approved = decision.outcome === 'accepted' && decision.approve;
  const audit: AuditEntry[] = [
    {
      at,
      actor: INGEST_ACTOR,
      action: 'received',
      note: built?.problems.length ? built.problems.join('; ').slice(0, 1000) : undefined,
    },
  ];
  if (decision.outcome === 'quarantined')
    audit.push({ at, actor: INGEST_ACTOR, action: 'quarantined', note: decision.reason.slice(0, 1000) });
  if (approved) audit.push({ at, actor: TRUSTED_ACTOR, action: 'approved', note: 'trusted member' });
  const title = built?.content.title ?? (cleanTitle(head.subject) || '(unreadable message)');
  const fallbackText = `The message could not be read automatically. The original is kept at ${cmd.rawKey}.`;
  return Update.parse({
    updateId,
    messageId: cmd.messageId,
    memberId: member.memberId,
    organisation: member.organisation,
    sender: head.from?.address,
    receivedAt: cmd.receivedAt.toISOString(),
    status: decision.outcome === 'quarantined' ? 'quarantined' : approved ? 'approved' : 'pending',
    reason: decision.outcome === 'quarantined' ? decision.reason.slice(0, 1000) : undefined,
    title: title.slice(0, 300),
    summary: built?.content.summary ?? '',
    bodyHtml: built?.content.bodyHtml ?? `<p>${fallbackText}</p>`,
    bodyText: built?.content.bodyText ?? fallbackText,
    kind: built?.content.kind ?? 'news',
    section: built?.content.section ?? 'news',
    links: built?.content.links ?? [],
    attachments: files,
    event: built?.content.event,
    deadline: built?.content.deadline,
    language: built?.content.language ?? member.language,
    acknowledged: decision.ack ? undefined : false,
    rawKey: cmd.rawKey,
    audit,
  });
}
