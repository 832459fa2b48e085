/**
 * Moderation of member updates: list what awaits review, show, edit any field a reader sees (without
 * approving), approve (optionally edited), reject with a reason, approve or reject many at once, merge
 * duplicates. Every step appends to the update's audit trail (who, what, when); its length is the
 * update's version, so a caller that names the version it read (If-Match) never overwrites a newer one.
 */
import {
  type AuditEntry,
  type BulkModerationInput,
  BulkModerationInput as BulkModerationInputSchema,
  ConflictError,
  DomainError,
  EventTime,
  InvalidStateError,
  type Link,
  NotFoundError,
  StaleVersionError,
  type StoredFile,
  sectionForKind,
  type Update,
  type UpdateEdits,
  UpdateEdits as UpdateEditsSchema,
  type UpdateStatus,
  type UpdateTranslation,
  updateVersion,
  ValidationError,
} from '../../domain/index.ts';
import type { Clock } from '../../ports/clock.ts';
import type { MemberRepo, UpdateRepo } from '../../ports/inbound.ts';
import { checkModeratorHtml, moderatorHtmlToText } from './moderator-html.ts';
import { textToHtml } from './text.ts';

const FINAL: UpdateStatus[] = ['merged', 'published'];

/** One update's outcome in a bulk approve/reject. */
export interface BulkResult {
  updateId: string;
  ok: boolean;
  status?: UpdateStatus;
  version?: number;
  error?: string;
  message?: string;
}

/** What happened, for whoever tells the member (src/use-cases/notices). Called after the write. */
export type ModerationListener = (event: 'approved' | 'rejected', update: Update) => Promise<void>;

