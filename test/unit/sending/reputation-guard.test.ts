import { describe, expect, it } from 'vitest';
import {
  CampaignStats,
  REPUTATION_GUARD_PAUSER,
  type SendJob,
  type SendJobStatus,
} from '../../../src/domain/index.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import type { Mailer, OutboundMessage } from '../../../src/ports/mailer.ts';
import type { SendJobRepo } from '../../../src/ports/sending.ts';
import type { StatsRepo } from '../../../src/ports/stats.ts';
import { makeEngineContext, type SendEngineDeps } from '../../../src/use-cases/sending/context.ts';
import {
  judgeReputation,
  makeReputationGuard,
  type ReputationSettings,
} from '../../../src/use-cases/sending/reputation-guard.ts';
import { SimClock } from '../../support/sim-clock.ts';

const T: ReputationSettings = {
  maxHardBounceRate: 0.05,
  bounceSample: 500,
  maxComplaintRate: 0.001,
  complaintSample: 1000,
  checkEveryMs: 1_000,
  alertTo: 'secretariat@igpn.example',
  alertFrom: 'IGPN Gazette <news@igpn.example>',
};
const counts = (outcomes: number, hardBounces: number, complaints = 0) => ({
  outcomes,
  hardBounces,
  complaints,
});

describe('judgeReputation (default: more than 5% hard bounces of 500, 0.1% complaints of 1,000)', () => {
  it('pauses as soon as the first 500 outcomes are sure to hold more than 5% hard bounces', () => {
    expect(judgeReputation(counts(60, 25), T)).toBeUndefined();
    expect(judgeReputation(counts(60, 26), T)).toMatch(
      /26 hard bounces among 60 SES outcomes: more than 5% of 500/,
    );
    expect(judgeReputation(counts(500, 25), T)).toBeUndefined();
    expect(judgeReputation(counts(500, 26), T)).toBeDefined();
  });

  it('keeps judging the whole send beyond the first 500', () => {
    expect(judgeReputation(counts(2000, 100), T)).toBeUndefined();
    expect(judgeReputation(counts(2000, 101), T)).toMatch(/more than 5% of 2000/);
  });

  it('does not pause for one complaint in three, nor for 0.1% of a larger sample', () => {
    expect(judgeReputation(counts(3, 0, 1), T)).toBeUndefined();
    expect(judgeReputation(counts(1000, 0, 1), T)).toBeUndefined();
    expect(judgeReputation(counts(3000, 0, 3), T)).toBeUndefined();
    expect(judgeReputation(counts(3000, 0, 4), T)).toMatch(
      /4 complaints among 3000 SES outcomes: more than 0.1% of 3000/,
    );
    expect(judgeReputation(counts(10, 0, 2), T)).toMatch(/more than 0.1% of 1000/);
  });

  it('soft bounces and deliveries are outcomes, not bounces', () => {
    expect(judgeReputation(counts(100, 0), T)).toBeUndefined();
  });

  it('judges only what came after the counts a resume acknowledged', () => {
    const ack = counts(80, 40, 1);
    expect(judgeReputation(counts(90, 44, 1), T, ack)).toBeUndefined();
    expect(judgeReputation(counts(200, 66, 1), T, ack)).toMatch(
      /26 hard bounces among 120 SES outcomes since the last resume/,
    );
  });
});

/** One job, one stats item: just enough of the repos for the guard, over a conditional transition. */
function fakes(clock: SimClock, opts: { whileMailing?: (job: SendJob) => SendJob } = {}) {
  let job: SendJob = {
    campaign: 'edition#9',
    status: 'running',
    startedBy: 'cli:alice',
    startedAt: clock.now().toISOString(),
    updatedAt: clock.now().toISOString(),
    recipients: 1000,
    queued: 1000,
    batches: 20,
    progress: 0,
    counted: 1000,
    planned: true,
    runs: 1,
    finishedHookDone: false,
    warnings: [],
  };
  const stats = CampaignStats.parse({ campaign: 'edition#9' });
  const statReads = { n: 0 };
  const mails: OutboundMessage[] = [];
  const jobs = {
    get: async () => structuredClone(job),
    transition: async (
      _c: string,
      from: SendJobStatus[],
      to: SendJobStatus,
      patch: Partial<SendJob> = {},
    ) => {
      if (!from.includes(job.status)) return undefined;
      job = { ...job, ...patch, status: to };
      return structuredClone(job);
    },
    patch: async (_c: string, patch: Partial<SendJob>) => {
      job = { ...job, ...patch };
      return structuredClone(job);
    },
  } as unknown as SendJobRepo;
  const statsRepo = {
    get: async () => {
      statReads.n++;
      return { ...stats };
    },
  } as unknown as StatsRepo;
  const mailer = {
    send: async (m: OutboundMessage) => {
      mails.push(m);
      if (opts.whileMailing) job = opts.whileMailing(job);
      return { messageId: `m-${mails.length}` };
    },
  } as unknown as Mailer;
  const deps = (settings: Partial<ReputationSettings> = {}) =>
    ({
      jobs,
      stats: statsRepo,
      mailer,
      clock,
      logger: silentLogger,
      settings: { jobStatusTtlMs: 1_000, reputation: { ...T, ...settings } },
    }) as unknown as SendEngineDeps;
  return { stats, statReads, mails, deps, job: () => job };
}

