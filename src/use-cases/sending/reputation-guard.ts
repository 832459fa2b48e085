import {
  type CampaignStats,
  REPUTATION_GUARD_PAUSER,
  type ReputationCounts,
  type SendJob,
} from '../../domain/index.ts';
import type { EngineContext } from './context.ts';

/**
 * A running send watches its own SES outcomes (the bounces and complaints the SES event path adds to the
 * campaign's stats) and pauses itself when they say the list is bad, before SES's own review thresholds
 * (5% bounces, 0.1% complaints, account-wide) put the account at risk. docs/sending.md "Reputation guard".
 */
export interface ReputationSettings {
  /** Pause when hard bounces exceed this fraction of outcomes (0.05 = 5%). */
  maxHardBounceRate: number;
  /** …judged over at least this many outcomes: before that many are in, as if this many were. */
  bounceSample: number;
  /** Pause when complaints exceed this fraction of outcomes (0.001 = 0.1%). */
  maxComplaintRate: number;
  /** …judged over at least this many outcomes, so one complaint in three does not pause. */
  complaintSample: number;
  /** How long a worker trusts the counts it read (one stats read per this per worker). */
  checkEveryMs: number;
  /** The secretariat's address for the pause alert; undefined: nobody is mailed (logged, warned). */
  alertTo?: string;
  /** From: of the alert (a verified SES identity). */
  alertFrom: string;
}

export const reputationCounts = (s: CampaignStats): ReputationCounts => ({
  outcomes: s.delivered + s.bounced,
  hardBounces: s.bouncedHard,
  complaints: s.complained,
});

const pct = (r: number) => `${Number((r * 100).toFixed(3))}%`;

/**
 * Why these counts must pause the send, or undefined. The rule is `count > rate × max(outcomes, sample)`:
 * it pauses only once the rate among the first `sample` outcomes is above the threshold whatever the rest
 * of them turn out to be (26 hard bounces pause before 500 outcomes are in, 25 never do), and beyond the
 * sample it keeps judging the whole send. Counts an approver acknowledged on resume are not judged again.
 */
export function judgeReputation(
  now: ReputationCounts,
  t: Pick<ReputationSettings, 'maxHardBounceRate' | 'bounceSample' | 'maxComplaintRate' | 'complaintSample'>,
  acknowledged?: ReputationCounts,
): string | undefined {
  const since = {
    outcomes: Math.max(0, now.outcomes - (acknowledged?.outcomes ?? 0)),
    hardBounces: Math.max(0, now.hardBounces - (acknowledged?.hardBounces ?? 0)),
    complaints: Math.max(0, now.complaints - (acknowledged?.complaints ?? 0)),
  };
  const after = acknowledged ? ' since the last resume' : '';
  if (since.hardBounces > t.maxHardBounceRate * Math.max(since.outcomes, t.bounceSample)) {
    return `${since.hardBounces} hard bounces among ${since.outcomes} SES outcomes${after}: more than ${pct(
      t.maxHardBounceRate,
    )} of ${Math.max(since.outcomes, t.bounceSample)}`;
  }
  if (since.complaints > t.maxComplaintRate * Math.max(since.outcomes, t.complaintSample)) {
    return `${since.complaints} complaints among ${since.outcomes} SES outcomes${after}: more than ${pct(
      t.maxComplaintRate,
    )} of ${Math.max(since.outcomes, t.complaintSample)}`;
  }
  return undefined;
}

/**
 * Per worker process. `tripped(campaign)` reads the campaign's counts at most every `checkEveryMs`; when they
 * cross a threshold it pauses the job (conditional on it running: of several workers one wins, and only
 * that one warns and mails the secretariat) and answers true, as it does while the send is paused.
 * Without reputation settings (unit-test compositions) the guard is off.
 */
