import { DynamoInboundRepo } from '../adapters/dynamodb/inbound-repo.ts';
import { DynamoMemberRepo } from '../adapters/dynamodb/member-repo.ts';
import { DynamoUpdateRepo } from '../adapters/dynamodb/update-repo.ts';
import {
  BulkModerationInput,
  InboundOutcome,
  inboundRawKey,
  MemberPatch,
  MergeUpdatesInput,
  NewMember,
  RejectUpdateInput,
  StaleVersionError,
  type Update,
  UpdateEdits,
  UpdateStatus,
  updateVersion,
  ValidationError,
  VerdictPreset,
} from '../domain/index.ts';
import { parseJsonBody, parseWith } from '../http/body.ts';
import { type HttpRequest, type HttpResponse, json, type Route } from '../http/types.ts';
import type { IngestGateway } from '../ports/inbound.ts';
import { makeMembers } from '../use-cases/inbound/members.ts';
import { makeModeration } from '../use-cases/inbound/moderation.ts';
import { localMessageId } from '../use-cases/inbound/ses-event.ts';
import type { Infra } from './infra.ts';
import type { JobHandlers } from './jobs.ts';
import { composeDigest, memberNoticesOf, publishingWithNotice } from './notices.ts';

/** Longest member, update or inbound message id accepted in a path (ours are far shorter). */
const MAX_ID = 256;

export interface InboundDeps {
  /** Where POST /admin/inbound hands a stored message: in-process locally, the ingest function on AWS. */
  ingest: IngestGateway;
}

/**
 * Members registry, moderation and the inbound log (issue 3: member updates by email). Parsing mail is
 * src/app/ingest.ts's job: this half carries no MIME parser, so the API function stays small.
 */
