import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { powertoolsMetrics } from '../../../src/adapters/powertools/metrics.ts';
import { type Metrics, recordIngest, recordSendBatch } from '../../../src/ports/metrics.ts';

const h = vi.hoisted(() => ({
  counts: [] as { counts: Record<string, number>; dims?: Record<string, string> }[],
  batch: { campaign: 'edition#12', sent: 0, skipped: 0, failed: 0, uncertain: 0, throttled: 0 } as Record<
    string,
    unknown
  >,
}));

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
vi.mock('../../../src/runtimes/lambda/infra.ts', () => ({
  lambdaInfra: () => ({ logger: quiet }),
  lambdaMetrics: () => ({
    count: (counts: Record<string, number>, dims?: Record<string, string>) => h.counts.push({ counts, dims }),
  }),
}));
vi.mock('../../../src/app/outbound.ts', () => ({
  buildOutbound: () => ({
    sending: { engine: { processBatch: async () => ({ left: [], deferred: [], already: 0, ...h.batch }) } },
  }),
}));
vi.mock('../../../src/app/subscribers.ts', () => ({ composeSubscribers: () => ({}) }));
vi.mock('../../../src/app/ingest.ts', () => ({
  composeIngest: () => ({
    handleSesEvent: async () => [
      { outcome: 'accepted', updateId: 'u-1' },
      { outcome: 'quarantined', reason: 'attachments withheld for review: a.exe (executable)' },
    ],
    gateway: { ingestStored: async () => ({ outcome: 'rejected', reason: 'unknown sender' }) },
  }),
}));

function captureStdout(): { lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
  h.counts.length = 0;
});

describe('Powertools metrics (the Metrics port as CloudWatch EMF)', () => {
  it('publishes one EMF record per count call: namespace Gazette, Count units, the dimensions and the values', () => {
    const out = captureStdout();
    const m = powertoolsMetrics();
    m.count({ SendsSent: 48, SendsThrottled: 2 }, { campaignKind: 'edition' });
    m.count({ IngestMessages: 1 }, { outcome: 'accepted' });
    const [a, b] = out.lines();
    expect(out.lines()).toHaveLength(2);
    type Emf = { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: unknown[] }[] };
    const meta = (a?._aws as Emf | undefined)?.CloudWatchMetrics[0];
    expect(meta?.Namespace).toBe('Gazette');
    expect(meta?.Dimensions.flat()).toEqual(expect.arrayContaining(['service', 'campaignKind']));
    expect(meta?.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'SendsSent', Unit: 'Count' },
        { Name: 'SendsThrottled', Unit: 'Count' },
      ]),
    );
    expect(a).toMatchObject({
      service: 'gazette',
      campaignKind: 'edition',
      SendsSent: 48,
      SendsThrottled: 2,
    });
    // Dimensions do not leak from one record into the next.
    expect(b).toMatchObject({ outcome: 'accepted', IngestMessages: 1 });
    expect(b).not.toHaveProperty('campaignKind');
    expect(b).not.toHaveProperty('SendsSent');
  });

  it('maps a send batch to sent / failed / uncertain / throttled per campaign kind, and ingest to its outcome', () => {
    const seen: unknown[] = [];
    const fake: Metrics = { count: (counts, dims) => seen.push({ counts, dims }) };
    recordSendBatch(fake, { campaign: 'reminder#d-1#P7D', sent: 10, failed: 1, uncertain: 2, throttled: 3 });
    recordIngest(fake, { outcome: 'quarantined' });
    expect(seen).toEqual([
      {
        counts: { SendsSent: 10, SendsFailed: 1, SendsUncertain: 2, SendsThrottled: 3 },
        dims: { campaignKind: 'reminder' },
      },
      { counts: { IngestMessages: 1 }, dims: { outcome: 'quarantined' } },
    ]);
  });

  it('the send-worker Lambda records each batch it processed', async () => {
    Object.assign(h.batch, { sent: 7, failed: 1, uncertain: 0, throttled: 4 });
    const { handler } = await import('../../../functions/send-worker.ts');
    const record = {
      messageId: 'sqs-1',
      body: JSON.stringify({ campaign: 'edition#12', subscriberIds: ['s1'] }),
      attributes: { ApproximateReceiveCount: '1' },
    };
    const res = await handler(
      { Records: [record] } as never,
      { getRemainingTimeInMillis: () => 60_000 } as never,
    );
    expect(res.batchItemFailures).toEqual([]);
    expect(h.counts).toEqual([
      {
        counts: { SendsSent: 7, SendsFailed: 1, SendsUncertain: 0, SendsThrottled: 4 },
        dims: { campaignKind: 'edition' },
      },
    ]);
  });

  it('the ingest Lambda records each mail by outcome, from SES and from the admin upload', async () => {
    const { handler } = await import('../../../functions/ingest.ts');
    await handler({ Records: [] });
    await handler({ gazetteIngest: { messageId: 'm-1', verdicts: 'pass' } });
    expect(h.counts.map((c) => c.dims?.outcome)).toEqual(['accepted', 'quarantined', 'rejected']);
    expect(h.counts.every((c) => c.counts.IngestMessages === 1)).toBe(true);
  });

  it('the ses-events Lambda records each SES event by type and campaign kind, an SNS redelivery once', async () => {
    const { makeSesEventsHandler } = await import('../../../functions/ses-events.ts');
    const event = JSON.parse(
      readFileSync(new URL('../../fixtures/ses-events/sns-lambda-event.json', import.meta.url), 'utf8'),
    );
    const seen = new Set<string>();
    const app = {
      recordSesEvent: async (input: { key?: string }) => {
        const duplicate = seen.has(String(input.key));
        seen.add(String(input.key));
        return {
          type: 'bounce-hard' as const,
          messageId: 'ses-1',
          campaign: 'edition#12',
          duplicate,
          actions: [],
        };
      },
    };
    const seenCounts: unknown[] = [];
    const handle = makeSesEventsHandler(app, quiet, {
      count: (counts, dims) => seenCounts.push({ counts, dims }),
    });
    await handle(event);
    await handle(event);
    expect(seenCounts).toEqual([
      { counts: { MailEvents: 1 }, dims: { type: 'bounce-hard', campaignKind: 'edition' } },
    ]);
  });
});
