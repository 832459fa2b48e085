/**
 * Reputation guard against the real local servers: a list whose first addresses hard-bounce. SES (the
 * stand-in behind the throttling proxy) takes every mail; a bouncing stand-in in front of it then reports
 * each one as SES event publishing would — a Bounce (Permanent) for the bad addresses, a Delivery for the
 * rest — to the stack's SES event route, which records them in the campaign's stats and the suppression
 * list (DynamoDB). The send must pause itself early, say why, mail the secretariat once, and after an
 * approver's resume reach everyone else, nobody twice, without pausing again for what it already saw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPUTATION_GUARD_PAUSER, type SendStatus } from '../../src/domain/index.ts';
import type { Mailer, OutboundMessage } from '../../src/ports/mailer.ts';
import { startTestStack } from '../support/local-stack.ts';
import {
  composeTestSending,
  countByRecipient,
  fastRetrySesMailer,
  makeSubscribers,
  memoryDirectory,
  testSource,
} from '../support/sending-fixtures.ts';
import { SimClock } from '../support/sim-clock.ts';
import { startThrottlingProxy, type ThrottlingProxy } from '../support/throttling-proxy.ts';

const SECRETARIAT = 'secretariat@igpn.example';

/** SES events as the configuration set publishes them, posted to the stack once SES took the mail. */
function bouncingMailer(real: Mailer, bad: Set<string>, post: (event: unknown) => Promise<void>) {
  const events = { bounces: 0, deliveries: 0 };
  const mailer: Mailer = {
    getSendQuota: () => real.getSendQuota(),
    async send(m: OutboundMessage) {
      const out = await real.send(m);
      if (!m.tags?.campaign) return out; // the alert itself
      const mail = {
        messageId: out.messageId,
        timestamp: new Date().toISOString(),
        destination: [m.to],
        // SES tag values allow no '#': the adapter sends test#guard as test_guard.
        tags: { campaign: [m.tags.campaign.replace('#', '_')], subscriber: [m.tags.subscriber ?? ''] },
      };
      if (bad.has(m.to)) {
        events.bounces++;
        await post({
          eventType: 'Bounce',
          mail,
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: [
              {
                emailAddress: m.to,
                action: 'failed',
                status: '5.1.1',
                diagnosticCode: 'smtp; 550 5.1.1 <user>: Recipient address rejected: User unknown',
              },
            ],
          },
        });
      } else {
        events.deliveries++;
        await post({ eventType: 'Delivery', mail, delivery: { recipients: [m.to] } });
      }
      return out;
    },
  };
  return { mailer, events };
}

describe('reputation guard', () => {
  const clock = new SimClock();
  let proxy: ThrottlingProxy;
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    proxy = await startThrottlingProxy({ rate: 100, clock });
    stack = await startTestStack({
      clock,
      env: { GAZETTE_SEND_BATCH_SIZE: '25', GAZETTE_ALERT_EMAIL: SECRETARIAT },
      sesEndpoint: (real) => proxy.inFrontOf(real),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.close();
  });

  it('a list whose first sends hard-bounce pauses itself; after resume everyone else is reached, nobody twice', async () => {
    const n = 500;
    const subs = makeSubscribers(n, { domain: 'imported.example' });
    // A bad import: its first 60 addresses do not exist.
    const bad = new Set(subs.slice(0, 60).map((s) => s.email));
    const post = async (event: unknown) => {
      const res = await stack.admin('/admin/ses-events', { method: 'POST', body: JSON.stringify(event) });
      expect(res.status).toBe(200);
    };
    const { mailer, events } = bouncingMailer(fastRetrySesMailer(proxy.url), bad, post);
    const t = composeTestSending(
      stack.infra,
      // Suppressions: the stack's real list in DynamoDB, which the SES event route fills.
      { sources: [testSource(subs)], subscribers: memoryDirectory(subs) },
      { workers: 2, infra: { mailer }, queue: { visibilityMs: 60_000 } },
    );
    await t.sending.startSend('test#guard', 'cli:alice');
    await t.idle();

    // Paused by itself, early, with the reason in the job that GET /admin/sends/:campaign returns.
    const res = await stack.admin(`/admin/sends/${encodeURIComponent('test#guard')}`);
    expect(res.status).toBe(200);
    const paused = (await res.json()) as SendStatus;
    expect(paused.status).toBe('paused');
    expect(paused.job.pausedBy).toBe(REPUTATION_GUARD_PAUSER);
    expect(paused.job.reputation?.reason).toMatch(/hard bounces among \d+ SES outcomes: more than 5% of 500/);
    expect(paused.job.reputation?.counts.hardBounces).toBeGreaterThan(25);
    expect(paused.job.warnings.join('\n')).toMatch(/paused by the reputation guard/);
    const before = (await stack.sentMail()).filter((m) => m.subject.startsWith('test#guard '));
    expect(before.length).toBeGreaterThan(25);
    expect(before.length).toBeLessThan(n / 2);
    expect(events.bounces).toBeGreaterThan(25);

    // The secretariat mailed once, though two workers saw the counts.
    const alerts = (await stack.sentMail()).filter((m) => m.destination.to.includes(SECRETARIAT));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toContain('test#guard paused');
    expect(paused.job.reputation?.alertedAt).toBeDefined();

    // An approver resumes: the counts are acknowledged, the rest of the list is sent.
    const resumed = await t.sending.resume('test#guard', 'cli:approver');
    expect(resumed.reputation?.acknowledged).toMatchObject({ by: 'cli:approver' });
    await t.idle();

    const status = await t.sending.status('test#guard', { exact: true });
    expect(status).toMatchObject({ status: 'finished', recipients: n, pending: 0, failed: 0, uncertain: 0 });
    const counts = countByRecipient(
      (await stack.sentMail()).filter((m) => m.subject.startsWith('test#guard ')),
    );
    expect(Math.max(...counts.values())).toBe(1);
    // Every good address reached; a bad one is mailed at most once (those that bounced are suppressed).
    for (const s of subs) if (!bad.has(s.email)) expect(counts.get(s.email), s.email).toBe(1);
    expect(status.sent + status.skipped).toBe(n);
    expect(t.queue.deadLetters).toHaveLength(0);
    // Not paused again for the bounces it had seen; still one alert.
    const job = status.job;
    expect(job.warnings.filter((w) => w.includes('paused by the reputation guard'))).toHaveLength(1);
    expect((await stack.sentMail()).filter((m) => m.destination.to.includes(SECRETARIAT))).toHaveLength(1);
  }, 120_000);
});
