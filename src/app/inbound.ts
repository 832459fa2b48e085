import { DynamoInboundRepo } from '../adapters/dynamodb/inbound-repo.ts';
import { DynamoMemberRepo } from '../adapters/dynamodb/member-repo.ts';
import { DynamoUpdateRepo } from '../adapters/dynamodb/update-repo.ts';
import { createHtmlTools } from '../adapters/mime/html.ts';
import { createMimeParser } from '../adapters/mime/mail-parser.ts';
import {
  InboundOutcome,
  type IngestResult,
  inboundRawKey,
  MemberPatch,
  MergeUpdatesInput,
  NewMember,
  RejectUpdateInput,
  UpdateEdits,
  UpdateStatus,
  ValidationError,
} from '../domain/index.ts';
import { parseJsonBody, parseWith } from '../http/body.ts';
import { type HttpRequest, json, type Route } from '../http/types.ts';
import { makeIngest } from '../use-cases/inbound/ingest.ts';
import { makeMembers } from '../use-cases/inbound/members.ts';
import { makeModeration } from '../use-cases/inbound/moderation.ts';
import {
  commandsFromEvent,
  localMessageId,
  localSesEvent,
  presetVerdicts,
  SesReceiptEvent,
  type VerdictPreset,
  VerdictPresetSchema,
} from '../use-cases/inbound/ses-event.ts';
import type { Infra } from './infra.ts';
import type { JobHandlers } from './jobs.ts';

export interface InboundDeps {
  /** Mail to GAZETTE_UNSUBSCRIBE_MAILTO (List-Unsubscribe mailto): the subscribers area unsubscribes the sender. */
  unsubscribeByEmail?: (email: string) => Promise<void>;
}

