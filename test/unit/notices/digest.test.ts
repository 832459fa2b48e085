/**
 * Issue 15: the secretariat's daily digest of quarantined and rejected member mail, with the reasons;
 * off without an address, once a day, nothing sent on a quiet day.
 */
import { describe, expect, it } from 'vitest';
import type { InboundRecord } from '../../../src/domain/index.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import type { EventLedger } from '../../../src/ports/subscribers.ts';
import { makeDailyDigest } from '../../../src/use-cases/notices/digest.ts';
import { MemoryInbound, MemoryMailer, pass } from '../inbound/fakes.ts';

class MemoryLedger implements EventLedger {
  readonly keys = new Set<string>();
  async claim(key: string) {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    return true;
  }
  async release(key: string) {
    this.keys.delete(key);
  }
}

const record = (over: Partial<InboundRecord>): InboundRecord => ({
  messageId: 'msg',
  receivedAt: '2026-03-03T10:00:00.000Z',
  from: 'news@greenbuy.example',
  subject: 'Our news',
  outcome: 'quarantined',
  rawKey: 'inbound/msg',
  size: 1200,
  verdicts: pass,
  ...over,
});

// 08:00 in Shanghai on 4 March.
const now = new Date('2026-03-04T00:00:00.000Z');
const clock: Clock = { now: () => now, sleep: async () => {} };

async function setup(to: string | undefined = 'secretariat@igpn.example') {
  const inbound = new MemoryInbound();
  const mailer = new MemoryMailer();
  const ledger = new MemoryLedger();
  const digest = makeDailyDigest({
    inbound,
    ledger,
    mailer,
    clock,
    logger: silentLogger,
    to,
    from: 'IGPN Gazette <news@gazette.local>',
    newsletterName: 'IGPN Gazette',
    postalAddress: 'IGPN Secretariat, Beijing',
    timeZone: 'Asia/Shanghai',
  });
  return { inbound, mailer, ledger, digest };
}

describe('daily inbound digest', () => {
  it('lists the last 24 hours of quarantined and rejected mail with the reasons, once a day', async () => {
    const { inbound, mailer, digest } = await setup();
    await inbound.record(
      record({
        messageId: 'q1',
        subject: 'Forum 2026',
        reason: 'sender authentication failed (SPF=FAIL, DKIM=FAIL, DMARC=FAIL)',
      }),
    );
    await inbound.record(
      record({
        messageId: 'r1',
        outcome: 'rejected',
        from: 'someone@unknown.example',
        subject: 'Partnership offer',
        reason: 'sender someone@unknown.example is not a registered member address',
        receivedAt: '2026-03-03T20:00:00.000Z',
      }),
    );
    // Older than a day: in yesterday's digest already.
    await inbound.record(
      record({ messageId: 'old', outcome: 'rejected', receivedAt: '2026-03-02T10:00:00.000Z' }),
    );
    await inbound.record(record({ messageId: 'ok', outcome: 'accepted' }));

    expect(await digest()).toEqual({ sent: true, day: '2026-03-04', quarantined: 1, rejected: 1 });
    expect(mailer.sent).toHaveLength(1);
    const m = mailer.sent[0];
    expect(m).toMatchObject({
      to: 'secretariat@igpn.example',
      subject: 'Inbound digest 2026-03-04: 1 quarantined, 1 rejected',
    });
    expect(m?.text).toContain('Forum 2026');
    expect(m?.text).toContain('Reason: sender authentication failed (SPF=FAIL, DKIM=FAIL, DMARC=FAIL)');
    expect(m?.text).toContain('someone@unknown.example');
    expect(m?.text).not.toContain('old');
    expect(m?.html).toContain('<title>Inbound digest 2026-03-04: 1 quarantined, 1 rejected</title>');
    expect(m?.html).toContain('is not a registered member address');
    expect(m?.html).toContain('IGPN Secretariat, Beijing');

    // The schedule firing twice (a retry) sends nothing more.
    expect(await digest()).toMatchObject({ sent: false, skipped: 'already-sent' });
    expect(mailer.sent).toHaveLength(1);
  });

  it('is off without an address and sends nothing on a quiet day', async () => {
    const off = await setup('');
    await off.inbound.record(record({ messageId: 'q1' }));
    expect(await off.digest()).toMatchObject({ sent: false, skipped: 'off' });
    const quiet = await setup();
    expect(await quiet.digest()).toMatchObject({ sent: false, skipped: 'empty' });
    expect([...off.mailer.sent, ...quiet.mailer.sent]).toEqual([]);
  });

  it('a failed send frees the day, so the retry sends it', async () => {
    const { inbound, mailer, digest } = await setup();
    await inbound.record(record({ messageId: 'q1', reason: 'spam verdict FAIL' }));
    const send = mailer.send.bind(mailer);
    mailer.send = async () => {
      throw new Error('SES throttled');
    };
    await expect(digest()).rejects.toThrow('SES throttled');
    mailer.send = send;
    expect((await digest()).sent).toBe(true);
  });

  it('says when a flood was cut at the limit, instead of dropping mail silently', async () => {
    const { inbound, mailer, digest } = await setup();
    for (let i = 0; i < 520; i++)
      await inbound.record(
        record({ messageId: `r${i}`, outcome: 'rejected', reason: 'spam verdict FAIL', subject: `Win ${i}` }),
      );
    await inbound.record(record({ messageId: 'q1', reason: 'virus' }));
    const all = inbound.listByOutcome.bind(inbound);
    inbound.listByOutcome = async (outcome, opts?: { limit?: number }) =>
      (await all(outcome)).slice(0, opts?.limit);
    expect((await digest()).rejected).toBe(500);
    const text = mailer.sent[0]?.text ?? '';
    expect(text).toMatch(/Rejected \(500\)[\s\S]*Only the 500 most recent are listed/);
    // The quarantined list was not cut, and says nothing of the kind.
    expect(text.split('Rejected (500)')[0]).not.toContain('most recent');
  });

  it('escapes what senders wrote', async () => {
    const { inbound, mailer, digest } = await setup();
    await inbound.record(record({ messageId: 'q1', subject: '<script>alert(1)</script>', reason: 'x' }));
    await digest();
    expect(mailer.sent[0]?.html).not.toContain('<script>alert');
    expect(mailer.sent[0]?.html).toContain('&lt;script&gt;');
  });
});
