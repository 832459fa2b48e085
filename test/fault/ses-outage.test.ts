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

  it('does not mail, after the outage, recipients who unsubscribed or were suppressed while it held the send', async () => {
    const subs = makeSubscribers(60, { domain: 'outage-leavers.example' });
    const suppressions = memorySuppressions();
    const before = proxy.stats.forwarded;
    const firstTime = proxy.stats.sendTimes.length;
    let outageEnd = 0;
    proxy.onSent = (count) => {
      if (count !== before + 10) return;
      outageEnd = clock.ms + 5 * 60_000;
      proxy.outageUntil(outageEnd);
      // While SES is down everyone leaves: half unsubscribe, half hard-bounce elsewhere (suppressed).
      subs.forEach((s, i) => {
        if (i % 2) suppressions.add(s.email);
        else subs[i] = { ...s, status: 'unsubscribed' };
      });
    };
    const t = composeTestSending(
      stack.infra,
      { sources: [testSource(subs)], subscribers: memoryDirectory(subs), suppressions },
      { queue: { visibilityMs: 60_000 }, infra: { mailer: fastRetrySesMailer(proxy.url) } },
    );
    await t.sending.startSend('test#leavers', 'cli:alice');
    await t.idle();

    expect(outageEnd).toBeGreaterThan(0);
    expect(proxy.stats.outageErrors).toBeGreaterThan(0);
    const after = proxy.stats.sendTimes.slice(firstTime).filter((at) => at >= outageEnd);
    expect(after).toEqual([]);
    const status = await t.sending.status('test#leavers', { exact: true });
    expect(status).toMatchObject({ status: 'finished', failed: 0, uncertain: 0, pending: 0 });
    expect(status.sent + status.skipped).toBe(60);
  }, 60_000);
});
