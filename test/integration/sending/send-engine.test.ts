import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySesError } from '../../../src/adapters/ses/ses-mailer.ts';
import { makeRouter } from '../../../src/http/router.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import type { Mailer } from '../../../src/ports/mailer.ts';
import { isQuotaCheck, type QuotaCheckMessage, type SendQueueMessage } from '../../../src/ports/queue.ts';
import { startTestStack } from '../../support/local-stack.ts';
import {
  composeTestSending,
  countByRecipient,
  makeSubscribers,
  memoryDirectory,
  memorySuppressions,
  testSource,
} from '../../support/sending-fixtures.ts';
import { SimClock } from '../../support/sim-clock.ts';

describe('send engine over the real local stack', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack({ env: { GAZETTE_SEND_BATCH_SIZE: '20' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const mailsFor = async (campaign: string) =>
    (await stack.sentMail()).filter((m) => m.subject.startsWith(`${campaign} `));

  it('sends once to every confirmed recipient with List-Unsubscribe headers, then finishes and calls onFinished', async () => {
    const subs = makeSubscribers(130, { domain: 'a.example' });
    const finished: string[] = [];
    const t = composeTestSending(stack.infra, {
      sources: [testSource(subs)],
      subscribers: memoryDirectory(subs),
      suppressions: memorySuppressions(),
      onFinished: async (c) => {
        finished.push(c);
      },
    });
    await t.sending.startSend('test#basic', 'cli:alice');
    await t.idle();

    const mails = await mailsFor('test#basic');
    const counts = countByRecipient(mails);
    expect(counts.size).toBe(130);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const one = mails.find((m) => m.destination.to[0] === subs[3]!.email)!;
    const header = (n: string) => one.headers?.find((h) => h.name === n)?.value;
    expect(header('List-Unsubscribe')).toMatch(/^<http:\/\/.+\/v1\/unsubscribe\?token=.+>, <mailto:.+>$/);
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(one.body.text).toContain('/v1/unsubscribe?token=');

    const status = await t.sending.status('test#basic', { exact: true });
    expect(status).toMatchObject({ status: 'finished', recipients: 130, sent: 130, pending: 0, failed: 0 });
    const counters = await t.sending.status('test#basic');
    expect(counters).toMatchObject({ sent: 130, pending: 0, source: 'counters' });
    expect(finished).toEqual(['test#basic']);
    const sent = await t.sending.engine.deliveries('test#basic', 'sent');
    expect(sent).toHaveLength(130);
    expect(sent.every((d) => typeof d.sesMessageId === 'string' && d.sesMessageId.length > 0)).toBe(true);
  });

  it('skips suppressed and no-longer-confirmed recipients at send time and never mails them', async () => {
    const subs = makeSubscribers(30, { domain: 'b.example' });
    const supp = memorySuppressions([subs[0]!.email]);
    // Unsubscribed after the plan enumerated them: the directory answers with the fresh record.
    const fresh = subs.map((s, i) => (i === 1 ? { ...s, status: 'unsubscribed' as const } : s));
    const t = composeTestSending(stack.infra, {
      sources: [testSource(subs)],
      subscribers: memoryDirectory(fresh),
      suppressions: supp,
    });
    await t.sending.startSend('test#skips', 'cli:alice');
    await t.idle();
    const counts = countByRecipient(await mailsFor('test#skips'));
    expect(counts.has(subs[0]!.email)).toBe(false);
    expect(counts.has(subs[1]!.email)).toBe(false);
    expect(counts.size).toBe(28);
    const status = await t.sending.status('test#skips', { exact: true });
    expect(status).toMatchObject({ status: 'finished', sent: 28, skipped: 2, pending: 0 });
    expect(
      (await stack.app.infra.table.get({ pk: 'STATS#test#skips', sk: 'STATS' }))?.suppressedSkipped,
    ).toBe(2);
  });

  it('refuses to start twice, and a rerun sends only to those not yet sent', async () => {
    const subs = makeSubscribers(25, { domain: 'c.example' });
    const t = composeTestSending(stack.infra, {
      sources: [testSource(subs)],
      subscribers: memoryDirectory(subs),
      suppressions: memorySuppressions(),
    });
    await t.sending.startSend('test#rerun', 'cli:alice');
    await t.idle();
    await expect(t.sending.startSend('test#rerun', 'cli:alice')).rejects.toThrow(/rerun sends only/);

    subs.push(...makeSubscribers(3, { domain: 'c-late.example' }));
    await t.sending.rerun('test#rerun', 'cli:alice');
    await t.idle();
    const counts = countByRecipient(await mailsFor('test#rerun'));
    expect(counts.size).toBe(28);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(await t.sending.status('test#rerun', { exact: true })).toMatchObject({
      status: 'finished',
      recipients: 28,
      sent: 28,
    });
  });

  it('pause stops a running send; resume sends only to those not yet claimed', async () => {
    const subs = makeSubscribers(100, { domain: 'd.example' });
    const t = composeTestSending(stack.infra, {
      sources: [testSource(subs)],
      subscribers: memoryDirectory(subs),
      suppressions: memorySuppressions(),
    });
    // Pause right after the first batch is done.
    let batches = 0;
    t.queue.setConsumer(async (m) => {
      await t.sending.processBatch(m);
      if (++batches === 1) await t.sending.pause('test#pause', 'cli:bob');
    });
    await t.sending.startSend('test#pause', 'cli:alice');
    await t.idle();
    const during = countByRecipient(await mailsFor('test#pause'));
    expect(during.size).toBe(20);
    const paused = await t.sending.status('test#pause');
    expect(paused).toMatchObject({ status: 'paused', sent: 20, pending: 80 });

    await expect(t.sending.pause('test#pause', 'cli:bob')).rejects.toThrow(/cannot pause/);
    await t.sending.resume('test#pause', 'cli:bob');
    await t.idle();
    const after = countByRecipient(await mailsFor('test#pause'));
    expect(after.size).toBe(100);
    expect([...after.values()].every((n) => n === 1)).toBe(true);
    expect(await t.sending.status('test#pause', { exact: true })).toMatchObject({ status: 'finished' });
  });

  it('refuses to resume a paused send whose campaign is no longer sendable (edition cancelled meanwhile)', async () => {
    const subs = makeSubscribers(40, { domain: 'cancelled.example' });
    let sendable: true | string = true;
    const t = composeTestSending(stack.infra, {
      sources: [testSource(subs, { ready: () => sendable })],
      subscribers: memoryDirectory(subs),
      suppressions: memorySuppressions(),
    });
    let batches = 0;
    t.queue.setConsumer(async (m) => {
      await t.sending.processBatch(m);
      if (++batches === 1) await t.sending.pause('test#cancelled', 'cli:bob');
    });
    await t.sending.startSend('test#cancelled', 'cli:alice');
    await t.idle();
    sendable = 'edition 8 is cancelled';
    await expect(t.sending.resume('test#cancelled', 'cli:bob')).rejects.toThrow(/cancelled/);
    await t.idle();
    expect(await t.sending.status('test#cancelled')).toMatchObject({ status: 'paused' });
    expect(countByRecipient(await mailsFor('test#cancelled')).size).toBe(20);
  });

  it('never re-sends a recipient whose send got no answer from SES (it may have gone out): reports it uncertain', async () => {
    const subs = makeSubscribers(10, { domain: 'noanswer.example' });
    const victim = subs[4]!.email;
    let faulted = false;
    const t = composeTestSending(
      stack.infra,
      { sources: [testSource(subs)], subscribers: memoryDirectory(subs), suppressions: memorySuppressions() },
      {
        infra: {
          mailer: {
            getSendQuota: () => stack.infra.mailer.getSendQuota(),
            async send(m) {
              const out = await stack.infra.mailer.send(m);
              // SES took it, but the connection died before its answer arrived.
              if (m.to === victim && !faulted) {
                faulted = true;
                throw classifySesError(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
              }
              return out;
            },
          },
        },
      },
    );
    await t.sending.startSend('test#noanswer', 'cli:alice');
    await t.idle();
    const counts = countByRecipient(await mailsFor('test#noanswer'));
    expect(faulted).toBe(true);
    expect(counts.get(victim)).toBe(1);
    expect(counts.size).toBe(10);
    expect(await t.sending.status('test#noanswer', { exact: true })).toMatchObject({
      status: 'finished',
      sent: 9,
      uncertain: 1,
    });
  });

  it('holds, not fails, recipients while SES refuses every send for the account (sending paused), then sends them', async () => {
    const subs = makeSubscribers(6, { domain: 'sespaused.example' });
    let refusals = 0;
    const t = composeTestSending(
      stack.infra,
      { sources: [testSource(subs)], subscribers: memoryDirectory(subs), suppressions: memorySuppressions() },
      {
        infra: {
          mailer: {
            getSendQuota: () => stack.infra.mailer.getSendQuota(),
            async send(m) {
              // The account's sending was paused for a moment: nothing to do with this recipient.
              if (refusals < 2) {
                refusals++;
                throw classifySesError(
                  Object.assign(new Error('Sending is paused for this account.'), {
                    name: 'SendingPausedException',
                    $metadata: { httpStatusCode: 400 },
                  }),
                );
              }
              return stack.infra.mailer.send(m);
            },
          },
        },
      },
    );
    await t.sending.startSend('test#sespaused', 'cli:alice');
    await t.idle();
    const counts = countByRecipient(await mailsFor('test#sespaused'));
    expect(refusals).toBe(2);
    expect(counts.size).toBe(6);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(await t.sending.status('test#sespaused', { exact: true })).toMatchObject({
      status: 'finished',
      sent: 6,
      failed: 0,
    });
  });

  it.each([
    [
      'SES says so (LimitExceededException: Daily message quota exceeded)',
      'LimitExceededException',
      'Daily message quota exceeded',
      false,
    ],
    [
      'GetAccount says so (SentLast24Hours reached Max24HourSend)',
      'TooManyRequestsException',
      'Too Many Requests',
      true,
    ],
  ])(
    'pauses the send with a visible reason when the SES daily quota is used up, as %s: no retries, nothing failed; resume sends the rest once',
    async (_how, name, message, accountSaysSo) => {
      const clock = new SimClock();
      const campaign = `test#quota-${name}`;
      const subs = makeSubscribers(40, { domain: `quota-${name.toLowerCase()}.example` });
      let sent = 0;
      let refusals = 0;
      let exhausted = false;
      const t = composeTestSending(
        stack.infra,
        {
          sources: [testSource(subs)],
          subscribers: memoryDirectory(subs),
          suppressions: memorySuppressions(),
        },
        {
          infra: {
            clock,
            mailer: {
              async getSendQuota() {
                const q = await stack.infra.mailer.getSendQuota();
                return accountSaysSo && exhausted ? { ...q, max24HourSend: 10, sentLast24Hours: 10 } : q;
              },
              async send(m) {
                // The quota runs out after 10 mails. Bounded, so an engine that keeps retrying still ends.
                if (sent >= 10 && !exhausted) exhausted = true;
                if (exhausted && refusals < 3) {
                  refusals++;
                  throw classifySesError(
                    Object.assign(new Error(message), {
                      name,
                      $metadata: { httpStatusCode: name === 'TooManyRequestsException' ? 429 : 400 },
                    }),
                  );
                }
                const r = await stack.infra.mailer.send(m);
                sent++;
                return r;
              },
            },
          },
        },
      );
      // The operator acts before the engine's own quota check comes: hold the checks back until then.
      const checks: QuotaCheckMessage[] = [];
      // The fixture's queue is typed for recipient batches; it carries every send-queue message.
      t.queue.setConsumer(async (m: SendQueueMessage) => {
        if (isQuotaCheck(m)) checks.push(m);
        else await t.sending.processBatch(m);
      });
      await t.sending.startSend(campaign, 'cli:alice');
      await t.idle();
      const held = await t.sending.status(campaign, { exact: true });
      expect(held).toMatchObject({ status: 'paused', failed: 0, uncertain: 0 });
      expect(held.job.warnings.join('\n')).toMatch(/daily sending quota/);
      expect(held.sent).toBeLessThan(40);
      expect(checks).toEqual([{ kind: 'quota-check', campaign, pausedAt: held.job.pausedAt, checks: 0 }]);

      // The 24-hour window frees: the operator resumes, and everyone not yet sent gets it once.
      exhausted = false;
      refusals = 3;
      await t.sending.resume(campaign, 'cli:alice');
      await t.idle();
      // The engine's check, arriving after the operator's resume, does nothing more.
      const runs = (await t.sending.status(campaign)).job.runs;
      expect(await t.sending.engine.checkQuota(checks[0]!)).toBe('ended');
      await t.idle();
      expect((await t.sending.status(campaign)).job.runs).toBe(runs);
      const counts = countByRecipient(await mailsFor(campaign));
      expect(counts.size).toBe(40);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(await t.sending.status(campaign, { exact: true })).toMatchObject({
        status: 'finished',
        sent: 40,
        failed: 0,
      });
    },
  );

  /**
   * The SES account as a send sees it on simulated time: after `usedAfter` mails the daily quota is used up
   * (SES refuses, GetAccount shows SentLast24Hours at Max24HourSend) until `freeAfterMs` later.
   */
  function dailyQuota(clock: SimClock, opts: { usedAfter: number; freeAfterMs: number; limit?: number }) {
    const limit = opts.limit ?? 1_000;
    const state = { sent: 0, usedUpAt: undefined as number | undefined, reads: 0, onRead: async () => {} };
    const usedUp = () => state.usedUpAt !== undefined && clock.ms < state.usedUpAt + opts.freeAfterMs;
    const mailer: Mailer = {
      async getSendQuota() {
        state.reads++;
        await state.onRead();
        const q = await stack.infra.mailer.getSendQuota();
        return { ...q, max24HourSend: limit, sentLast24Hours: usedUp() ? limit : limit / 2 };
      },
      async send(m) {
        // Counted when SES takes it (before its answer), so sends in flight cannot pass the limit.
        if (state.sent >= opts.usedAfter && state.usedUpAt === undefined) state.usedUpAt = clock.ms;
        if (usedUp()) {
          throw classifySesError(
            Object.assign(new Error('Daily message quota exceeded.'), {
              name: 'LimitExceededException',
              $metadata: { httpStatusCode: 400 },
            }),
          );
        }
        state.sent++;
        return stack.infra.mailer.send(m);
      },
    };
    return { mailer, state };
  }

  /** Deliver the queue's messages as the worker does, noting each quota check's time and outcome. */
  /** n subscribers sending on a simulated clock through SES whose daily quota is used up after 10 mails. */
  function quotaWorld(n: number, domain: string, freeAfterMs: number) {
    const clock = new SimClock();
    const subs = makeSubscribers(n, { domain });
    const quota = dailyQuota(clock, { usedAfter: 10, freeAfterMs });
    const t = composeTestSending(
      stack.infra,
      { sources: [testSource(subs)], subscribers: memoryDirectory(subs), suppressions: memorySuppressions() },
      { infra: { clock, mailer: quota.mailer } },
    );
    return { clock, subs, quota, t };
  }

  function noteChecks(t: ReturnType<typeof composeTestSending>, clock: SimClock) {
    const checks: { at: number; checks: number; outcome: unknown }[] = [];
    const before: ((m: QuotaCheckMessage) => Promise<void>)[] = [];
    t.queue.setConsumer(async (m: SendQueueMessage) => {
      if (!isQuotaCheck(m)) return void (await t.sending.processBatch(m));
      for (const hook of before.splice(0)) await hook(m);
      const at = clock.ms;
      checks.push({ at, checks: m.checks, outcome: await t.sending.engine.consume(m) });
    });
    return { checks, beforeNextCheck: (hook: (m: QuotaCheckMessage) => Promise<void>) => before.push(hook) };
  }

  const MIN = 60_000;

  it('resumes a send paused for the SES daily quota by itself once GetAccount shows room, checking again every 15 min while it is used up; everyone gets it once', async () => {
    const campaign = 'test#quota-auto';
    const { clock, quota, t } = quotaWorld(60, 'quota-auto.example', 50 * MIN);
    const { checks } = noteChecks(t, clock);
    await t.sending.startSend(campaign, 'cli:alice');
    await t.idle();

    const usedUpAt = quota.state.usedUpAt!;
    expect(usedUpAt).toBeDefined();
    // Used up at the first three looks (15, 30, 45 min after the pause), room at the fourth (60 min).
    expect(checks.map((c) => c.outcome)).toEqual(['waiting', 'waiting', 'waiting', 'resumed']);
    expect(checks.map((c) => c.checks)).toEqual([0, 1, 2, 3]);
    for (const [i, c] of checks.entries()) expect(c.at - usedUpAt).toBeGreaterThanOrEqual((i + 1) * 15 * MIN);
    expect(checks[3]!.at - usedUpAt).toBeLessThan(61 * MIN);

    const counts = countByRecipient(await mailsFor(campaign));
    expect(counts.size).toBe(60);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const done = await t.sending.status(campaign, { exact: true });
    expect(done).toMatchObject({ status: 'finished', sent: 60, failed: 0, uncertain: 0, pending: 0 });
    expect(done.job).toMatchObject({ pausedBy: 'ses:daily-quota', resumedBy: 'ses:daily-quota', runs: 2 });
    const warnings = done.job.warnings.join('\n');
    expect(warnings).toMatch(
      /daily sending quota is used up .*it resumes by itself once the 24-hour window has room/,
    );
    expect(warnings).toMatch(/resumed by itself: the SES daily quota has room again \(500 of 1000 sent/);
    expect(t.queue.deadLetters).toEqual([]);
  });

  it.each([
    ['pauses it (sends pause) before the check comes', 'pause', 'before'],
    ['cancels it before the check comes', 'cancel', 'before'],
    ['pauses it while the check is reading GetAccount', 'pause', 'during'],
  ] as const)(
    'never resumes by itself a send held for the daily quota when a human %s',
    async (_how, action, when) => {
      const campaign = `test#quota-human-${action}-${when}`;
      // Room again well before the first check: only the human stands in the way.
      const { clock, quota, t } = quotaWorld(40, `quota-human-${action}-${when}.example`, 5 * MIN);
      const { checks, beforeNextCheck } = noteChecks(t, clock);
      const human = () => t.sending[action](campaign, 'cli:bob');
      beforeNextCheck(async () => {
        if (when === 'before') await human();
        else
          quota.state.onRead = async () => {
            quota.state.onRead = async () => {};
            await human();
          };
      });
      await t.sending.startSend(campaign, 'cli:alice');
      await t.idle();

      expect(checks.map((c) => c.outcome)).toEqual(['ended']);
      expect(countByRecipient(await mailsFor(campaign)).size).toBe(10);
      const held = await t.sending.status(campaign);
      if (action === 'cancel') expect(held.status).toBe('cancelled');
      else {
        expect(held).toMatchObject({ status: 'paused', job: { pausedBy: 'cli:bob', runs: 1 } });
        expect(held.job.resumedBy).toBeUndefined();
        // Theirs to resume: the rest, once.
        await t.sending.resume(campaign, 'cli:bob');
        await t.idle();
        const counts = countByRecipient(await mailsFor(campaign));
        expect(counts.size).toBe(40);
        expect([...counts.values()].every((n) => n === 1)).toBe(true);
      }
    },
  );

  it('resumes once when the same quota check is delivered twice at once (SQS at-least-once)', async () => {
    const campaign = 'test#quota-dup';
    const { t } = quotaWorld(40, 'quota-dup.example', 5 * MIN);
    const outcomes: unknown[] = [];
    t.queue.setConsumer(async (m: SendQueueMessage) => {
      if (!isQuotaCheck(m)) return void (await t.sending.processBatch(m));
      outcomes.push(...(await Promise.all([t.sending.engine.consume(m), t.sending.engine.consume(m)])));
      // …and once more after both.
      outcomes.push(await t.sending.engine.consume(m));
    });
    await t.sending.startSend(campaign, 'cli:alice');
    await t.idle();

    expect(outcomes.filter((o) => o === 'resumed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'ended')).toHaveLength(2);
    const counts = countByRecipient(await mailsFor(campaign));
    expect(counts.size).toBe(40);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const done = await t.sending.status(campaign, { exact: true });
    expect(done).toMatchObject({ status: 'finished', sent: 40, job: { runs: 2 } });
    expect(done.job.warnings.filter((w) => /resumed by itself/.test(w))).toHaveLength(1);
  });

  it('says so in the pause warning when the quota check cannot be queued: the send waits for a human', async () => {
    const campaign = 'test#quota-noqueue';
    const { t } = quotaWorld(30, 'quota-noqueue.example', 5 * MIN);
    // e.g. the worker's role may not send to the queue (AccessDenied).
    const sendBatch = t.queue.sendBatch.bind(t.queue);
    t.queue.sendBatch = async (messages, opts) => {
      if (messages.some((m: SendQueueMessage) => isQuotaCheck(m)))
        throw new Error('AccessDenied: sqs:SendMessage');
      return sendBatch(messages, opts);
    };
    await t.sending.startSend(campaign, 'cli:alice');
    await t.idle();
    const held = await t.sending.status(campaign);
    expect(held).toMatchObject({ status: 'paused', sent: 10, job: { pausedBy: 'ses:daily-quota' } });
    expect(held.job.warnings.at(-1)).toMatch(
      /daily sending quota is used up .*the automatic resume could not be scheduled \(AccessDenied: sqs:SendMessage\): resume it once the 24-hour window frees/,
    );
  });

  it('stops checking the daily quota after 48 h and says so; the send waits for a human', async () => {
    const campaign = 'test#quota-bound';
    const { clock, t } = quotaWorld(30, 'quota-bound.example', 72 * 60 * MIN);
    const { checks } = noteChecks(t, clock);
    await t.sending.startSend(campaign, 'cli:alice');
    await t.idle();

    expect(checks).toHaveLength(48 * 4);
    expect(checks.at(-1)).toMatchObject({ outcome: 'gave-up', checks: 48 * 4 - 1 });
    expect(checks.slice(0, -1).every((c) => c.outcome === 'waiting')).toBe(true);
    const held = await t.sending.status(campaign);
    expect(held).toMatchObject({ status: 'paused', sent: 10, job: { pausedBy: 'ses:daily-quota' } });
    expect(held.job.warnings.at(-1)).toMatch(
      /stopped waiting for the SES daily quota 48 h after the pause of .* \(1000 of 1000 sent in the last 24 h\): resume it by hand/,
    );
    expect(countByRecipient(await mailsFor(campaign)).size).toBe(10);
  }, 60_000);

  it('refuses a campaign its source says is not ready, with the reason', async () => {
    const t = composeTestSending(stack.infra, {
      sources: [testSource([], { ready: () => 'edition 9 is not approved' })],
      subscribers: memoryDirectory([]),
      suppressions: memorySuppressions(),
    });
    await expect(t.sending.startSend('test#notready', 'cli:alice')).rejects.toThrow(
      'edition 9 is not approved',
    );
  });

  it('serves start, pause, status and deliveries on the admin routes with 4xx for bad input', async () => {
    const subs = makeSubscribers(5, { domain: 'e.example' });
    const t = composeTestSending(stack.infra, {
      sources: [testSource(subs)],
      subscribers: memoryDirectory(subs),
      suppressions: memorySuppressions(),
    });
    const handle = makeRouter(t.sending.routes, silentLogger);
    const call = (method: string, path: string, query: Record<string, string> = {}) =>
      handle({
        method,
        path,
        params: {},
        query,
        headers: {},
        body: Buffer.alloc(0),
        sourceIp: '::1',
        actor: 'cli:alice',
      });
    const body = (r: { body?: string | Buffer }) => JSON.parse(String(r.body));

    const started = await call('POST', '/admin/sends/test%23http/start');
    expect(started.status).toBe(202);
    expect(body(started).send).toMatchObject({
      campaign: 'test#http',
      status: 'running',
      startedBy: 'cli:alice',
    });
    await t.idle();
    const status = await call('GET', '/admin/sends/test%23http', { exact: '1' });
    expect(body(status)).toMatchObject({ status: 'finished', sent: 5, pending: 0, source: 'exact' });
    const dels = await call('GET', '/admin/sends/test%23http/deliveries', { status: 'sent' });
    expect(body(dels).deliveries).toHaveLength(5);
    expect((await call('POST', '/admin/sends/test%23http/pause')).status).toBe(409);
    expect((await call('GET', '/admin/sends/nonsense')).status).toBe(400);
    expect((await call('GET', '/admin/sends/test%23missing')).status).toBe(404);
    const unauth = await handle({
      method: 'GET',
      path: '/admin/sends',
      params: {},
      query: {},
      headers: {},
      body: Buffer.alloc(0),
      sourceIp: '::1',
    });
    expect(unauth.status).toBe(401);
  });
});