export function makeModeration(d: {
  updates: UpdateRepo;
  clock: Clock;
  /** Needed to move an update to another member (`memberId` edits). */
  members?: MemberRepo;
  onDecision?: ModerationListener;
}) {
  const get = async (updateId: string): Promise<Update> => {
    const u = await d.updates.get(updateId);
    if (!u) throw new NotFoundError(`no update ${updateId}`);
    return u;
  };
  const assertVersion = (u: Update, version: number | undefined) => {
    if (version !== undefined && version !== updateVersion(u))
      throw new StaleVersionError(
        `update ${u.updateId} is at version ${updateVersion(u)}, not ${version}: it was changed meanwhile; reload and retry`,
        { version: updateVersion(u) },
      );
  };
  /** The repository's conditional write; a lost race against a named version is a stale version too. */
  const save = async (next: Update, previous: Update, version: number | undefined) => {
    try {
      await d.updates.save(next, previous);
    } catch (e) {
      if (version !== undefined && e instanceof ConflictError && !(e instanceof StaleVersionError))
        throw new StaleVersionError(e.message);
      throw e;
    }
  };
  const entry = (actor: string, action: AuditEntry['action'], note?: string): AuditEntry => ({
    at: d.clock.now().toISOString(),
    actor,
    action,
    note: note?.slice(0, 1000),
  });
  /** The update with the edits applied (not saved) and the names of the fields that changed. */
  const applyEdits = async (u: Update, e: UpdateEdits): Promise<{ next: Update; changed: string[] }> => {
    const next: Update = { ...u };
    const changed: string[] = [];
    const set = <K extends keyof Update>(key: K, value: Update[K]) => {
      if (JSON.stringify(value) === JSON.stringify(u[key])) return;
      if (value === undefined) delete next[key];
      else next[key] = value;
      if (!changed.includes(key)) changed.push(key);
    };
    if (e.title !== undefined) set('title', e.title);
    if (e.summary !== undefined) set('summary', e.summary);
    if (e.kind !== undefined) set('kind', e.kind);
    // Changing the kind moves the section along unless a section is given.
    if (e.section !== undefined) set('section', e.section);
    else if (e.kind !== undefined) set('section', sectionForKind(e.kind));
    if (e.bodyHtml !== undefined) {
      checkModeratorHtml(e.bodyHtml);
      set('bodyHtml', e.bodyHtml);
      set('bodyText', e.bodyText ?? moderatorHtmlToText(e.bodyHtml));
    } else if (e.bodyText !== undefined) {
      set('bodyText', e.bodyText);
      set('bodyHtml', textToHtml(e.bodyText));
    }
    if (e.event === null) set('event', undefined);
    else if (e.event !== undefined) set('event', mergeEvent(u, e.event));
    if (e.deadline !== undefined) set('deadline', e.deadline ?? undefined);
    if (e.links !== undefined) {
      for (const l of e.links)
        if (!/^(https?|mailto):/i.test(l.url))
          throw new ValidationError(`links: ${l.url} is not http(s) or mailto`);
      set('links', e.links);
    }
    if (e.attachments !== undefined) {
      const all = [...u.attachments, ...(u.droppedAttachments ?? [])];
      const keep = new Map<string, string | null | undefined>();
      for (const k of e.attachments) {
        const key = typeof k === 'string' ? k : k.key;
        if (!all.some((f) => f.key === key))
          throw new ValidationError(`attachments: no file ${key} on this update`);
        keep.set(key, typeof k === 'string' ? undefined : k.alt);
      }
      const withAlt = (f: StoredFile): StoredFile => {
        const alt = keep.get(f.key);
        if (alt === undefined) return f;
        const { alt: _old, ...rest } = f;
        return alt ? { ...rest, alt } : rest;
      };
      // In the order given: the first photos are the ones an edition shows.
      const kept = [...keep.keys()].map((key) => all.find((f) => f.key === key) as StoredFile);
      set('attachments', kept.map(withAlt));
      const dropped = all.filter((f) => !keep.has(f.key));
      set('droppedAttachments', dropped.length ? dropped : undefined);
    }
    if (e.memberId !== undefined && e.memberId !== u.memberId) {
      const m = d.members ? await d.members.get(e.memberId) : undefined;
      if (!m) throw new ValidationError(`memberId: no member ${e.memberId}`);
      set('memberId', m.memberId);
      set('organisation', e.organisation ?? m.organisation);
    } else if (e.organisation !== undefined) set('organisation', e.organisation);
    if (e.translations !== undefined) {
      const all: Record<string, UpdateTranslation> = { ...(u.translations ?? {}) };
      for (const [lang, t] of Object.entries(e.translations)) {
        if (t === null) delete all[lang];
        else all[lang] = { ...all[lang], ...t };
      }
      set('translations', Object.keys(all).length ? all : undefined);
    }
    return { next, changed };
  };

  const assertOpen = (u: Update, verb: string) => {
    if (FINAL.includes(u.status))
      throw new InvalidStateError(`update ${u.updateId} is ${u.status}; it cannot be ${verb}`, {
        status: u.status,
      });
  };

  return {
    get,

    /** Default: everything awaiting a decision (pending, then quarantined). */
    async list(status?: UpdateStatus, opts: { limit?: number } = {}): Promise<Update[]> {
      if (status) return d.updates.listByStatus(status, opts);
      const [pending, quarantined] = await Promise.all([
        d.updates.listByStatus('pending', opts),
        d.updates.listByStatus('quarantined', opts),
      ]);
      return [...pending, ...quarantined];
    },

    /** Changes any field a reader sees, without changing the status (docs/inbound.md, Editing). */
    async edit(updateId: string, edits: UpdateEdits, actor: string): Promise<Update> {
      const e = UpdateEditsSchema.parse(edits);
      const u = await get(updateId);
      assertVersion(u, e.version);
      assertOpen(u, 'edited');
      const { next, changed } = await applyEdits(u, e);
      if (!changed.length) return u;
      next.audit = [...u.audit, entry(actor, 'edited', `changed ${changed.join(', ')}`)];
      await save(next, u, e.version);
      return next;
    },

    async approve(updateId: string, edits: UpdateEdits, actor: string): Promise<Update> {
      const e = UpdateEditsSchema.parse(edits);
      const u = await get(updateId);
      assertVersion(u, e.version);
      assertOpen(u, 'approved');
      const audit = [...u.audit];
      const { next, changed } = await applyEdits(u, e);
      if (u.status === 'rejected') audit.push(entry(actor, 'restored', u.reason));
      if (changed.length) audit.push(entry(actor, 'edited', `changed ${changed.join(', ')}`));
      if (u.status !== 'approved') audit.push(entry(actor, 'approved'));
      if (audit.length === u.audit.length) return u;
      next.status = 'approved';
      next.reason = undefined;
      next.audit = audit;
      await save(next, u, e.version);
      if (u.status !== 'approved') await d.onDecision?.('approved', next);
      return next;
    },

    async reject(updateId: string, reason: string, actor: string, version?: number): Promise<Update> {
      const why = reason.trim();
      if (!why) throw new ValidationError('a reason is required to reject an update');
      const u = await get(updateId);
      assertVersion(u, version);
      assertOpen(u, 'rejected');
      if (u.status === 'rejected' && u.reason === why) return u;
      const next: Update = {
        ...u,
        status: 'rejected',
        reason: why,
        audit: [...u.audit, entry(actor, 'rejected', why)],
      };
      await save(next, u, version);
      // A second rejection (a corrected reason) tells the member nothing new.
      if (u.status !== 'rejected') await d.onDecision?.('rejected', next);
      return next;
    },

    /** Approve or reject many: each on its own, so one conflict or missing id does not stop the others. */
    async bulk(input: BulkModerationInput, actor: string): Promise<BulkResult[]> {
      const b = BulkModerationInputSchema.parse(input);
      const results: BulkResult[] = [];
      for (const id of [...new Set(b.updateIds)]) {
        try {
          const u =
            b.action === 'approve'
              ? await this.approve(id, {}, actor)
              : await this.reject(id, b.reason ?? '', actor);
          results.push({ updateId: id, ok: true, status: u.status, version: updateVersion(u) });
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          results.push({ updateId: id, ok: false, error: e.code, message: e.message });
        }
      }
      return results;
    },

    /** Folds duplicates into `targetId`: their links and files join the target, they become `merged`. */
    async merge(targetId: string, duplicates: string[], actor: string): Promise<Update> {
      const ids = [...new Set(duplicates)].filter((id) => id !== targetId);
      if (!ids.length) throw new ValidationError('name at least one duplicate other than the target');
      const target = await get(targetId);
      assertOpen(target, 'merged into');
      if (target.status === 'rejected')
        throw new InvalidStateError(`update ${targetId} is rejected; approve it first or merge into another`);
      const dups = await Promise.all(ids.map(get));
      const todo = dups.filter((u) => !(u.status === 'merged' && u.mergedInto === targetId));
      for (const u of todo) assertOpen(u, 'merged');
      for (const u of todo) {
        await d.updates.save(
          {
            ...u,
            status: 'merged',
            mergedInto: targetId,
            audit: [...u.audit, entry(actor, 'merged', `merged into ${targetId}`)],
          },
          u,
        );
      }
      const links: Link[] = [...target.links];
      const files: StoredFile[] = [...target.attachments];
      // All of them, not only `todo`: a retry after the target's write failed must still fold the ones
      // already marked merged.
      for (const u of dups) {
        for (const l of u.links) if (!links.some((x) => x.url === l.url)) links.push(l);
        for (const f of u.attachments) if (!files.some((x) => x.key === f.key)) files.push(f);
      }
      const folded = links.slice(0, 50);
      if (!todo.length && folded.length === target.links.length && files.length === target.attachments.length)
        return target;
      const next: Update = {
        ...target,
        links: folded,
        attachments: files,
        audit: [...target.audit, entry(actor, 'merged', `merged ${dups.map((u) => u.updateId).join(', ')}`)],
      };
      await d.updates.save(next, target);
      return next;
    },

    /** What the editions area reads: approved updates received in [start, end). */
    listApprovedInWindow: (start: Date, end: Date) => d.updates.listApprovedInWindow(start, end),

    markPublished: (updateId: string, editionNumber: number, actor: string) =>
      d.updates.markPublished(updateId, editionNumber, d.clock.now(), actor),
  };
}
export type Moderation = ReturnType<typeof makeModeration>;

/** The stored event with a moderator's changes; a new event needs a start, an end must follow it. */
function mergeEvent(u: Update, p: NonNullable<UpdateEdits['event']>): EventTime {
  const merged: Record<string, unknown> = { ...(u.event ?? {}) };
  for (const [k, v] of Object.entries(p)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  if (merged.location === '') delete merged.location;
  const ev = EventTime.safeParse(merged);
  if (!ev.success) throw new ValidationError('event: a start (date and time with offset) is required');
  if (ev.data.end && Date.parse(ev.data.end) <= Date.parse(ev.data.start))
    throw new ValidationError('event: the end must be after the start');
  return ev.data;
}
