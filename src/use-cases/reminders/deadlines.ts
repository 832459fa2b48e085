import { isDeepStrictEqual } from 'node:util';
import { isDomainError } from '../../domain/errors.ts';
import {
  type AudiencePreview,
  ConflictError,
  type Deadline,
  InvalidStateError,
  NotFoundError,
  newId,
  type Reminder,
  stableId,
  ValidationError,
} from '../../domain/index.ts';
import {
  normalizeOffsets,
  parseDueTime,
  reminderCampaign,
  reminderScheduleName,
  waveStartTime,
} from '../../domain/reminder-schedule.ts';
import { parseInput } from '../../domain/validate.ts';
import type { DeadlineRepo } from '../../ports/deadlines.ts';
import { DeadlinePatchInput, NewDeadlineInput } from './inputs.ts';
import { makeReconcileReminders, type ReconcileDeps, sortReminders } from './reconcile.ts';

export const DEFAULT_OFFSETS = ['P14D', 'P7D', 'P1D'];

export type StartSend = (campaign: string, requestedBy: string) => Promise<unknown>;

export interface DeadlineView {
  deadline: Deadline;
  reminders: Reminder[];
  /** Set when an "extended" notice was started. */
  notice?: string;
  /** Who it reaches (count, sample, spread by language and zone): on create, on an audience change, on a dry run. */
  audience?: AudiencePreview;
  /** A dry run: nothing was written or scheduled. */
  dryRun?: boolean;
}

/**
 * The item's audience, counted (the reminders app wires the subscribers area's segment evaluation). Throws a
 * ValidationError when nobody would receive it: an empty audience is an error before anything is scheduled.
 */
export type RequireAudience = (d: Deadline) => Promise<AudiencePreview>;

/** What a dry run shows for the reminders it would plan (nothing is written). */
function plannedReminders(d: Deadline, now: Date): Reminder[] {
  return d.offsets.map((offset) => {
    const fireAt = waveStartTime(d, offset);
    return {
      deadlineId: d.deadlineId,
      offset,
      fireAt: fireAt.toISOString(),
      status: fireAt.getTime() <= now.getTime() ? 'skipped-late' : 'pending',
      scheduleName: reminderScheduleName(d.deadlineId, offset),
      version: d.version,
    };
  });
}

/** Resolve due/start/end text into instants and check they make sense for the kind. */
function times(
  kind: Deadline['kind'],
  timeZone: string,
  v: { due?: string; start?: string; end?: string },
): { dueAt: string; endAt?: string } {
  if (v.due && v.start && v.due !== v.start) throw new ValidationError('give either due or start, not both');
  const first = v.start ?? v.due;
  if (!first)
    throw new ValidationError(kind === 'event' ? 'an event needs start (and end)' : 'a deadline needs due');
  const dueAt = parseDueTime(first, timeZone);
  if (kind === 'deadline') {
    if (v.end) throw new ValidationError('end is for events; a deadline has only due');
    return { dueAt: dueAt.toISOString() };
  }
  if (!v.end) throw new ValidationError('an event needs end');
  const endAt = parseDueTime(v.end, timeZone);
  if (endAt.getTime() <= dueAt.getTime()) throw new ValidationError('end must be after start');
  return { dueAt: dueAt.toISOString(), endAt: endAt.toISOString() };
}

async function load(repo: DeadlineRepo, id: string): Promise<Deadline> {
  const d = await repo.get(id);
  if (!d) throw new NotFoundError(`no deadline or event ${id}`);
  return d;
}

/** What a create request decides about an item: a retry with the same requestId must ask for the same. */
const asCreated = (d: Deadline) => ({
  kind: d.kind,
  title: d.title,
  description: d.description,
  link: d.link ?? null,
  dueAt: d.dueAt,
  endAt: d.endAt ?? null,
  timeZone: d.timeZone,
  audience: d.audience,
  offsets: d.offsets,
  language: d.language,
  readerTime: d.readerTime ?? null,
});

/**
 * A due time (an event's start) already past is almost always a typo (the year, the month, the zone): the
 * item would be accepted with every reminder skipped and nobody told. Refused, unless asked for (`force`).
 */
