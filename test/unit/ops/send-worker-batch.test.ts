/**
 * The send worker's SQS partial batch responses (Powertools' Batch Processing utility since issue 17): the
 * same answers as the hand-written loop it replaced, record by record.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const h = vi.hoisted(() => ({ order: [] as string[], logged: [] as string[] }));

const quiet = {
  debug() {},
  info() {},
  warn() {},
  error: (msg: string) => h.logged.push(msg),
  child: () => quiet,
};
vi.mock('../../../src/runtimes/lambda/infra.ts', () => ({
  lambdaInfra: () => ({ logger: quiet }),
  lambdaMetrics: () => ({ count() {} }),
}));
vi.mock('../../../src/app/outbound.ts', () => ({
  buildOutbound: () => ({
    sending: {
      engine: {
        async processBatch(msg: { campaign: string; subscriberIds: string[] }) {
          h.order.push(`start ${msg.campaign}`);
          await new Promise((r) => setTimeout(r, 5));
          h.order.push(`end ${msg.campaign}`);
          if (msg.campaign === 'edition#3') throw new Error('DynamoDB is having a moment');
          const deferred = msg.campaign === 'edition#2' ? msg.subscriberIds : [];
          return {
            campaign: msg.campaign,
            sent: 1,
            failed: 0,
            uncertain: 0,
            throttled: 0,
            left: [],
            deferred,
          };
        },
        checkQuota: async () => 'waiting',
      },
    },
  }),
}));

const record = (id: string, body: unknown) => ({
  messageId: id,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attributes: { ApproximateReceiveCount: '1' },
});
const context = { getRemainingTimeInMillis: () => 60_000 } as never;

afterEach(() => {
  h.order.length = 0;
  h.logged.length = 0;
});

describe('send worker: SQS partial batch failures', () => {
  it('reports exactly the malformed, crashed and deferred messages, handling records one after another', async () => {
    const { handler } = await import('../../../functions/send-worker.ts');
    const res = await handler(
      {
        Records: [
          record('ok', { campaign: 'edition#1', subscriberIds: ['s1'] }),
          record('deferred', { campaign: 'edition#2', subscriberIds: ['s2'] }),
          record('crashed', { campaign: 'edition#3', subscriberIds: ['s3'] }),
          record('malformed', '{"campaign":"edition#4"'),
          record('check', {
            kind: 'quota-check',
            campaign: 'edition#1',
            pausedAt: '2026-04-01T01:00:00.000Z',
            checks: 0,
          }),
        ],
      } as never,
      context,
    );
    expect(res.batchItemFailures).toEqual([
      { itemIdentifier: 'deferred' },
      { itemIdentifier: 'crashed' },
      { itemIdentifier: 'malformed' },
    ]);
    expect(h.order).toEqual([
      'start edition#1',
      'end edition#1',
      'start edition#2',
      'end edition#2',
      'start edition#3',
      'end edition#3',
    ]);
    // A deferral is no error; a crash and a poison message are logged as errors (the logged-errors alarm).
    expect(h.logged).toEqual(['send batch failed', 'malformed send batch']);
  });

  it('answers (does not throw) when every message of the batch failed, so SQS redelivers just those', async () => {
    const { handler } = await import('../../../functions/send-worker.ts');
    const res = await handler({ Records: [record('bad', 'not json')] } as never, context);
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
  });
});
