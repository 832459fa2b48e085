/**
 * Issue 15, notices that fail to send: a member must still hear of their update. A retryable failure (SES
 * throttling, a 5xx it did not take) waits in the outbox and is retried with backoff until sent, exactly
 * once; a permanent refusal (bad address) or an unanswered send is not retried; after a bounded number of
 * attempts the notice is given up with an error log and a line in the secretariat's daily digest.
 */
import { describe, expect, it } from 'vitest';
import { Update } from '../../../src/domain/index.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import type { Logger } from '../../../src/ports/logger.ts';
import {
  MailerOutcomeUnknownError,
  MailerPermanentError,
  MailerThrottledError,
  MailerTransientError,
  type OutboundMessage,
} from '../../../src/ports/mailer.ts';
import type { NoticeOutbox, PendingNotice } from '../../../src/ports/notices.ts';
import type { EventLedger } from '../../../src/ports/subscribers.ts';
import { makeModeration } from '../../../src/use-cases/inbound/moderation.ts';
import { makeDailyDigest } from '../../../src/use-cases/notices/digest.ts';
import {
  makeMemberNotices,
  NOTICE_MAX_ATTEMPTS,
  retryDelayMs,
} from '../../../src/use-cases/notices/member-notices.ts';
import { MemoryInbound, MemoryMailer, MemoryMembers, MemoryUpdates, member } from '../inbound/fakes.ts';

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

/** The outbox with the adapter's conditional write: a save loses when the attempts moved on. */
class MemoryOutbox implements NoticeOutbox {
  readonly items = new Map<string, PendingNotice>();
  async get(key: string) {
    const n = this.items.get(key);
    return n ? { ...n } : undefined;
  }
  async save(n: PendingNotice, previousAttempts: number) {
    const cur = this.items.get(n.key);
    if ((cur?.attempts ?? 0) !== previousAttempts) return false;
    this.items.set(n.key, { ...n });
    return true;
  }
  async due(now: Date, limit: number) {
    return [...this.items.values()]
      .filter((n) => n.status === 'pending' && n.nextAttemptAt <= now.toISOString())
      .sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt))
      .slice(0, limit)
      .map((n) => ({ ...n }));
  }
  async givenUpSince(since: Date) {
    return [...this.items.values()].filter(
      (n) => n.status === 'given-up' && n.updatedAt >= since.toISOString(),
    );
  }
  async remove(key: string) {
    this.items.delete(key);
  }
}

/** A mailer that answers each send with the next scripted failure, then sends. */
class ScriptedMailer extends MemoryMailer {
  attempts = 0;
  constructor(public failures: Error[] = []) {
    super();
  }
  override async send(m: OutboundMessage) {
    this.attempts++;
    const f = this.failures.shift();
    if (f) throw f;
    return super.send(m);
  }
}

function recordingLogger() {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const make = (bound: Record<string, unknown>): Logger =>
    ({
      debug: () => {},
      info: (msg: string, f: Record<string, unknown> = {}) =>
        lines.push({ level: 'info', msg, fields: { ...bound, ...f } }),
      warn: (msg: string, f: Record<string, unknown> = {}) =>
        lines.push({ level: 'warn', msg, fields: { ...bound, ...f } }),
      error: (msg: string, f: Record<string, unknown> = {}) =>
        lines.push({ level: 'error', msg, fields: { ...bound, ...f } }),
      child: (f: Record<string, unknown>) => make({ ...bound, ...f }),
    }) as unknown as Logger;
  return { logger: make({}), lines };
}

const update = (over: Partial<Update> = {}): Update =>
  Update.parse({
    updateId: 'u_forum',
    messageId: 'm-1',
    memberId: 'm_greenbuy',
    organisation: 'GreenBuy e.V.',
    sender: 'news@greenbuy.example',
    receivedAt: '2026-01-10T10:00:00.000Z',
    status: 'pending',
    title: 'Forum on green textiles',
    summary: '',
    bodyHtml: '<p>x</p>',
    bodyText: 'x',
    kind: 'news',
    section: 'news',
    rawKey: 'inbound/m-1',
    audit: [{ at: '2026-01-10T10:00:00.000Z', actor: 'system:ingest', action: 'received' }],
    ...over,
  });