export function composeInbound(infra: Infra, deps: InboundDeps) {
  const members = new DynamoMemberRepo(infra.table);
  const updates = new DynamoUpdateRepo(infra.table);
  const inboundRepo = new DynamoInboundRepo(infra.table);
  const memberUseCases = makeMembers({ members, clock: infra.clock });
  const notices = memberNoticesOf(infra, members, updates);
  const publishing = publishingWithNotice(infra, updates, members);
  const moderation = makeModeration({ updates, clock: infra.clock, members, onDecision: notices.decided });
  // Every update answer carries its version (and ETag): what If-Match sends back to refuse a stale write.
  const view = (u: Update) => ({ ...u, version: updateVersion(u) });
  const viewed = (u: Update) => json(200, view(u), { etag: `"${updateVersion(u)}"` });
  /** The version the caller edited: an If-Match header ("3", W/"3"), else `version` in the body; optional. */
  const versionOf = (req: HttpRequest, body: { version?: number } = {}): number | undefined => {
    const header = req.headers['if-match']?.trim();
    if (!header || header === '*') return body.version;
    const n = Number(header.replace(/^W\//, '').replace(/"/g, ''));
    if (!Number.isInteger(n) || n < 0)
      throw new ValidationError('If-Match must be an update version, e.g. "3"');
    return n;
  };
  // 412, not the 409 of a lost race without a named version: the caller's copy is stale, reload it.
  const preconditioned = async (fn: () => Promise<HttpResponse>): Promise<HttpResponse> => {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof StaleVersionError)) throw e;
      return json(412, {
        error: 'precondition_failed',
        message: e.message,
        ...(e.details ? { details: e.details } : {}),
      });
    }
  };

  const actor = (req: HttpRequest) => req.actor ?? 'unknown';
  // An id longer than any we make would pass DynamoDB's key size limit and fail there as a 500.
  const idOf = (req: HttpRequest, name: string) => {
    const id = req.params[name] ?? '';
    if (!id || id.length > MAX_ID) throw new ValidationError(`${name} must be 1…${MAX_ID} characters`);
    return id;
  };
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
      handler: async (req) => json(200, await memberUseCases.get(idOf(req, 'memberId'))),
    },
    {
      method: 'PATCH',
      path: '/admin/members/:memberId',
      access: 'admin',
      handler: async (req) =>
        json(200, await memberUseCases.update(idOf(req, 'memberId'), parseJsonBody(req, MemberPatch))),
    },
    {
      method: 'POST',
      path: '/admin/members/:memberId/disable',
      access: 'admin',
      handler: async (req) => json(200, await memberUseCases.disable(idOf(req, 'memberId'))),
    },
    // --- moderation
    {
      method: 'GET',
      path: '/admin/updates',
      access: 'admin',
      handler: async (req) => {
        const status = req.query.status ? parseWith(UpdateStatus, req.query.status) : undefined;
        return json(200, { updates: (await moderation.list(status, { limit: limitOf(req) })).map(view) });
      },
    },
    {
      method: 'POST',
      path: '/admin/updates/bulk',
      access: 'admin',
      handler: async (req) => {
        const results = await moderation.bulk(parseJsonBody(req, BulkModerationInput), actor(req));
        return json(200, {
          results,
          ok: results.filter((r) => r.ok).length,
          failed: results.filter((r) => !r.ok).length,
        });
      },
    },
    {
      method: 'GET',
      path: '/admin/updates/:updateId',
      access: 'admin',
      handler: async (req) => viewed(await moderation.get(idOf(req, 'updateId'))),
    },
    {
      method: 'PATCH',
      path: '/admin/updates/:updateId',
      access: 'admin',
      handler: (req) =>
        preconditioned(async () => {
          const edits = parseJsonBody(req, UpdateEdits);
          const version = versionOf(req, edits);
          return viewed(await moderation.edit(idOf(req, 'updateId'), { ...edits, version }, actor(req)));
        }),
    },
    {
      method: 'POST',
      path: '/admin/updates/:updateId/approve',
      access: 'admin',
      handler: (req) =>
        preconditioned(async () => {
          const edits = parseJsonBody(req, UpdateEdits);
          const version = versionOf(req, edits);
          return viewed(await moderation.approve(idOf(req, 'updateId'), { ...edits, version }, actor(req)));
        }),
    },
    {
      method: 'POST',
      path: '/admin/updates/:updateId/reject',
      access: 'admin',
      handler: (req) =>
        preconditioned(async () => {
          const body = parseJsonBody(req, RejectUpdateInput);
          const u = await moderation.reject(
            idOf(req, 'updateId'),
            body.reason,
            actor(req),
            versionOf(req, body),
          );
          return viewed(u);
        }),
    },
    {
      method: 'POST',
      path: '/admin/updates/:updateId/merge',
      access: 'admin',
      handler: async (req) => {
        const { duplicates } = parseJsonBody(req, MergeUpdatesInput);
        return viewed(await moderation.merge(idOf(req, 'updateId'), duplicates, actor(req)));
      },
    },
    // --- inbound messages
    {
      method: 'POST',
      path: '/admin/inbound',
      access: 'admin',
      handler: async (req) => {
        const verdicts = parseWith(VerdictPreset, req.query.verdicts ?? 'pass');
        if (!req.body.length) throw new ValidationError('send the raw message (.eml) as the request body');
        // Stored where SES stores received mail, under an id derived from the bytes: a re-upload dedupes.
        const messageId = localMessageId(req.body, verdicts === 'pass' ? '' : verdicts);
        await infra.blobs.raw.put(inboundRawKey(messageId), req.body, 'message/rfc822');
        return json(200, await deps.ingest.ingestStored(messageId, verdicts));
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
        const record = await inboundRepo.get(idOf(req, 'messageId'));
        if (!record) return json(404, { error: 'not_found', message: 'no such inbound message' });
        return json(200, record);
      },
    },
  ];
  const digest = composeDigest(infra);
  const jobs: JobHandlers = {
    'inbound-digest': async () => {
      infra.logger.info('inbound digest', { ...(await digest()) });
    },
    'notice-retries': async () => {
      const r = await notices.retryDue();
      if (r.due) infra.logger.info('member notice retries', { ...r });
    },
  };

  return {
    jobs,
    routes,
    members: memberUseCases,
    moderation,
    /** For the editions area: approved updates received in [start, end). */
    listApprovedInWindow: moderation.listApprovedInWindow,
    /** For the editions area: approved → published in edition N (idempotent); the member is told once. */
    markPublished: (updateId: string, editionNumber: number, actor: string) =>
      publishing.markPublished(updateId, editionNumber, infra.clock.now(), actor),
  };
}
export type InboundApp = ReturnType<typeof composeInbound>;