export function makeReputationGuard(ctx: EngineContext) {
  const { deps } = ctx;
  const settings = deps.settings.reputation;
  const seen = new Map<string, { at: number }>();

  async function look(campaign: string): Promise<string | undefined> {
    if (!settings) return undefined;
    const now = deps.clock.now().getTime();
    const hit = seen.get(campaign);
    if (hit && now - hit.at < settings.checkEveryMs) return undefined;
    const [stats, job] = await Promise.all([deps.stats.get(campaign), deps.jobs.get(campaign)]);
    const counts = reputationCounts(stats);
    const reason =
      job?.status === 'running' ? judgeReputation(counts, settings, job.reputation?.acknowledged) : undefined;
    // Only a clean look is cached: once paused, the job status holds the send (and a resume, perhaps a
    // moment later, must not find a stale verdict here).
    seen.set(campaign, { at: now });
    if (reason && job) await pause(job, counts, reason);
    return reason;
  }

  async function pause(job: SendJob, counts: ReputationCounts, reason: string): Promise<void> {
    const at = deps.clock.now().toISOString();
    const log = deps.logger.child({ campaign: job.campaign });
    const warning = `${at}: paused by the reputation guard: ${reason}; check the list, then 'sends resume' continues it (the resume acknowledges these counts)`;
    const paused = await deps.jobs.transition(job.campaign, ['running'], 'paused', {
      pausedAt: at,
      pausedBy: REPUTATION_GUARD_PAUSER,
      updatedAt: at,
      warnings: [...job.warnings, warning],
      // A new pause is alerted anew; an earlier resume's acknowledgement stays (the guard judges after it).
      reputation: {
        reason,
        pausedAt: at,
        counts,
        ...(job.reputation?.acknowledged ? { acknowledged: job.reputation.acknowledged } : {}),
      },
    });
    await ctx.isRunning(job.campaign, true);
    if (!paused) return; // another worker paused it first (and mails), or a human changed it
    log.warn('reputation guard paused the send', { reason, ...counts });
    await ctx.notify(paused);
    await alert(paused, reason, counts, at);
  }

  /**
   * Record the alert on the job as it is now, not as it was at the pause: someone may have resumed while
   * the mail went (their acknowledgement must stay). Conditional on the status read, a few tries.
   */
  async function markAlerted(campaign: string, pausedAt: string) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = await deps.jobs.get(campaign);
      if (!now?.reputation || now.reputation.pausedAt !== pausedAt) return; // a later pause is its own
      const alertedAt = deps.clock.now().toISOString();
      const done = await deps.jobs.transition(campaign, [now.status], now.status, {
        reputation: { ...now.reputation, alertedAt },
      });
      if (done) return;
    }
  }

  async function alert(job: SendJob, reason: string, counts: ReputationCounts, at: string) {
    const log = deps.logger.child({ campaign: job.campaign });
    const to = settings?.alertTo;
    let problem: string | undefined;
    if (!to) problem = 'no alert address is configured (GAZETTE_ALERT_EMAIL)';
    else {
      try {
        await deps.mailer.send(alertMail(job.campaign, reason, counts, settings.alertFrom, to));
        await markAlerted(job.campaign, at);
        return;
      } catch (e) {
        problem = `the alert mail to ${to} failed: ${e instanceof Error ? e.message : String(e)}`.slice(
          0,
          500,
        );
      }
    }
    log.error('reputation guard: the secretariat was not mailed', { problem });
    const now = await deps.jobs.get(job.campaign);
    if (now)
      await deps.jobs.patch(job.campaign, {
        warnings: [
          ...now.warnings,
          `${deps.clock.now().toISOString()}: the secretariat was not mailed: ${problem}`,
        ],
      });
  }

  return {
    /** True when the reputation guard holds this send (it has just paused it, or finds it over the threshold). */
    tripped: async (campaign: string): Promise<boolean> => (await look(campaign)) !== undefined,
  };
}

function alertMail(campaign: string, reason: string, counts: ReputationCounts, from: string, to: string) {
  const text = [
    `Gazette paused the send ${campaign} by itself: ${reason}.`,
    '',
    `SES outcomes so far: ${counts.outcomes}; hard bounces: ${counts.hardBounces}; complaints: ${counts.complaints}.`,
    '',
    'A list with many bad addresses or unwilling readers can get the SES account reviewed or suspended,',
    'so nothing more goes out until someone looks. The bounced and complaining addresses are already',
    'suppressed. Check where the list came from (an import?), remove or fix what is wrong, then resume:',
    '',
    `  gazette sends resume '${campaign}'   (or Resume in the console)`,
    '',
    'Resuming continues with those not yet sent (nobody is mailed twice) and acknowledges the counts above:',
    'the guard then judges only what comes after.',
  ].join('\n');
  return { from, to, subject: `Gazette: send ${campaign} paused (bounces/complaints)`, text };
}