/** Members registry, inbound ingest, moderation (issue 3: member updates by email). */
export function composeInbound(infra: Infra, deps: InboundDeps = {}) {
  const c = infra.config;
  const members = new DynamoMemberRepo(infra.table);
  const updates = new DynamoUpdateRepo(infra.table);
  const inboundRepo = new DynamoInboundRepo(infra.table);
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
    members,
    updates,
    inbound: inboundRepo,
    mime,
    html: createHtmlTools(),
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
  const memberUseCases = makeMembers({ members, clock: infra.clock });
  const moderation = makeModeration({ updates, clock: infra.clock });

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

  /** What SES does on AWS, done locally: store the raw message under inbound/<messageId>, then the Lambda action. */
  async function receiveRaw(
    raw: Buffer,
    envelope: { from: string; to: string[] },
    preset: VerdictPreset = 'pass',
  ): Promise<IngestResult> {
    const messageId = localMessageId(raw, preset === 'pass' ? '' : preset);
    await infra.blobs.raw.put(inboundRawKey(messageId), raw, 'message/rfc822');
    const head = await mime.parseHeaders(raw);
    const event = localSesEvent({
      messageId,
      at: infra.clock.now(),
      mailFrom: envelope.from,
      recipients: envelope.to.length ? envelope.to : [c.GAZETTE_UPDATES_ADDRESS],
      verdicts: presetVerdicts(preset),
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

  const receiveSmtp = async (raw: Buffer, envelope: { from: string; to: string[] }): Promise<void> => {
    await receiveRaw(raw, envelope);
  };

  const actor = (req: HttpRequest) => req.actor ?? 'unknown';
  const limitOf = (req: HttpRequest) => {
    const n = Number(req.query.limit ?? 200);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new ValidationError('limit must be 1…1000');
    return n;
  };

  const routes: Route[] = [
    // --- members
    {
      method: 'GET',
      path: '/admin/members',
      access: 'admin',
      handler: async () => json(200, { members: await memberUseCases.list() }),
    },
    {
      method: 'POST',
      path: '/admin/members',
      access: 'admin',
      handler: async (req) => json(201, await memberUseCases.add(parseJsonBody(req, NewMember))),
    },
    {
      method: 'GET',
      path: '/admin/members/:memberId',
      access: 'admin',
      handler: async (req) => json(200, await memberUseCases.get(req.params.memberId ?? '')),
    },
    {
      method: 'PATCH',
      path: '/admin/members/:memberId',
      access: 'admin',
      handler: async (req) =>
        json(200, await memberUseCases.update(req.params.memberId ?? '', parseJsonBody(req, MemberPatch))),
    },
    {
      method: 'POST',
      path: '/admin/members/:memberId/disable',
      access: 'admin',
      handler: async (req) => json(200, await memberUseCases.disable(req.params.memberId ?? '')),
    },
    // --- moderation
    {
      method: 'GET',
      path: '/admin/updates',
      access: 'admin',
      handler: async (req) => {
        const status = req.query.status ? parseWith(UpdateStatus, req.query.status) : undefined;
        return json(200, { updates: await moderation.list(status, { limit: limitOf(req) }) });
      },
    },
    {
      method: 'GET',
      path: '/admin/updates/:updateId',
      access: 'admin',
      handler: async (req) => json(200, await moderation.get(req.params.updateId ?? '')),
    },
    {
      method: 'POST',
      path: '/admin/updates/:updateId/approve',
      access: 'admin',
      handler: async (req) =>
        json(
          200,
          await moderation.approve(req.params.updateId ?? '', parseJsonBody(req, UpdateEdits), actor(req)),
        ),
    },
    {
      method: 'POST',
      path: '/admin/updates/:updateId/reject',
      access: 'admin',
      handler: async (req) => {
        const { reason } = parseJsonBody(req, RejectUpdateInput);
        return json(200, await moderation.reject(req.params.updateId ?? '', reason, actor(req)));
      },
    },
    {
      method: 'POST',
      path: '/admin/updates/:updateId/merge',
      access: 'admin',
      handler: async (req) => {
        const { duplicates } = parseJsonBody(req, MergeUpdatesInput);
        return json(200, await moderation.merge(req.params.updateId ?? '', duplicates, actor(req)));
      },
    },
    // --- inbound messages
    {
      method: 'POST',
      path: '/admin/inbound',
      access: 'admin',
      handler: async (req) => {
        const preset = parseWith(VerdictPresetSchema, req.query.verdicts ?? 'pass');
        if (!req.body.length) throw new ValidationError('send the raw message (.eml) as the request body');
        const head = await mime.parseHeaders(req.body);
        // Whole addresses, not substrings: "x-unsubscribe@…" is not the unsubscribe address.
        const addressed = new Set(
          [...(head.headers.to ?? []), ...(head.headers.cc ?? [])].flatMap((h) =>
            (h.match(/[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g) ?? []).map((x) => x.toLowerCase()),
          ),
        );
        const to = [c.GAZETTE_UNSUBSCRIBE_MAILTO, c.GAZETTE_UPDATES_ADDRESS].filter((a) =>
          addressed.has(a.toLowerCase()),
        );
        return json(200, await receiveRaw(req.body, { from: head.from?.address ?? '', to }, preset));
      },
    },
    {
      method: 'GET',
      path: '/admin/inbound',
      access: 'admin',
      handler: async (req) => {
        const outcome = parseWith(InboundOutcome, req.query.outcome ?? 'rejected');
        return json(200, { messages: await inboundRepo.listByOutcome(outcome, { limit: limitOf(req) }) });
      },
    },
    {
      method: 'GET',
      path: '/admin/inbound/:messageId',
      access: 'admin',
      handler: async (req) => {
        const record = await inboundRepo.get(req.params.messageId ?? '');
        if (!record) return json(404, { error: 'not_found', message: 'no such inbound message' });
        return json(200, record);
      },
    },
  ];
  const jobs: JobHandlers = {};

  return {
    jobs,
    routes,
    receiveSmtp,
    /** Store + SES-shaped event + ingest, with chosen verdicts (POST /admin/inbound, benchmarks). */
    receiveRaw,
    handleSesEvent,
    ingest,
    members: memberUseCases,
    moderation,
    /** For the editions area: approved updates received in [start, end). */
    listApprovedInWindow: moderation.listApprovedInWindow,
    /** For the editions area: approved → published in edition N (idempotent). */
    markPublished: moderation.markPublished,
  };
}
export type InboundApp = ReturnType<typeof composeInbound>;
