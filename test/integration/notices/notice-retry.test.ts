/**
 * Issue 15 on the embedded stack, over the real SES client: SES throttles (429) the approval notice, the
 * moderation step still succeeds, and the local scheduler's loop fires `notice-retries`, which sends it
 * once SES takes mail again. The member gets exactly one approval notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from '../../../src/domain/index.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import { mail } from '../../fixtures/inbound/index.ts';
import { startTestStack } from '../../support/local-stack.ts';
import { startThrottlingProxy, type ThrottlingProxy } from '../../support/throttling-proxy.ts';

let now = new Date('2026-03-04T02:00:00.000Z');
const clock: Clock = { now: () => now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

describe('a member notice SES throttled', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let proxy: ThrottlingProxy;
  beforeAll(async () => {
    proxy = await startThrottlingProxy({ rate: 1000 });
    // The scheduler's own loop, as `npm start` runs it: nothing here fires the retry by hand.
    stack = await startTestStack({
      clock,
      schedulerLoop: true,
      sesEndpoint: (real) => proxy.inFrontOf(real),
    });
    const res = await stack.admin('/admin/members', {
      method: 'POST',
      body: JSON.stringify({
        organisation: 'GreenBuy e.V.',
        type: 'network',
        country: 'Germany',
        senders: ['news@greenbuy.example'],
      }),
    });
    expect(res.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await proxy?.close();
  });

  it('is retried by the scheduler once SES takes mail again, and reaches the member exactly once', async () => {
    const r = (await stack.app.ingest.receiveRaw(mail({ subject: 'Textile guide 2026' }), {
      from: 'news@greenbuy.example',
      to: [],
    })) as IngestResult;
    expect(r.outcome).toBe('accepted');
    const notices = async () =>
      (await stack.sentMail()).filter(
        (m) => m.destination.to.includes('news@greenbuy.example') && /^Approved: /.test(m.subject),
      );
    expect(stack.scheduler.listRecurring().find((s) => s.name === 'notice-retries')).toMatchObject({
      expression: 'rate(15 minutes)',
    });

    // Every SendEmail answered 429 (the SDK's own retries included): the approval still goes through.
    proxy.setFaults({ throttle: 1 });
    const approved = await stack.call('POST', `/admin/updates/${r.updateId}/approve`, {});
    expect(approved.status).toBe(200);
    expect(proxy.stats.injectedThrottles).toBeGreaterThan(0);
    expect(await notices()).toEqual([]);

    // SES recovers; the next scheduler fire (15 minutes on, past the 5-minute backoff) sends it.
    proxy.setFaults({});
    now = new Date(now.getTime() + 15 * 60_000 + 1_000);
    const deadline = Date.now() + 20_000;
    while (!(await notices()).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await notices()).map((m) => m.subject)).toEqual(['Approved: Textile guide 2026']);

    // Later fires, and the approval repeated, send nothing more.
    for (let i = 0; i < 3; i++) {
      now = new Date(now.getTime() + 15 * 60_000 + 1_000);
      await new Promise((r) => setTimeout(r, 1_500));
    }
    await stack.scheduler.idle();
    await stack.call('POST', `/admin/updates/${r.updateId}/approve`, {});
    expect(await notices()).toHaveLength(1);
  }, 60_000);
});
