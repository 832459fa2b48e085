/**
 * Audiences: saved segments (named filters over subscribers) and their evaluation, shared by reminders,
 * events, editions and the admin preview. See docs/subscribers.md "Segments".
 */
import {
  type Audience,
  type AudiencePreview,
  AudiencePreviewRequest,
  type AudienceScope,
  ConflictError,
  describeFilter,
  NewSegment,
  NotFoundError,
  type Segment,
  SegmentFilter,
  type SegmentMember,
  SegmentPatch,
  type Subscriber,
  scopeFilter,
  ValidationError,
} from '../../domain/index.ts';
import { segmentMatcher } from '../../domain/segment.ts';
import { parseInput } from '../../domain/validate.ts';
import type { Clock } from '../../ports/clock.ts';
import type { SegmentRepo } from '../../ports/segments.ts';
import type { SubscriberRepo } from '../../ports/subscribers.ts';

export interface AudienceDeps {
  segments: Pick<SegmentRepo, 'get'>;
  subscribers: Pick<SubscriberRepo, 'listByStatus'>;
  /** The member registry: each organisation is read once per evaluation (cached), never once per subscriber. */
  members: { get(memberId: string): Promise<SegmentMember | undefined> };
}

const needsMembers = (f: SegmentFilter) =>
  Boolean(f.members || f.memberTypes || f.memberIds || f.roles || f.countries);

/** Counts one reader into a preview: the total, the spread by language and zone, and the sample. */
export function countInPreview(out: AudiencePreview, s: Subscriber, sampleSize: number): void {
  out.count++;
  out.byLanguage[s.language] = (out.byLanguage[s.language] ?? 0) + 1;
  out.byTimeZone[s.timeZone] = (out.byTimeZone[s.timeZone] ?? 0) + 1;
  if (out.sample.length < sampleSize)
    out.sample.push({
      subscriberId: s.subscriberId,
      email: s.email,
      name: s.name,
      language: s.language,
      timeZone: s.timeZone,
      ...(s.memberId ? { memberId: s.memberId } : {}),
      ...(s.memberRole ? { memberRole: s.memberRole } : {}),
    });
}

export function makeAudiences(deps: AudienceDeps) {
  async function filterOf(scope: AudienceScope, list: Audience): Promise<SegmentFilter> {
    if (scope.kind !== 'segment') return scopeFilter(scope, list);
    const seg = await deps.segments.get(scope.segmentId);
    if (!seg) throw new ValidationError(`no segment ${scope.segmentId} (see: gazette segments list)`);
    return seg.filter;
  }

  /**
   * Pages of the subscribers a filter selects, read status by status; `sendable` keeps only confirmed ones
   * (what a send reaches). Member organisations are looked up once each, for the ids each page names.
   */
  async function* select(filter: SegmentFilter, opts: { sendable?: boolean } = {}) {
    const f: SegmentFilter = opts.sendable ? { ...filter, statuses: ['confirmed'] } : filter;
    const cache = new Map<string, SegmentMember | undefined>();
    const match = segmentMatcher(f, (id) => cache.get(id));
    for (const status of f.statuses)
      for await (const page of deps.subscribers.listByStatus(status)) {
        if (needsMembers(f)) {
          const missing = [...new Set(page.flatMap((s) => (s.memberId ? [s.memberId] : [])))].filter(
            (id) => !cache.has(id),
          );
          const found = await Promise.all(missing.map((id) => deps.members.get(id)));
          for (const [i, id] of missing.entries()) cache.set(id, found[i]);
        }
        const keep = page.filter(match);
        if (keep.length) yield keep;
      }
  }

  /** Count, a sample and the spread by language and zone (one read of the statuses the filter names). */
  async function preview(
    filter: SegmentFilter,
    opts: { sample?: number; sendable?: boolean; exclude?: (s: Subscriber) => Promise<boolean> } = {},
  ): Promise<AudiencePreview> {
    const out: AudiencePreview = { count: 0, sample: [], byLanguage: {}, byTimeZone: {} };
    const size = opts.sample ?? 10;
    for await (const page of select(filter, opts)) {
      for (const s of page) {
        if (opts.exclude && (await opts.exclude(s))) continue;
        countInPreview(out, s, size);
      }
    }
    return out;
  }

  /**
   * An empty audience is an error before anything is scheduled or sent, never a silent 0 (issue 14).
   * Returns the preview so dry runs can show it.
   */
  async function requireRecipients(scope: AudienceScope, list: Audience, what: string) {
    const filter = await filterOf(scope, list);
    const p = await preview(filter, { sendable: true, sample: 10 });
    if (p.count === 0) {
      throw new ValidationError(
        `the audience of ${what} (${describeFilter(filter)}) has no confirmed subscribers: nothing would be sent. Check the audience (gazette segments preview), or add its contacts first`,
        { audience: scope },
      );
    }
    return p;
  }

  return { filterOf, select, preview, requireRecipients };
}
export type Audiences = ReturnType<typeof makeAudiences>;

/** Segment administration (the admin API /admin/segments and `gazette segments`). */
export function makeSegmentAdmin(deps: {
  repo: SegmentRepo;
  audiences: Audiences;
  clock: Clock;
  /**
   * What still targets a segment by id (live deadlines and events: they read it when each reminder fires),
   * in words; deleting it would make those reminders fail. Editions keep a copy of the filter instead.
   */
  inUse?: (segmentId: string) => Promise<string[]>;
}) {
  const load = async (id: string) => {
    const s = await deps.repo.get(id);
    if (!s) throw new NotFoundError(`no segment ${id}`);
    return s;
  };
  return {
    list: () => deps.repo.list(),
    get: load,
    async create(input: unknown): Promise<Segment> {
      const req = parseInput(NewSegment, input);
      const now = deps.clock.now().toISOString();
      const seg: Segment = { ...req, createdAt: now, updatedAt: now, version: 1 };
      if (!(await deps.repo.create(seg))) throw new ConflictError(`segment ${req.segmentId} already exists`);
      return seg;
    },
    async update(id: string, input: unknown): Promise<Segment> {
      const p = parseInput(SegmentPatch, input);
      const { ifVersion, ...fields } = p;
      if (!Object.keys(fields).length) throw new ValidationError('nothing to change');
      const old = await load(id);
      if (ifVersion !== undefined && ifVersion !== old.version)
        throw new ConflictError(`segment ${id} is at version ${old.version}, not ${ifVersion}`);
      const next: Segment = {
        ...old,
        ...fields,
        updatedAt: deps.clock.now().toISOString(),
        version: old.version + 1,
      };
      if (!(await deps.repo.replace(next, old.version)))
        throw new ConflictError(`segment ${id} was changed by someone else meanwhile; reload and retry`);
      return next;
    },
    async remove(id: string) {
      await load(id);
      const users = (await deps.inUse?.(id)) ?? [];
      if (users.length)
        throw new ConflictError(
          `segment ${id} is still the audience of ${users.join(', ')}: give them another audience first`,
        );
      await deps.repo.delete(id);
      return { deleted: id };
    },
    /** Count and sample of a saved segment or of an ad-hoc filter. */
    async preview(input: unknown): Promise<AudiencePreview & { filter: SegmentFilter; description: string }> {
      const req = parseInput(AudiencePreviewRequest, input);
      const filter = req.segmentId ? (await load(req.segmentId)).filter : SegmentFilter.parse(req.filter);
      const p = await deps.audiences.preview(filter, { sample: req.sample });
      return { ...p, filter, description: describeFilter(filter) };
    },
  };
}
