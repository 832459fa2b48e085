/**
 * Issue 15 on the embedded stack: with GAZETTE_DIGEST_EMAIL set, the local scheduler fires the daily
 * digest at GAZETTE_DIGEST_HOUR (edition time zone) and the secretariat gets the day's quarantined and
 * rejected mail with the reasons, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from '../../../src/domain/index.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import { mail } from '../../fixtures/inbound/index.ts';
import { startTestStack } from '../../support/local-stack.ts';

// 07:59 in Shanghai: a minute before the digest.
let now = new Date('2026-03-03T23:59:00.000Z');
const clock: Clock = { now: () => now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

describe('daily digest on the embedded stack', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack({
      clock,
      env: { GAZETTE_DIGEST_EMAIL: 'secretariat@igpn.example', GAZETTE_DIGEST_HOUR: '8' },
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
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('fires at the configured hour and mails the quarantined and rejected messages with reasons, once', async () => {
    const q = (await stack.app.ingest.receiveRaw(
      mail({ subject: 'Forum 2026 (spam verdict)' }),
      { from: 'news@greenbuy.example', to: [] },
      'spam',
    )) as IngestResult;
    const r = (await stack.app.ingest.receiveRaw(
      mail({ from: 'stranger@unknown.example', subject: 'Offer' }),
      {
        from: 'stranger@unknown.example',
        to: [],
      },
    )) as IngestResult;
    expect([q.outcome, r.outcome]).toEqual(['quarantined', 'rejected']);
    expect(stack.scheduler.listRecurring().find((s) => s.name === 'inbound-digest')).toMatchObject({
      expression: 'cron(0 8 * * ? *)',
      timeZone: 'Asia/Shanghai',
      next: new Date('2026-03-04T00:00:00.000Z'),
    });
    const digests = async () =>
      (await stack.sentMail()).filter((m) => m.destination.to.includes('secretariat@igpn.example'));
    await stack.scheduler.tick();
    expect(await digests()).toEqual([]);

    now = new Date('2026-03-04T00:00:30.000Z');
    await stack.scheduler.tick();
    await stack.scheduler.idle();
    const sent = await digests();
    expect(sent.map((m) => m.subject)).toEqual(['Inbound digest 2026-03-04: 1 quarantined, 1 rejected']);
    expect(sent[0]?.body.text).toContain('Forum 2026 (spam verdict)');
    expect(sent[0]?.body.text).toContain('stranger@unknown.example');
    expect(sent[0]?.body.text).toContain(`Reason: ${q.reason}`);
    // A second run of the job the same day (a retry) sends nothing more.
    await stack.app.runJob({ type: 'inbound-digest' });
    expect(await digests()).toHaveLength(1);
  });
});
