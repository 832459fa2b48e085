/**
 * Fault injection: 1,000+ recipients, ~5% of operations failing in the ways production fails, four
 * concurrent workers (own rate gates, like Lambda instances), on simulated time. The invariant: every
 * recipient ends sent exactly once, or reported uncertain/failed, never mailed twice, nothing lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Table } from '../../src/adapters/dynamodb/table.ts';
import { type Mailer, MailerPermanentError, type OutboundMessage } from '../../src/ports/mailer.ts';
import { startTestStack } from '../support/local-stack.ts';
import {
  composeTestSending,
  countByRecipient,
  fastRetrySesMailer,
  makeSubscribers,
  memoryDirectory,
  memorySuppressions,
  testSource,
} from '../support/sending-fixtures.ts';
import { SimClock } from '../support/sim-clock.ts';
import { startThrottlingProxy, type ThrottlingProxy } from '../support/throttling-proxy.ts';

/** Deterministic PRNG so a failure reproduces. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class WorkerKilled extends Error {
  override name = 'WorkerKilled';
}

/**
 * The process dies around the SES call: before it (nothing sent) or after it (sent, outcome unrecorded);
 * and SES permanently rejects a few. Victims are fixed by recipient number so every run has them.
 */
function killingMailer(real: Mailer) {
  const killed = { before: new Set<string>(), after: new Set<string>(), rejected: new Set<string>() };
  const nth = (to: string) => Number(/(\d+)@/.exec(to)?.[1] ?? -1);
  const mailer: Mailer = {
    getSendQuota: () => real.getSendQuota(),
    async send(m: OutboundMessage) {
      const i = nth(m.to);
      if (i % 200 === 7) {
        killed.before.add(m.to);
        throw new WorkerKilled('killed between claim and send');
      }
      if (i % 500 === 250) {
        // A permanent SES rejection (e.g. a malformed address): must end "failed", never retried.
        killed.rejected.add(m.to);
        throw new MailerPermanentError('MessageRejected: Email address is not verified.');
      }
      const out = await real.send(m);
      if (i % 200 === 107) {
        killed.after.add(m.to);
        throw new WorkerKilled('killed after send, before recording it');
      }
      return out;
    },
  };
  return { mailer, killed };
}

/** DynamoDB answers ConditionalCheckFailed for a claim that was never written (a lost race that wasn't). */
class FlakyConditionTable extends Table {
  spurious = 0;
  constructor(
    base: Table,
    private readonly random: () => number,
    private readonly rate: number,
  ) {
    super(base.client, base.name);
  }
  override async putNew(item: Parameters<Table['putNew']>[0]): Promise<boolean> {
    if (item.pk.startsWith('DELIVERY#') && this.random() < this.rate) {
      this.spurious++;
      return false;
    }
    return super.putNew(item);
  }
}

describe('send engine under injected faults', () => {
  const clock = new SimClock();
  let proxy: ThrottlingProxy;
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    proxy = await startThrottlingProxy({ rate: 200, clock, random: mulberry32(7) });
    stack = await startTestStack({
      clock,
      env: { GAZETTE_SEND_BATCH_SIZE: '25', GAZETTE_SEND_CLAIM_LEASE_SECONDS: '30' },
      sesEndpoint: (real) => proxy.inFrontOf(real),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.close();
  });

  it('1,000 recipients with 5% faults: each sent exactly once or reported uncertain/failed, never twice, none lost', async () => {
    let receives = 0;
    // Every tenth receive leaves a copy visible: a duplicate delivery, often to a concurrent worker.
    const everyTenth = () => (++receives % 10 === 0 ? 0 : 1);
    const n = 1000;
    const subs = makeSubscribers(n, { domain: 'fault.example' });
    proxy.setFaults({ throttle: 0.01, serverError: 0.01 });
    const { mailer, killed } = killingMailer(fastRetrySesMailer(proxy.url));
    const table = new FlakyConditionTable(stack.infra.table, mulberry32(43), 0.01);
    const t = composeTestSending(
      stack.infra,
      { sources: [testSource(subs)], subscribers: memoryDirectory(subs), suppressions: memorySuppressions() },
      {
        workers: 4,
        infra: { mailer, table, clock },
        // SQS: redelivery after a visibility timeout longer than the claim lease; 10% duplicate deliveries.
        queue: { visibilityMs: 60_000, maxReceives: 10, duplicateRate: 0.5, random: everyTenth },
      },
    );
    const started = clock.ms;
    await t.sending.startSend('test#faults', 'cli:alice');
    await t.idle();

    // Every fault kind actually happened (else this test proves nothing).
    expect(proxy.stats.injectedThrottles).toBeGreaterThan(0);
    expect(proxy.stats.serverErrors).toBeGreaterThan(0);
    expect(killed.before.size).toBe(5);
    expect(killed.after.size).toBe(5);
    expect(killed.rejected.size).toBe(2);
    expect(table.spurious).toBeGreaterThan(0);
    expect(t.queue.stats.duplicated).toBeGreaterThan(0);
    expect(t.queue.deadLetters).toHaveLength(0);

    const mails = (await stack.sentMail()).filter((m) => m.subject.startsWith('test#faults '));
    const counts = countByRecipient(mails);
    expect(Math.max(...counts.values())).toBe(1);

    const records = await t.sending.engine.deliveries('test#faults');
    const byEmail = new Map(
      records.map((d) => [subs.find((s) => s.subscriberId === d.subscriberId)!.email, d.status]),
    );
    // Nothing lost: every recipient has a resolved record.
    expect(byEmail.size).toBe(n);
    for (const s of subs) {
      const status = byEmail.get(s.email);
      const mailed = counts.get(s.email) ?? 0;
      if (status === 'sent') expect(mailed, s.email).toBe(1);
      else if (status === 'failed') expect(mailed, s.email).toBe(0);
      else expect(status, s.email).toBe('uncertain');
    }
    // The kills are exactly the uncertain ones; permanent rejections are the failed ones.
    const uncertain = subs.filter((s) => byEmail.get(s.email) === 'uncertain').map((s) => s.email);
    expect(new Set(uncertain)).toEqual(new Set([...killed.before, ...killed.after]));
    for (const e of killed.before) expect(counts.get(e) ?? 0).toBe(0);
    for (const e of killed.after) expect(counts.get(e)).toBe(1);
    const failed = subs.filter((s) => byEmail.get(s.email) === 'failed').map((s) => s.email);
    expect(new Set(failed)).toEqual(killed.rejected);

    // The job finished on its own, and its counters agree with the records.
    const status = await t.sending.status('test#faults');
    expect(status.status).toBe('finished');
    expect(status).toMatchObject({
      recipients: n,
      sent: n - uncertain.length - failed.length,
      uncertain: uncertain.length,
      failed: failed.length,
      pending: 0,
    });
    expect(clock.ms).toBeGreaterThan(started);
    // ~3,500 real HTTP round trips through the SDK, dynalite and aws-ses-v2-local in one process.
  }, 90_000);
});
