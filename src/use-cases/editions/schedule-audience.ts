/**
 * Who an edition goes to (docs/editions.md "Audience and scheduled send"): every confirmed reader of its list
 * (the default), or a saved segment the approver targeted, always narrowed to readers of that list (a segment
 * narrows a newsletter's audience, it never widens it past the people who asked for the newsletter).
 */
import {
  type AudiencePreview,
  describeFilter,
  type Edition,
  type EditionTarget,
  readerInstant,
  SegmentFilter,
  type Subscriber,
  ValidationError,
} from '../../domain/index.ts';
import type { Clock } from '../../ports/clock.ts';
import type { SegmentRepo } from '../../ports/segments.ts';
import type { SuppressionCheck } from '../../ports/sending.ts';
import { type Audiences, countInPreview } from '../subscribers/segments.ts';

export interface EditionAudienceDeps {
  audiences: Pick<Audiences, 'select'>;
  segments: Pick<SegmentRepo, 'get'>;
  /** The account suppression list: a dry run counts suppressed addresses apart, as the send skips them. */
  suppressions: SuppressionCheck;
  clock: Clock;
}

/** Answer of a dry run (GET /admin/editions/:n/audience, `editions send --dry-run`). */
export interface EditionAudiencePreview extends AudiencePreview {
  edition: number;
  /** `segment`: a saved segment (as chosen); `list`: every confirmed reader of the edition's list. */
  target:
    | { kind: 'list'; audience: string; description: string }
    | {
        kind: 'segment';
        audience: string;
        segmentId: string;
        name: string;
        version: number;
        description: string;
        /** The saved segment changed (or was deleted) since it was chosen: set it again to take the change. */
        segmentChanged: boolean;
      };
  /** Confirmed readers left out because their address is on the suppression list (the send skips them). */
  suppressed: number;
}

