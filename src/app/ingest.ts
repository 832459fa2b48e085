import { DynamoInboundRepo } from '../adapters/dynamodb/inbound-repo.ts';
import { DynamoMemberRepo } from '../adapters/dynamodb/member-repo.ts';
import { DynamoUpdateRepo } from '../adapters/dynamodb/update-repo.ts';
import { createHtmlTools } from '../adapters/mime/html.ts';
import { createMimeParser } from '../adapters/mime/mail-parser.ts';
import {
  type IngestResult,
  inboundRawKey,
  NotFoundError,
  ValidationError,
  type VerdictPreset,
  type Verdicts,
} from '../domain/index.ts';
import type { IngestGateway, MimeParser } from '../ports/inbound.ts';
import { makeIngest } from '../use-cases/inbound/ingest.ts';
import {
  commandsFromEvent,
  localMessageId,
  localSesEvent,
  presetVerdicts,
  SesReceiptEvent,
} from '../use-cases/inbound/ses-event.ts';
import type { Infra } from './infra.ts';
import { systemLayoutOf } from './system-layout.ts';

type ParsedHeaders = Awaited<ReturnType<MimeParser['parseHeaders']>>;

export interface IngestDeps {
  /**
   * Mail to GAZETTE_UNSUBSCRIBE_MAILTO (List-Unsubscribe mailto): the subscribers area unsubscribes the
   * subscriber the subject's signed token names, else the sender.
   */
  unsubscribeByEmail?: (email: string, subject?: string) => Promise<void>;
}

/**
 * The MIME half of the inbound area: parse, classify and store member mail. Only this composition imports
 * the MIME parser and the HTML sanitiser, so only the ingest function (and the embedded runtime) carry them;
 * the API function reaches it through an IngestGateway (src/app/inbound.ts).
 */
export function composeIngest(infra: Infra, deps: IngestDeps = {}) {
  const c = infra.config;
  const mime = createMimeParser({ timeoutMs: c.GAZETTE_INBOUND_PARSE_TIMEOUT_MS });
  const ingest = makeIngest({
    // Getters: the Lambda runtime builds S3 clients lazily, only when a message is actually read.
    blobs: {
      get raw() {
        return infra.blobs.raw;
      },
      get content() {
        return infra.blobs.content;
      },
    },
    members: new DynamoMemberRepo(infra.table),
    updates: new DynamoUpdateRepo(infra.table),
    inbound: new DynamoInboundRepo(infra.table),
    mime,
    html: createHtmlTools(),
    systemLayout: systemLayoutOf(infra),
    get mailer() {
      return infra.mailer;
    },
    clock: infra.clock,
    logger: infra.logger.child({ area: 'inbound' }),
    policy: {
      maxMessageBytes: c.GAZETTE_MAX_MESSAGE_BYTES,
      updatesAddress: c.GAZETTE_UPDATES_ADDRESS,
      unsubscribeAddress: c.GAZETTE_UNSUBSCRIBE_MAILTO,
      from: c.GAZETTE_FROM,
      defaultTimeZone: c.GAZETTE_INBOUND_TIMEZONE,
    },
    unsubscribeByEmail: deps.unsubscribeByEmail,
  });

  /**
   * The SES receipt rule's Lambda action (functions/ingest.ts) and the embedded SMTP server both land
   * here: zod-parse the event, ingest each record. A malformed event throws ValidationError.
   */
  async function handleSesEvent(event: unknown): Promise<IngestResult[]> {
    const parsed = SesReceiptEvent.safeParse(event);
    if (!parsed.success)
      throw new ValidationError(`not an SES receipt event: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const results: IngestResult[] = [];
    for (const cmd of commandsFromEvent(parsed.data)) results.push(await ingest(cmd));
    return results;
  }

  /** What SES would hand the Lambda action for a stored message that did not come through SES. */
  async function ingestWithVerdicts(
    messageId: string,
    raw: Uint8Array,
    preset: VerdictPreset | Verdicts,
    envelope?: { from: string; to: string[] },
  ): Promise<IngestResult> {
    const head = await mime.parseHeaders(raw);
    const env = envelope ?? envelopeFromHeaders(head);
    const event = localSesEvent({
      messageId,
      at: infra.clock.now(),
      mailFrom: env.from,
      recipients: env.to.length ? env.to : [c.GAZETTE_UPDATES_ADDRESS],
      verdicts: typeof preset === 'string' ? presetVerdicts(preset) : preset,
      bucket: infra.blobs.raw.bucket,
      commonHeaders: {
        from: head.from ? [head.from.address] : [],
        subject: head.subject,
        messageId: head.messageId,
      },
    });
    const [result] = await handleSesEvent(event);
    if (!result) throw new Error('ingest returned no result');
    return result;
  }

  /** An uploaded .eml has no envelope: it was addressed to whichever of our addresses its To/Cc name. */
  function envelopeFromHeaders(head: ParsedHeaders): { from: string; to: string[] } {
    // Whole addresses, not substrings: "x-unsubscribe@…" is not the unsubscribe address.
    const addressed = new Set(
      [...(head.headers.to ?? []), ...(head.headers.cc ?? [])].flatMap((h) =>
        (h.match(/[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g) ?? []).map((x) => x.toLowerCase()),
      ),
    );
    const to = [c.GAZETTE_UNSUBSCRIBE_MAILTO, c.GAZETTE_UPDATES_ADDRESS].filter((a) =>
      addressed.has(a.toLowerCase()),
    );
    return { from: head.from?.address ?? '', to };
  }

  /** What SES does on AWS, done locally: store the raw message under inbound/<messageId>, then the Lambda action. */
  async function receiveRaw(
    raw: Buffer,
    envelope?: { from: string; to: string[] },
    preset: VerdictPreset | Verdicts = 'pass',
  ): Promise<IngestResult> {
    const salt = typeof preset === 'string' ? preset : Object.values(preset).join(',');
    const messageId = localMessageId(raw, salt === 'pass' ? '' : salt);
    await infra.blobs.raw.put(inboundRawKey(messageId), raw, 'message/rfc822');
    return ingestWithVerdicts(messageId, raw, preset, envelope);
  }

  const gateway: IngestGateway = {
    async ingestStored(messageId, verdicts) {
      const key = inboundRawKey(messageId);
      if (!(await infra.blobs.raw.exists(key))) throw new NotFoundError(`no stored message ${messageId}`);
      const raw = await infra.blobs.raw.get(key);
      return ingestWithVerdicts(messageId, raw, verdicts);
    },
  };

  return {
    ingest,
    handleSesEvent,
    receiveRaw,
    /** The local SMTP server: verdicts computed from the message and its SMTP session (mailauth), never a preset. */
    receiveSmtp: async (
      raw: Buffer,
      envelope: { from: string; to: string[] },
      verdicts: Verdicts,
    ): Promise<void> => {
      await receiveRaw(raw, envelope, verdicts);
    },
    gateway,
  };
}
export type IngestApp = ReturnType<typeof composeIngest>;
