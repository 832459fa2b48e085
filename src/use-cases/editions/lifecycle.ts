import {
  type Actor,
  type CampaignStats,
  ConflictError,
  type Edition,
  type EditionStatus,
  type EditionTarget,
  InvalidStateError,
  NotFoundError,
} from '../../domain/index.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EditionRepo } from '../../ports/editions.ts';
import type { Scheduler } from '../../ports/scheduler.ts';
import type { SendJobRepo } from '../../ports/sending.ts';
import type { StatsRepo } from '../../ports/stats.ts';
import { campaignOf } from './settings.ts';

export async function loadEdition(editions: EditionRepo, number: number): Promise<Edition> {
  const e = await editions.get(number);
  if (!e) throw new NotFoundError(`edition ${number} does not exist`);
  return e;
}

/** Statuses in which the send engine may send (and re-send to those not yet sent). */
export const SENDABLE: EditionStatus[] = ['approved', 'sending', 'paused', 'sent'];

export function assertSendable(e: Edition) {
  if (!SENDABLE.includes(e.status))
    throw new InvalidStateError(
      e.status === 'draft'
        ? `edition ${e.number} is a draft: approve it before sending`
        : `edition ${e.number} is ${e.status} and cannot be sent`,
      { status: e.status },
    );
}

/** Send-engine driven moves. Anything else is refused. */
const SEND_TRANSITIONS: Record<'sending' | 'paused' | 'sent' | 'cancelled', EditionStatus[]> = {
  sending: ['approved', 'paused', 'sending', 'sent'],
  paused: ['sending', 'paused'],
  sent: ['approved', 'sending', 'paused', 'sent'],
  // The send was cancelled (sends cancel): the edition must not stay "sending" with nothing to pause.
  cancelled: ['approved', 'sending', 'paused', 'cancelled'],
};

export function makeEditionLifecycle(d: {
  editions: EditionRepo;
  stats: StatsRepo;
  clock: Clock;
  /** The send jobs: cancelling an edition cancels its send (paused, or running if the mirror missed it). */
  sendJobs?: Pick<SendJobRepo, 'transition'>;
  /** Cancelling an edition also deletes its scheduled send's one-time schedule (docs/editions.md). */
  scheduler?: Pick<Scheduler, 'delete'>;
}) {
  const save = async (next: Edition, from: EditionStatus, what: string, revision?: string) => {
    try {
      await d.editions.save(next, [from], { revision });
    } catch (e) {
      if (e instanceof ConflictError)
        throw new ConflictError(`edition ${next.number} changed while it was being ${what}; try again`);
      throw e;
    }
  };

  /**
   * A paused send stays paused, and an approved edition may already have a running send whose status
   * mirror failed (best effort): cancel it, or the job would outlive the edition and keep mailing it.
   */
  const cancelSendJob = async (number: number) => {
    if (!d.sendJobs) return;
    const now = d.clock.now().toISOString();
    await d.sendJobs.transition(campaignOf(number), ['running', 'paused'], 'cancelled', {
      cancelledAt: now,
      updatedAt: now,
    });
  };

  return {
    async list(): Promise<Edition[]> {
      return d.editions.list();
    },

    show: (number: number) => loadEdition(d.editions, number),

    /**
     * Only a draft can be approved, and only the revision the approver looked at (when given):
     * a recompile in between would otherwise slip unseen content into the send.
     */
    async approve(
      number: number,
      by: Actor,
      opts: { revision?: string; target?: EditionTarget } = {},
    ): Promise<Edition> {
      const e = await loadEdition(d.editions, number);
      if (e.status !== 'draft')
        throw new InvalidStateError(`edition ${number} is ${e.status}; only a draft can be approved`);
      if (opts.revision && e.revision !== opts.revision)
        throw new ConflictError(
          `edition ${number} was recompiled since you previewed it (revision ${e.revision}); preview it again`,
        );
      if (!e.variants.length) throw new InvalidStateError(`edition ${number} has no rendered content`);
      const next: Edition = {
        ...e,
        status: 'approved',
        approvedBy: by,
        approvedAt: d.clock.now().toISOString(),
        // The audience is part of the approver's decision (docs/editions.md "Audience and scheduled send").
        ...(opts.target ? { target: opts.target } : {}),
      };
      // Conditional on the revision read here: a recompile in between fails the approval.
      await save(next, 'draft', 'approved', e.revision);
      await d.editions.clearDraftMarker(number);
      return next;
    },

    /**
     * Drafts, approved and paused editions can be cancelled; a running send must be paused first. The
     * edition's send job is cancelled too, so no worker, resume or rerun sends it (a retry completes that).
     */
    async cancel(number: number, by: Actor): Promise<Edition> {
      const e = await loadEdition(d.editions, number);
      if (e.status === 'cancelled') {
        await cancelSendJob(number);
        return e;
      }
      if (!['draft', 'approved', 'paused'].includes(e.status))
        throw new InvalidStateError(
          e.status === 'sending'
            ? `edition ${number} is sending: pause it first, then cancel`
            : `edition ${number} is ${e.status} and cannot be cancelled`,
        );
      // A scheduled send that has not fired goes with it (its fire would find the edition cancelled anyway).
      const pendingSchedule = e.schedule && !e.schedule.firedAt ? e.schedule : undefined;
      const next: Edition = {
        ...e,
        status: 'cancelled',
        cancelledAt: d.clock.now().toISOString(),
        cancelledBy: by,
        ...(pendingSchedule ? { schedule: undefined } : {}),
      };
      await save(next, e.status, 'cancelled');
      if (pendingSchedule && d.scheduler) await d.scheduler.delete(pendingSchedule.scheduleName);
      if (e.status === 'draft') await d.editions.clearDraftMarker(number);
      await cancelSendJob(number);
      return next;
    },

    /** For the send engine: record that a send started, paused, finished or was cancelled. */
    async setSendStatus(
      number: number,
      status: 'sending' | 'paused' | 'sent' | 'cancelled',
      extra: { recipients?: number } = {},
    ): Promise<Edition> {
      const e = await loadEdition(d.editions, number);
      if (!SEND_TRANSITIONS[status].includes(e.status))
        throw new InvalidStateError(`edition ${number} is ${e.status}; cannot mark it ${status}`);
      if (e.status === status && extra.recipients === undefined) return e;
      const now = d.clock.now().toISOString();
      const next: Edition = {
        ...e,
        status,
        ...(status === 'sending' && !e.sendStartedAt ? { sendStartedAt: now } : {}),
        ...(status === 'sent' && !e.sentAt ? { sentAt: now } : {}),
        ...(status === 'cancelled' && !e.cancelledAt ? { cancelledAt: now } : {}),
        ...(extra.recipients !== undefined ? { recipients: extra.recipients } : {}),
      };
      await save(next, e.status, `marked ${status}`);
      return next;
    },

    async stats(number: number): Promise<{ edition: Edition; stats: CampaignStats }> {
      const edition = await loadEdition(d.editions, number);
      return { edition, stats: await d.stats.get(campaignOf(number)) };
    },
  };
}
export type EditionLifecycle = ReturnType<typeof makeEditionLifecycle>;