export function makeEditionAudience(d: EditionAudienceDeps) {
  /** A segment as an edition's target; an unknown one is refused (400), naming the command that lists them. */
  async function targetFor(segmentId: string, by: string, now: Date): Promise<EditionTarget> {
    const seg = await d.segments.get(segmentId);
    if (!seg) throw new ValidationError(`no segment ${segmentId} (see: gazette segments list)`);
    return {
      segmentId: seg.segmentId,
      name: seg.name,
      version: seg.version,
      filter: seg.filter,
      setBy: by,
      setAt: now.toISOString(),
    };
  }

  const filterOf = (e: Pick<Edition, 'audience' | 'target'>): SegmentFilter =>
    e.target?.filter ?? SegmentFilter.parse({ lists: [e.audience] });

  /** Confirmed readers of the edition's list within its target, page by page (what the send engine plans). */
  async function* recipientsOf(e: Pick<Edition, 'audience' | 'target'>): AsyncIterable<Subscriber[]> {
    for await (const page of d.audiences.select(filterOf(e), { sendable: true })) {
      const mine = page.filter((s) => s.status === 'confirmed' && s.audiences.includes(e.audience));
      if (mine.length) yield mine;
    }
  }

  /**
   * What the send engine plans now: the audience, and with a per-reader schedule only the readers whose
   * local time has come (each later fire reaches the next zones; claims keep it once per reader).
   */
  async function* dueRecipients(e: Pick<Edition, 'audience' | 'target' | 'schedule'>) {
    const local = e.schedule?.perReader ? e.schedule.localTime : undefined;
    if (!local) {
      yield* recipientsOf(e);
      return;
    }
    // Once the later hours were called off, "due" ends where they were stopped: a resume, a rerun or the
    // finish check's top-up must not reach the zones whose hour came after it.
    const stoppedAt = e.schedule?.stopped ? Date.parse(e.schedule.stopped.at) : Number.POSITIVE_INFINITY;
    const now = Math.min(d.clock.now().getTime(), stoppedAt);
    const come = new Map<string, boolean>();
    const hasCome = (s: Subscriber) => {
      let yes = come.get(s.timeZone);
      if (yes === undefined) {
        yes = readerInstant(local, s.timeZone).getTime() <= now;
        come.set(s.timeZone, yes);
      }
      return yes;
    };
    for await (const page of recipientsOf(e)) {
      const keep = page.filter(hasCome);
      if (keep.length) yield keep;
    }
  }

  /** The readers' instants of a per-reader wall time, one per zone of the audience, soonest first. */
  async function readerTimes(e: Pick<Edition, 'audience' | 'target'>, localTime: string): Promise<Date[]> {
    const byZone = new Map<string, number>();
    for await (const page of recipientsOf(e))
      for (const s of page)
        if (!byZone.has(s.timeZone)) byZone.set(s.timeZone, readerInstant(localTime, s.timeZone).getTime());
    return [...new Set(byZone.values())].sort((a, b) => a - b).map((t) => new Date(t));
  }

  async function suppressedIn(page: Subscriber[]): Promise<Set<string>> {
    const emails = page.map((s) => s.email);
    if (d.suppressions.suppressedAmong) return d.suppressions.suppressedAmong(emails);
    const hits = await Promise.all(emails.map((m) => d.suppressions.isSuppressed(m)));
    return new Set(emails.filter((_, i) => hits[i]));
  }

  /** Count (unsuppressed), a sample and the spread by language and zone of an edition's audience. */
  async function preview(
    e: Pick<Edition, 'number' | 'audience' | 'target'>,
    opts: { sample?: number } = {},
  ): Promise<EditionAudiencePreview> {
    const size = opts.sample ?? 10;
    const out: EditionAudiencePreview = {
      edition: e.number,
      target: await describeTarget(e),
      count: 0,
      suppressed: 0,
      sample: [],
      byLanguage: {},
      byTimeZone: {},
    };
    for await (const page of recipientsOf(e)) {
      const suppressed = await suppressedIn(page);
      for (const s of page) {
        if (suppressed.has(s.email)) {
          out.suppressed++;
          continue;
        }
        countInPreview(out, s, size);
      }
    }
    return out;
  }

  async function describeTarget(
    e: Pick<Edition, 'audience' | 'target'>,
  ): Promise<EditionAudiencePreview['target']> {
    if (!e.target)
      return {
        kind: 'list',
        audience: e.audience,
        description: `every confirmed reader of ${e.audience}`,
      };
    const now = await d.segments.get(e.target.segmentId);
    return {
      kind: 'segment',
      audience: e.audience,
      segmentId: e.target.segmentId,
      name: e.target.name,
      version: e.target.version,
      description: `${describeFilter(e.target.filter)}; readers of ${e.audience}`,
      segmentChanged: !now || now.version !== e.target.version,
    };
  }

  /**
   * An empty audience is an error before anything is scheduled or planned, never a silent 0-recipient send
   * (issue 14). Returns the preview so the caller can show it.
   */
  async function requireRecipients(e: Pick<Edition, 'number' | 'audience' | 'target'>, what: string) {
    const p = await preview(e, { sample: 10 });
    if (p.count === 0) {
      const who = e.target
        ? `segment ${e.target.segmentId} (${p.target.description})`
        : `every confirmed reader of ${e.audience}`;
      throw new ValidationError(
        `edition ${e.number} cannot be ${what}: its audience, ${who}, has no confirmed, unsuppressed subscribers${
          p.suppressed ? ` (${p.suppressed} suppressed)` : ''
        }: nothing would be sent. Check it with "gazette editions audience ${e.number}" and choose another segment, or add its contacts first`,
        { audience: p.target, suppressed: p.suppressed },
      );
    }
    return p;
  }

  return { targetFor, recipientsOf, dueRecipients, readerTimes, preview, requireRecipients };
}
export type EditionAudience = ReturnType<typeof makeEditionAudience>;