const guardOf = (deps: SendEngineDeps) =>
  makeReputationGuard(
    makeEngineContext(deps, async () => {
      throw new Error('not used');
    }),
  );

describe('reputation guard', () => {
  it('pauses the send with its reason, and of two workers seeing it only one mails the secretariat', async () => {
    const clock = new SimClock();
    const f = fakes(clock);
    const [a, b] = [guardOf(f.deps()), guardOf(f.deps())];
    Object.assign(f.stats, { delivered: 20, bounced: 30, bouncedHard: 30 });

    expect(await Promise.all([a.tripped('edition#9'), b.tripped('edition#9')])).toContain(true);
    const job = f.job();
    expect(job).toMatchObject({ status: 'paused', pausedBy: REPUTATION_GUARD_PAUSER });
    expect(job.reputation).toMatchObject({
      reason: expect.stringMatching(/30 hard bounces among 50 SES outcomes/),
      counts: { outcomes: 50, hardBounces: 30, complaints: 0 },
      alertedAt: expect.any(String),
    });
    expect(job.warnings.filter((w) => w.includes('paused by the reputation guard'))).toHaveLength(1);
    expect(f.mails).toHaveLength(1);
    expect(f.mails[0]).toMatchObject({
      to: 'secretariat@igpn.example',
      from: 'IGPN Gazette <news@igpn.example>',
      subject: expect.stringContaining('edition#9 paused'),
    });
    expect(f.mails[0]!.text).toContain("gazette sends resume 'edition#9'");
    expect(f.mails[0]!.tags).toBeUndefined(); // the alert is no campaign mail: its SES events count nowhere
  });

  it('a resume made while the alert is being mailed keeps its acknowledgement (the alert adds only alertedAt)', async () => {
    const clock = new SimClock();
    const acknowledged = {
      outcomes: 50,
      hardBounces: 30,
      complaints: 0,
      at: '2027-01-05T01:00:00.000Z',
      by: 'bob',
    };
    const f = fakes(clock, {
      // Bob resumes from the console the moment the pause shows, before the alert mail has gone.
      whileMailing: (j) => ({
        ...j,
        status: 'running',
        reputation: j.reputation ? { ...j.reputation, acknowledged } : undefined,
      }),
    });
    Object.assign(f.stats, { delivered: 20, bounced: 30, bouncedHard: 30 });
    expect(await guardOf(f.deps()).tripped('edition#9')).toBe(true);
    expect(f.job().status).toBe('running');
    expect(f.job().reputation).toMatchObject({ acknowledged, alertedAt: expect.any(String) });
  });

  it('reads the counts at most once per interval per worker', async () => {
    const clock = new SimClock();
    const f = fakes(clock);
    const g = guardOf(f.deps());
    for (let i = 0; i < 50; i++) expect(await g.tripped('edition#9')).toBe(false);
    expect(f.statReads.n).toBe(1);
    clock.advance(1_000);
    await g.tripped('edition#9');
    expect(f.statReads.n).toBe(2);
  });

  it('does not pause again for counts a resume acknowledged', async () => {
    const clock = new SimClock();
    const f = fakes(clock);
    Object.assign(f.stats, { delivered: 20, bounced: 30, bouncedHard: 30 });
    f.job().reputation = {
      reason: 'earlier',
      pausedAt: clock.now().toISOString(),
      counts: { outcomes: 50, hardBounces: 30, complaints: 0 },
      acknowledged: {
        outcomes: 50,
        hardBounces: 30,
        complaints: 0,
        at: clock.now().toISOString(),
        by: 'cli:bob',
      },
    };
    expect(await guardOf(f.deps()).tripped('edition#9')).toBe(false);
    expect(f.job().status).toBe('running');
  });

  it('without an alert address it still pauses, and says in the job that nobody was mailed', async () => {
    const clock = new SimClock();
    const f = fakes(clock);
    Object.assign(f.stats, { delivered: 0, bounced: 26, bouncedHard: 26 });
    expect(await guardOf(f.deps({ alertTo: undefined })).tripped('edition#9')).toBe(true);
    expect(f.job().status).toBe('paused');
    expect(f.mails).toHaveLength(0);
    expect(f.job().warnings.at(-1)).toMatch(/the secretariat was not mailed: no alert address is configured/);
  });
});