function assertNotPast(d: Deadline, now: Date) {
  if (new Date(d.dueAt).getTime() > now.getTime()) return;
  const local = new Intl.DateTimeFormat('en-CA', {
    timeZone: d.timeZone,
    dateStyle: 'short',
    timeStyle: 'short',
    hourCycle: 'h23',
  }).format(new Date(d.dueAt));
  const what = d.kind === 'event' ? 'start' : 'due time';
  throw new ValidationError(
    `the ${what} ${local} (${d.timeZone}) has already passed, so no reminder would be sent: check the date, ` +
      'year and time zone, or use --force (API: "force": true) to record it anyway',
    { dueAt: d.dueAt },
  );
}

/**
 * Create an item and plan its reminders. Scheduler can fail partway (some reminders planned, the others not,
 * nothing left to re-plan them): with a `requestId` the item's id is derived from it, so a retry of the same
 * request finds the item made by the first attempt, plans what is missing (reconcile is idempotent) and
 * answers with it, instead of creating a second item whose readers would get every reminder twice.
 */
export function makeCreateDeadline(
  deps: ReconcileDeps & { newId?: () => string; requireAudience?: RequireAudience },
) {
  const reconcile = makeReconcileReminders(deps);
  return async (input: unknown): Promise<DeadlineView> => {
    const i = parseInput(NewDeadlineInput, input);
    const now = deps.clock.now().toISOString();
    const d: Deadline = {
      deadlineId: i.requestId
        ? stableId('dl', `create:${i.requestId}`)
        : (deps.newId?.() ?? newId('dl', deps.clock.now())),
      kind: i.kind,
      title: i.title,
      description: i.description,
      link: i.link,
      ...times(i.kind, i.timeZone, i),
      timeZone: i.timeZone,
      audience: i.audience,
      offsets: normalizeOffsets(i.offsets ?? DEFAULT_OFFSETS),
      language: i.language,
      ...(i.readerTime ? { readerTime: i.readerTime } : {}),
      status: 'active',
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    if (!i.force) assertNotPast(d, deps.clock.now());
    const audience = deps.requireAudience ? await deps.requireAudience(d) : undefined;
    if (i.dryRun)
      return { deadline: d, reminders: plannedReminders(d, deps.clock.now()), audience, dryRun: true };
    if (!(await deps.repo.create(d))) {
      const first = i.requestId ? await deps.repo.get(d.deadlineId) : undefined;
      if (!first) throw new ConflictError(`deadline ${d.deadlineId} already exists`);
      // Changed since (version > 1) means the first attempt's item was taken over by later edits: keep those.
      if (first.version === 1 && !isDeepStrictEqual(asCreated(first), asCreated(d))) {
        throw new ConflictError(
          `requestId ${i.requestId} was already used for a different item (${first.deadlineId})`,
        );
      }
      deps.logger.info('deadline create retried: finishing the first attempt', {
        deadlineId: first.deadlineId,
      });
      return { deadline: first, reminders: await reconcile(first, { sendLate: i.sendLate }) };
    }
    deps.logger.info('deadline created', { deadlineId: d.deadlineId, dueAt: d.dueAt, offsets: d.offsets });
    return { deadline: d, reminders: await reconcile(d, { sendLate: i.sendLate }), audience };
  };
}

export function makeUpdateDeadline(
  deps: ReconcileDeps & { startSend?: StartSend; requireAudience?: RequireAudience },
) {
  const reconcile = makeReconcileReminders(deps);
  return async (deadlineId: string, input: unknown, actor: string): Promise<DeadlineView> => {
    const p = parseInput(DeadlinePatchInput, input);
    const old = await load(deps.repo, deadlineId);
    if (old.status === 'cancelled')
      throw new InvalidStateError(`${deadlineId} is cancelled; create a new one`);
    const timeZone = p.timeZone ?? old.timeZone;
    const timeChanged =
      p.due !== undefined || p.start !== undefined || p.end !== undefined || p.timeZone !== undefined;
    const t = timeChanged
      ? times(old.kind, timeZone, {
          due: p.due ?? (p.start ? undefined : old.dueAt),
          start: p.start,
          end: p.end ?? (old.kind === 'event' ? old.endAt : undefined),
        })
      : { dueAt: old.dueAt, endAt: old.endAt };
    const d: Deadline = {
      ...old,
      title: p.title ?? old.title,
      description: p.description ?? old.description,
      link: p.link === null ? undefined : (p.link ?? old.link),
      ...t,
      timeZone,
      audience: p.audience ?? old.audience,
      offsets: p.offsets ? normalizeOffsets(p.offsets) : old.offsets,
      language: p.language ?? old.language,
      readerTime: p.readerTime === null ? undefined : (p.readerTime ?? old.readerTime),
      updatedAt: deps.clock.now().toISOString(),
      version: old.version + 1,
    };
    if (timeChanged && d.dueAt !== old.dueAt && !p.force) assertNotPast(d, deps.clock.now());
    const extended = new Date(d.dueAt).getTime() > new Date(old.dueAt).getTime();
    // The same update sent again (its notice failed to start after the change was saved, or the answer was
    // lost): nothing to change, so finish it. Re-plan (idempotent) and start the current version's notice; the
    // engine starts a campaign once, so a notice that did go out is not sent twice. Only while the current
    // version is the update that asked for a notice (noticeVersion): an item edited since for another reason
    // gets no "extended" notice by repeating --due. (With ifVersion, the retry names the version it started from.)
    if (
      p.notifyExtension &&
      deps.startSend &&
      old.noticeVersion === old.version &&
      (p.ifVersion === undefined || p.ifVersion === old.version - 1) &&
      (p.due !== undefined || p.start !== undefined) &&
      isDeepStrictEqual(asCreated(d), asCreated(old))
    ) {
      const reminders = await reconcile(old);
      const notice = reminderCampaign(old.deadlineId, { kind: 'extended', version: old.version });
      try {
        await deps.startSend(notice, actor);
      } catch (e) {
        if (!(isDomainError(e) && e.code === 'conflict')) throw e;
      }
      deps.logger.info('extension notice retried', { deadlineId, version: old.version, actor });
      return { deadline: old, reminders, notice };
    }
    if (p.ifVersion !== undefined && p.ifVersion !== old.version) {
      throw new ConflictError(
        `${deadlineId} is at version ${old.version}, not ${p.ifVersion}; reload and retry`,
      );
    }
    if (p.notifyExtension && !extended) {
      throw new ValidationError('notifyExtension needs the due time (or start) to move later');
    }
    if (p.notifyExtension && !deps.startSend) throw new InvalidStateError('sending is not available here');
    if (p.notifyExtension) d.noticeVersion = d.version;
    // A new audience is counted (and refused when empty) before anything is re-planned.
    const audience =
      deps.requireAudience && !isDeepStrictEqual(d.audience, old.audience)
        ? await deps.requireAudience(d)
        : undefined;
    if (!(await deps.repo.replace(d, old.version))) {
      throw new ConflictError(`${deadlineId} was changed by someone else meanwhile; reload and retry`);
    }
    deps.logger.info('deadline updated', { deadlineId, version: d.version, dueAt: d.dueAt, actor });
    const reminders = await reconcile(d, { sendLate: p.sendLate });
    let notice: string | undefined;
    if (p.notifyExtension && deps.startSend) {
      notice = reminderCampaign(d.deadlineId, { kind: 'extended', version: d.version });
      await deps.startSend(notice, actor);
    }
    return { deadline: d, reminders, notice, ...(audience ? { audience } : {}) };
  };
}

export function makeCancelDeadline(deps: ReconcileDeps) {
  const reconcile = makeReconcileReminders(deps);
  return async (deadlineId: string, actor: string): Promise<DeadlineView> => {
    const old = await load(deps.repo, deadlineId);
    // Cancelling twice is fine (idempotent): re-run the clean-up in case the first attempt was cut short.
    const d: Deadline =
      old.status === 'cancelled'
        ? old
        : {
            ...old,
            status: 'cancelled',
            updatedAt: deps.clock.now().toISOString(),
            version: old.version + 1,
          };
    if (d !== old && !(await deps.repo.replace(d, old.version))) {
      throw new ConflictError(`${deadlineId} was changed by someone else meanwhile; retry`);
    }
    deps.logger.info('deadline cancelled', { deadlineId, actor });
    return { deadline: d, reminders: await reconcile(d) };
  };
}

export function makeGetDeadline(deps: { repo: DeadlineRepo }) {
  return async (deadlineId: string): Promise<DeadlineView> => {
    const deadline = await load(deps.repo, deadlineId);
    return { deadline, reminders: sortReminders(await deps.repo.reminders(deadlineId)) };
  };
}

export function makeListDeadlines(deps: { repo: DeadlineRepo; clock: { now(): Date } }) {
  /** Default: active items not yet due (events: not yet started). `all`: also past ones. */
  return async (opts: { status?: Deadline['status']; all?: boolean; limit?: number } = {}) => {
    const status = opts.status ?? 'active';
    const dueFrom = opts.all || status !== 'active' ? undefined : deps.clock.now();
    return deps.repo.list({ status, dueFrom, limit: opts.limit });
  };
}
