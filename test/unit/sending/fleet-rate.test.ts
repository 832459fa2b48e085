import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/ports/logger.ts';
import type { Mailer } from '../../../src/ports/mailer.ts';
import {
  makeEngineContext,
  type SendEngineDeps,
  UNKNOWN_QUOTA_RATE,
} from '../../../src/use-cases/sending/context.ts';
import type { SendSettings } from '../../../src/use-cases/sending/settings.ts';
import { SimClock } from '../../support/sim-clock.ts';

const SETTINGS: SendSettings = {
  maxSendRate: 100,
  workerConcurrency: 1,
  batchSize: 50,
  claimLeaseMs: 60_000,
  logFlushSize: 25,
  quotaTtlMs: 5 * 60_000,
  jobStatusTtlMs: 1_000,
  quotaCheckDelayMs: 15 * 60_000,
  quotaCheckForMs: 48 * 3_600_000,
};

/** A mailer whose GetAccount answers from a script: an Error is thrown, a number is the MaxSendRate. */
function scriptedQuota(script: (number | Error)[]) {
  const calls = { n: 0 };
  const mailer = {
    async getSendQuota() {
      const next = script[Math.min(calls.n++, script.length - 1)];
      if (next instanceof Error) throw next;
      return { maxSendRate: next ?? 1, max24HourSend: 50_000, sentLast24Hours: 0 };
    },
  } as unknown as Mailer;
  return { mailer, calls };
}

function context(mailer: Mailer, clock: SimClock, settings = SETTINGS) {
  const deps = { mailer, clock, logger: silentLogger, settings } as unknown as SendEngineDeps;
  return makeEngineContext(deps, async () => {
    throw new Error('not used');
  });
}

describe('fleet send rate', () => {
  it('is min(SES MaxSendRate, GAZETTE_MAX_SEND_RATE) once GetAccount answers', async () => {
    const { mailer } = scriptedQuota([14]);
    expect(await context(mailer, new SimClock()).fleetRate()).toBe(14);
  });

  it('falls back to the lowest SES rate, not the configured cap, while GetAccount has never answered', async () => {
    const clock = new SimClock();
    const { mailer } = scriptedQuota([new Error('ECONNRESET'), 40]);
    const ctx = context(mailer, clock);
    // The configured cap (100/s) may be far above the account's real rate: it is not a safe guess.
    expect(await ctx.fleetRate()).toBe(UNKNOWN_QUOTA_RATE);
    clock.advance(10_000);
    expect(await ctx.fleetRate()).toBe(40);
  });

  it('keeps a configured cap below the fallback rate', async () => {
    const { mailer } = scriptedQuota([new Error('down')]);
    const ctx = context(mailer, new SimClock(), { ...SETTINGS, maxSendRate: 0.5 });
    expect(await ctx.fleetRate()).toBe(0.5);
  });

  it('keeps the last known rate when a later refresh fails', async () => {
    const clock = new SimClock();
    const { mailer } = scriptedQuota([30, new Error('throttled')]);
    const ctx = context(mailer, clock);
    expect(await ctx.fleetRate()).toBe(30);
    clock.advance(SETTINGS.quotaTtlMs + 1);
    expect(await ctx.fleetRate()).toBe(30);
  });

  it('does not ask GetAccount again on every call while it is failing', async () => {
    const clock = new SimClock();
    const { mailer, calls } = scriptedQuota([new Error('down'), new Error('down'), 20]);
    const ctx = context(mailer, clock);
    for (let i = 0; i < 10; i++) await ctx.fleetRate();
    expect(calls.n).toBe(1);
    clock.advance(5_000);
    await ctx.fleetRate();
    expect(calls.n).toBe(2);
  });
});
