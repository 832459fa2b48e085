/**
 * A 10-minute SES outage in the middle of a send, on simulated time: sends are held with capped
 * exponential back-off (claims kept and renewed), then resume; the outage delays the send but loses
 * nothing and duplicates nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('SES outage', () => {
  const clock = new SimClock();
  let proxy: ThrottlingProxy;
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    proxy = await startThrottlingProxy({ rate: 100, clock });
    stack = await startTestStack({
      clock,
      env: { GAZETTE_SEND_BATCH_SIZE: '25' },
      sesEndpoint: (real) => proxy.inFrontOf(real),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.close();
  });

  it('a 10-minute outage mid-send delays it but loses nothing and sends nobody twice', async () => {
    const subs = makeSubscribers(150, { domain: 'outage.example' });
    const TEN_MINUTES = 10 * 60_000;
    let outageStart = 0;
    proxy.onSent = (count) => {
      if (count === 50) {
        outageStart = clock.ms;
        proxy.outageUntil(clock.ms + TEN_MINUTES);
      }
    };
    const t = composeTestSending(
      stack.infra,
      { sources: [testSource(subs)], subscribers: memoryDirectory(subs), suppressions: memorySuppressions() },
      { workers: 2, queue: { visibilityMs: 60_000 }, infra: { mailer: fastRetrySesMailer(proxy.url) } },
    );
    await t.sending.startSend('test#outage', 'cli:alice');
    await t.idle();

    expect(proxy.stats.outageErrors).toBeGreaterThan(0);
    expect(outageStart).toBeGreaterThan(0);
    // The last mail went out after the outage ended.
    const lastSend = Math.max(...proxy.stats.sendTimes);
    expect(lastSend).toBeGreaterThanOrEqual(outageStart + TEN_MINUTES);

    const counts = countByRecipient(
      (await stack.sentMail()).filter((m) => m.subject.startsWith('test#outage ')),
    );
    expect(counts.size).toBe(150);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(t.queue.deadLetters).toHaveLength(0);
    expect(await t.sending.status('test#outage')).toMatchObject({
      status: 'finished',
      sent: 150,
      failed: 0,
      uncertain: 0,
      pending: 0,
    });
  }, 60_000);
});
