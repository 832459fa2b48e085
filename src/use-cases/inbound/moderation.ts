/**
 * Moderation of member updates: list what awaits review, show, approve (optionally edited), reject with a
 * reason, merge duplicates. Every step appends to the update's audit trail (who, what, when).
 */
import {
  type AuditEntry,
  InvalidStateError,
  type Link,
  NotFoundError,
  type StoredFile,
  sectionForKind,
  type Update,
  type UpdateEdits,
  UpdateEdits as UpdateEditsSchema,
  type UpdateStatus,
  ValidationError,
} from '../../domain/index.ts';
import type { Clock } from '../../ports/clock.ts';
import type { UpdateRepo } from '../../ports/inbound.ts';

const FINAL: UpdateStatus[] = ['merged', 'published'];

export function makeModeration(d: { updates: UpdateRepo; clock: Clock }) {
  const get = async (updateId: string): Promise<Update> => {
    const u = await d.updates.get(updateId);
    if (!u) throw new NotFoundError(`no update ${updateId}`);
    return u;
  };
  const entry = (actor: string, action: AuditEntry['action'], note?: string): AuditEntry => ({
    at: d.clock.now().toISOString(),
    actor,
    action,
    note: note?.slice(0, 1000),
  });
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

    async approve(updateId: string, edits: UpdateEdits, actor: string): Promise<Update> {
      const e = UpdateEditsSchema.parse(edits);
      const u = await get(updateId);
      assertOpen(u, 'approved');
      const audit = [...u.audit];
      const changed = (Object.keys(e) as (keyof UpdateEdits)[]).filter((k) => e[k] !== u[k]);
      const next: Update = { ...u, ...e };
      if (e.kind && !e.section) next.section = sectionForKind(e.kind);
      if (next.section !== u.section && !changed.includes('section')) changed.push('section');
      if (u.status === 'rejected') audit.push(entry(actor, 'restored', u.reason));
      if (changed.length) audit.push(entry(actor, 'edited', `changed ${changed.join(', ')}`));
      if (u.status !== 'approved') audit.push(entry(actor, 'approved'));
      if (audit.length === u.audit.length) return u;
      next.status = 'approved';
      next.reason = undefined;
      next.audit = audit;
      await d.updates.save(next, u);
      return next;
    },

    async reject(updateId: string, reason: string, actor: string): Promise<Update> {
      const why = reason.trim();
      if (!why) throw new ValidationError('a reason is required to reject an update');
      const u = await get(updateId);
      assertOpen(u, 'rejected');
      if (u.status === 'rejected' && u.reason === why) return u;
      const next: Update = {
        ...u,
        status: 'rejected',
        reason: why,
        audit: [...u.audit, entry(actor, 'rejected', why)],
      };
      await d.updates.save(next, u);
      return next;
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