async function setup(failures: Error[] = []) {
  let now = new Date('2026-03-04T02:00:00.000Z');
  const clock: Clock = { now: () => now, sleep: async () => {} };
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  const members = new MemoryMembers();
  await members.create(member());
  const updates = new MemoryUpdates();
  await updates.create(update());
  const mailer = new ScriptedMailer(failures);
  const ledger = new MemoryLedger();
  const outbox = new MemoryOutbox();
  const { logger, lines } = recordingLogger();
  const deps = {
    members,
    updates,
    outbox,
    clock,
    ledger,
    mailer,
    logger,
    from: 'IGPN Gazette <news@gazette.local>',
    newsletterName: 'IGPN Gazette',
    postalAddress: 'IGPN Secretariat, Beijing',
  };
  const notices = makeMemberNotices(deps);
  const moderation = makeModeration({ updates, members, clock, onDecision: notices.decided });
  return { deps, notices, moderation, mailer, outbox, ledger, lines, advance, clock, updates };
}

const throttled = () => new MailerThrottledError('Maximum sending rate exceeded.');

describe('member notice retries', () => {
  it('retries a throttled (429) approval notice after its backoff and mails the member exactly once', async () => {
    const { moderation, notices, mailer, outbox, advance, lines } = await setup([throttled()]);
    await moderation.approve('u_forum', {}, 'alice');
    expect(mailer.sent).toHaveLength(0);
    const [pending] = outbox.items.values();
    expect(pending).toMatchObject({
      event: 'approved',
      updateId: 'u_forum',
      to: 'news@greenbuy.example',
      attempts: 1,
      status: 'pending',
      nextAttemptAt: '2026-03-04T02:05:00.000Z',
    });
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'member notice not sent: will retry',
    ]);

    // Not due yet: nothing is tried.
    advance(4 * 60_000);
    expect(await notices.retryDue()).toMatchObject({ due: 0, sent: 0 });
    expect(mailer.attempts).toBe(1);

    advance(60_000);
    expect(await notices.retryDue()).toEqual({ due: 1, sent: 1, failed: 0, givenUp: 0, dropped: 0 });
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Approved: Forum on green textiles']);
    expect(outbox.items.size).toBe(0);

    // Later runs, a repeated approval and a repeated decision event send nothing more.
    advance(3600_000);
    await notices.retryDue();
    await moderation.approve('u_forum', {}, 'alice');
    expect(mailer.sent).toHaveLength(1);
  });

  it('counts a 5xx SES did not take as retryable too', async () => {
    const { moderation, notices, mailer, advance } = await setup([
      new MailerTransientError('InternalFailure: We encountered an internal error.'),
    ]);
    await moderation.approve('u_forum', {}, 'alice');
    advance(retryDelayMs(1));
    await notices.retryDue();
    expect(mailer.sent).toHaveLength(1);
  });

  it('sends once when two retry runs (or a run and a repeated step) meet on the same notice', async () => {
    const { moderation, notices, mailer, advance, updates } = await setup([throttled()]);
    await moderation.approve('u_forum', {}, 'alice');
    advance(retryDelayMs(1));
    const approved = (await updates.get('u_forum'))!;
    await Promise.all([notices.retryDue(), notices.retryDue(), notices.decided('approved', approved)]);
    expect(mailer.sent).toHaveLength(1);
  });

  it('backs off 5 min × 3ⁿ and gives up after a bounded number of attempts, with an error log and a digest line', async () => {
    const failures = Array.from({ length: 20 }, throttled);
    const { moderation, notices, mailer, outbox, advance, lines, deps, clock } = await setup(failures);
    await moderation.approve('u_forum', {}, 'alice');
    const waits: string[] = [];
    for (let i = 1; i < NOTICE_MAX_ATTEMPTS; i++) {
      const n = [...outbox.items.values()][0]!;
      waits.push(`${(Date.parse(n.nextAttemptAt) - clock.now().getTime()) / 60_000} min`);
      advance(Date.parse(n.nextAttemptAt) - clock.now().getTime());
      await notices.retryDue();
    }
    expect(waits).toEqual(['5 min', '15 min', '45 min', '135 min', '405 min', '1215 min']);
    expect(mailer.attempts).toBe(NOTICE_MAX_ATTEMPTS);
    expect(mailer.sent).toEqual([]);
    const [given] = outbox.items.values();
    expect(given).toMatchObject({ status: 'given-up', attempts: NOTICE_MAX_ATTEMPTS });
    expect(lines.filter((l) => l.level === 'error')).toMatchObject([
      {
        msg: 'member notice given up: the member was not told',
        fields: { updateId: 'u_forum', event: 'approved', attempts: NOTICE_MAX_ATTEMPTS, reason: 'retry' },
      },
    ]);
    // Nothing more is tried, whatever the time.
    advance(7 * 24 * 3600_000);
    expect(await notices.retryDue()).toMatchObject({ due: 0 });
    expect(mailer.attempts).toBe(NOTICE_MAX_ATTEMPTS);

    // The secretariat's digest lists it (and is sent for it alone, on a day without quarantined mail).
    advance(-6 * 24 * 3600_000);
    const digestMailer = new MemoryMailer();
    const digest = makeDailyDigest({
      inbound: new MemoryInbound(),
      notices: outbox,
      ledger: new MemoryLedger(),
      mailer: digestMailer,
      clock,
      logger: deps.logger,
      to: 'secretariat@igpn.example',
      from: deps.from,
      newsletterName: deps.newsletterName,
      postalAddress: deps.postalAddress,
      timeZone: 'Asia/Shanghai',
    });
    expect(await digest()).toMatchObject({ sent: true, noticesGivenUp: 1 });
    const [m] = digestMailer.sent;
    expect(m?.subject).toMatch(/, 1 member notice not sent$/);
    expect(m?.text).toContain('Member notices not sent (1)');
    expect(m?.text).toContain('news@greenbuy.example: approved “Forum on green textiles” (update u_forum)');
    expect(m?.text).toMatch(/7 attempts; last error: MailerThrottledError: Maximum sending rate/);
  });

  it('never retries a permanent refusal (bad address): given up at once, error logged', async () => {
    const { moderation, notices, mailer, outbox, advance, lines } = await setup([
      new MailerPermanentError('MessageRejected: Email address is not verified.'),
    ]);
    await moderation.approve('u_forum', {}, 'alice');
    expect([...outbox.items.values()]).toMatchObject([{ status: 'given-up', attempts: 1 }]);
    expect(lines.filter((l) => l.level === 'error').map((l) => l.fields.reason)).toEqual(['permanent']);
    advance(30 * 24 * 3600_000);
    await notices.retryDue();
    await moderation.approve('u_forum', {}, 'alice');
    expect(mailer.attempts).toBe(1);
    expect(mailer.sent).toEqual([]);
  });

  it('never resends a notice SES may have taken (no answer): the claim is kept', async () => {
    const { moderation, notices, mailer, outbox, advance, ledger, updates } = await setup([
      new MailerOutcomeUnknownError('TimeoutError: socket hang up'),
    ]);
    await moderation.approve('u_forum', {}, 'alice');
    expect(ledger.keys.size).toBe(1);
    expect([...outbox.items.values()]).toMatchObject([{ status: 'given-up' }]);
    advance(24 * 3600_000);
    await notices.retryDue();
    await notices.decided('approved', (await updates.get('u_forum'))!);
    expect(mailer.attempts).toBe(1);
  });

  it('drops a pending approval notice when the update was rejected since (the rejection is what the member hears)', async () => {
    const { moderation, notices, mailer, outbox, advance } = await setup([throttled()]);
    await moderation.approve('u_forum', {}, 'alice');
    await moderation.reject('u_forum', 'Duplicate of an earlier update', 'alice');
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Not accepted: Forum on green textiles']);
    advance(retryDelayMs(1));
    expect(await notices.retryDue()).toMatchObject({ due: 1, sent: 0, dropped: 1 });
    expect(mailer.sent).toHaveLength(1);
    expect(outbox.items.size).toBe(0);
  });

  it('drops a pending approval notice once the update is published (the publication notice says more)', async () => {
    const { moderation, notices, mailer, advance, updates } = await setup([throttled()]);
    await moderation.approve('u_forum', {}, 'alice');
    const u = (await updates.get('u_forum'))!;
    updates.byId.set(u.updateId, { ...u, status: 'published' });
    advance(retryDelayMs(1));
    expect(await notices.retryDue()).toMatchObject({ due: 1, sent: 0, dropped: 1 });
    expect(mailer.sent).toEqual([]);
  });

  it('retries a failed publication notice with its archive link', async () => {
    const { notices, mailer, advance, updates } = await setup([throttled()]);
    const u = update({ status: 'published', editionNumber: 8 } as Partial<Update>);
    updates.byId.set(u.updateId, u);
    const url = 'https://news.example.org/archive/8/';
    expect(await notices.published(u, 8, url)).toBe(false);
    advance(retryDelayMs(1));
    await notices.retryDue();
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Published: Forum on green textiles']);
    expect(mailer.sent[0]?.text).toContain(url);
  });
});
