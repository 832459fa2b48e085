import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../../support/local-stack.ts';
import { makeSubscribers } from '../../support/sending-fixtures.ts';

/**
 * The send path's recipient reads, counted on the production composition (the embedded app is built as
 * the Lambdas are). docs/sending.md prices a send at about one batched read per recipient: a GetItem per
 * recipient would be a cost the bench (which composes the engine on its own) never sees.
 */
describe('recipient reads of a production send', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack({ env: { GAZETTE_SEND_BATCH_SIZE: '25' } });
  });
  afterAll(() => stack?.stop());

  it('checks subscribers and suppressions in batches, never one GetItem per recipient', async () => {
    const subs = makeSubscribers(60, { domain: 'reads.example', audiences: ['reminders'] });
    for (const s of subs) await stack.app.subscribers.subscriberRepo.create(s);
    const emails = subs.map((s) => s.email);
    await stack.app.subscribers.suppressionRepo.suppress(emails[7]!, 'hard-bounce', new Date());
    const created = await stack.admin('/admin/deadlines', {
      method: 'POST',
      body: JSON.stringify({ title: 'Reads survey', due: '2099-03-30 23:59', timeZone: 'Asia/Shanghai' }),
    });
    expect(created.status).toBe(201);
    const { deadline } = (await created.json()) as { deadline: { deadlineId: string } };

    const reads = { get: 0, batchGet: 0 };
    stack.app.infra.table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        // Document-client commands run as the low-level ones (GetItemCommand …), still with plain keys here.
        const input = args.input as { Key?: { pk?: unknown } };
        const pk = String(input.Key?.pk ?? '');
        if (context.commandName === 'GetItemCommand' && /^(SUB|SUPP)#/.test(pk)) reads.get++;
        if (context.commandName === 'BatchGetItemCommand') reads.batchGet++;
        return next(args);
      },
      { step: 'initialize', name: 'countRecipientReads' },
    );
    try {
      const r = await stack.admin(`/admin/deadlines/${deadline.deadlineId}/remind-now`, { method: 'POST' });
      expect(r.status).toBe(202);
      await stack.idle();
    } finally {
      stack.app.infra.table.doc.middlewareStack.remove('countRecipientReads');
    }

    const to = new Set(
      (await stack.sentMail())
        .filter((m) => m.subject.includes('Reads survey'))
        .map((m) => m.destination.to[0]),
    );
    expect(to.size).toBe(59);
    expect(to.has(emails[7])).toBe(false);
    expect(reads.get).toBe(0);
    // Three batches of 25: subscribers and suppressions, one BatchGetItem each (a re-read only if held > 30 s).
    expect(reads.batchGet).toBeGreaterThan(0);
    expect(reads.batchGet).toBeLessThanOrEqual(6);
  });
});
