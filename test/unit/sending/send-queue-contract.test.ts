import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqsQueue } from '../../../src/adapters/sqs/sqs-queue.ts';
import type { SendQueueMessage } from '../../../src/ports/queue.ts';

describe('send queue ⇄ send-worker contract', () => {
  beforeAll(() => {
    // The function builds its composition at import time; give it the settings a deployed function has.
    vi.stubEnv('GAZETTE_TOKEN_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:t');
    vi.stubEnv('GAZETTE_SES_CONFIGURATION_SET', 'gazette');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  const captured = () => {
    const sent: { Entries: { Id: string; MessageBody: string; DelaySeconds?: number }[] }[] = [];
    const client = {
      send: async (cmd: { input: (typeof sent)[number] }) => {
        sent.push(cmd.input);
        return { Failed: [] };
      },
    };
    return { sent, queue: new SqsQueue<SendQueueMessage>(client as unknown as SQSClient, 'https://sqs/q') };
  };

  it('puts a delay on SQS as DelaySeconds (whole seconds, at most 900) and none on ordinary batches', async () => {
    const { sent, queue } = captured();
    const check: SendQueueMessage = {
      kind: 'quota-check',
      campaign: 'edition#8',
      pausedAt: '2026-04-01T01:00:00.000Z',
      checks: 0,
    };
    await queue.sendBatch([check], { delayMs: 15 * 60_000 });
    await queue.sendBatch([check], { delayMs: 2 * 3_600_000 });
    await queue.sendBatch([check], { delayMs: 1_500 });
    await queue.sendBatch([{ campaign: 'edition#8', subscriberIds: ['sub_1'] }]);
    expect(sent.map((s) => s.Entries[0]!.DelaySeconds)).toEqual([900, 900, 2, undefined]);
  });

  it('the worker accepts batches with and without a kind, and quota checks; refuses anything else', async () => {
    const { sent, queue } = captured();
    await queue.sendBatch([
      { campaign: 'edition#8', subscriberIds: ['sub_1', 'sub_2'] },
      { kind: 'recipients', campaign: 'reminder#dl_1#P7D', subscriberIds: ['sub_3'] },
      { kind: 'quota-check', campaign: 'edition#8', pausedAt: '2026-04-01T01:00:00.000Z', checks: 3 },
    ]);
    const { SendBatchBody } = await import('../../../functions/send-worker.ts');
    const bodies = sent[0]!.Entries.map((e) => JSON.parse(e.MessageBody));
    expect(bodies.map((b) => SendBatchBody.parse(b))).toEqual(bodies);
    for (const bad of [
      { kind: 'quota-check', campaign: 'edition#8', subscriberIds: ['sub_1'] },
      { kind: 'quota-check', campaign: 'edition#8', pausedAt: 'yesterday', checks: 0 },
      { kind: 'other', campaign: 'edition#8', subscriberIds: ['sub_1'] },
      { campaign: 'edition#8', subscriberIds: [] },
    ])
      expect(SendBatchBody.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});
