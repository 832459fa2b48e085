/**
 * Admin routes for audiences (docs/subscribers.md "Segments", "Contacts of members"): saved segments, their
 * preview (count + sample), a member's contacts, and subscriber updates. Request bodies are the zod schemas of
 * src/domain (NewSegment, SegmentPatch, AudiencePreviewRequest, SubscriberPatch), reused by the console.
 */
import * as z from 'zod';
import { DynamoDeadlineRepo } from '../adapters/dynamodb/deadline-repo.ts';
import { DynamoSegmentRepo } from '../adapters/dynamodb/segment-repo.ts';
import { MessageTooLargeError } from '../domain/index.ts';
import { parseJsonBody } from '../http/body.ts';
import { json, type Route } from '../http/types.ts';
import type { SubscriberRepo } from '../ports/subscribers.ts';
import { makeMemberContacts, makeUpdateSubscriber } from '../use-cases/subscribers/contacts.ts';
import type { MemberDirectory, SubscribersDeps } from '../use-cases/subscribers/deps.ts';
import { makeAudiences, makeSegmentAdmin } from '../use-cases/subscribers/segments.ts';
import type { Infra } from './infra.ts';

const MAX_BODY = 64 * 1024;
const JsonObject = z.record(z.string(), z.unknown());

export function composeAudiences(
  infra: Infra,
  deps: SubscribersDeps & { subscribers: SubscriberRepo; members: MemberDirectory },
) {
  const segmentRepo = new DynamoSegmentRepo(infra.table);
  const audiences = makeAudiences({
    segments: segmentRepo,
    subscribers: deps.subscribers,
    members: deps.members,
  });
  const deadlines = new DynamoDeadlineRepo(infra.table);
  const segments = makeSegmentAdmin({
    repo: segmentRepo,
    audiences,
    clock: infra.clock,
    inUse: async (id) =>
      (await deadlines.list({ status: 'active' }))
        .filter((d) => d.audience.kind === 'segment' && d.audience.segmentId === id)
        .map((d) => `${d.kind} "${d.title}"`),
  });
  const updateSubscriber = makeUpdateSubscriber(deps);
  const memberContacts = makeMemberContacts(deps);
  const body = (req: Parameters<Route['handler']>[0]) => {
    if (req.body.length > MAX_BODY) throw new MessageTooLargeError('request body too large');
    return parseJsonBody(req, JsonObject);
  };
  const sampleOf = (v: string | undefined) => (v === undefined ? undefined : Number(v));

  const routes: Route[] = [
    {
      method: 'PATCH',
      path: '/admin/subscribers/:id',
      access: 'admin',
      handler: async (req) =>
        json(200, await updateSubscriber(req.params.id ?? '', body(req), req.actor ?? 'admin')),
    },
    {
      method: 'GET',
      path: '/admin/contacts',
      access: 'admin',
      handler: async (req) => json(200, await memberContacts(req.query.member ?? '')),
    },
    {
      method: 'GET',
      path: '/admin/segments',
      access: 'admin',
      handler: async () => json(200, { items: await segments.list() }),
    },
    {
      method: 'POST',
      path: '/admin/segments',
      access: 'admin',
      handler: async (req) => json(201, await segments.create(body(req))),
    },
    {
      method: 'GET',
      path: '/admin/segments/:id',
      access: 'admin',
      handler: async (req) => json(200, await segments.get(req.params.id ?? '')),
    },
    {
      method: 'PATCH',
      path: '/admin/segments/:id',
      access: 'admin',
      handler: async (req) => json(200, await segments.update(req.params.id ?? '', body(req))),
    },
    {
      method: 'DELETE',
      path: '/admin/segments/:id',
      access: 'admin',
      handler: async (req) => json(200, await segments.remove(req.params.id ?? '')),
    },
    {
      method: 'GET',
      path: '/admin/segments/:id/preview',
      access: 'admin',
      handler: async (req) =>
        json(200, await segments.preview({ segmentId: req.params.id, sample: sampleOf(req.query.sample) })),
    },
    {
      method: 'POST',
      path: '/admin/audiences/preview',
      access: 'admin',
      handler: async (req) => json(200, await segments.preview(body(req))),
    },
  ];
  return { routes, audiences, segments, segmentRepo };
}
