/**
 * Send queue consumer (SQS event source, batch size 1, maximum concurrency = GAZETTE_SEND_WORKER_CONCURRENCY).
 * Each message is a slice of one campaign's recipients; the engine claims, sends and records each one. A
 * message of kind 'quota-check' (queued with a delay when the SES daily quota paused a send) resumes the
 * send once GetAccount shows room, or queues the next check.
 * Partial batch responses (Powertools' Batch Processing utility, src/adapters/powertools/sqs-batch.ts): a
 * message is reported failed (and redelivered after the visibility timeout, then dead-lettered) when it was
 * malformed, crashed, or left recipients to retry (a live claim elsewhere, or this invocation running out of
 * time). The rate gate lives for the container's lifetime.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { processSqsBatch } from '../src/adapters/powertools/sqs-batch.ts';
import { buildOutbound } from '../src/app/outbound.ts';
import { CampaignKey, Instant } from '../src/domain/index.ts';
import { recordSendBatch, recordSesQuota } from '../src/ports/metrics.ts';
import { onFirstUse } from '../src/runtimes/lambda/first-use.ts';
import { lambdaInfra, lambdaMetrics } from '../src/runtimes/lambda/infra.ts';

// The same wiring as everywhere: a finished edition send publishes its archive, the edition mirrors the state.
// Composed by the first batch, not at load.
const app = onFirstUse(() => {
  const infra = lambdaInfra();
  return { infra, sending: buildOutbound(infra).sending, metrics: lambdaMetrics() };
});

/** A slice of recipients; messages queued before quota checks existed have no `kind`. */
const RecipientsBody = z.object({
  kind: z.literal('recipients').optional(),
  campaign: CampaignKey,
  subscriberIds: z.array(z.string().min(1).max(200)).min(1).max(500),
});
/** A send paused for the SES daily quota: resume it once GetAccount shows room, or check again later. */
const QuotaCheckBody = z.object({
  kind: z.literal('quota-check'),
  campaign: CampaignKey,
  pausedAt: Instant,
  checks: z.number().int().nonnegative().max(100_000),
});
export const SendBatchBody = z.discriminatedUnion('kind', [RecipientsBody, QuotaCheckBody]);

/** The dashboard's SES quota widget: GetAccount, read and recorded at most every 5 minutes per container. */
const QUOTA_METRIC_MS = 5 * 60_000;
let quotaRecordedAt = Number.NEGATIVE_INFINITY;
async function recordQuota() {
  const { infra, metrics } = app();
  if (Date.now() - quotaRecordedAt < QUOTA_METRIC_MS) return;
  quotaRecordedAt = Date.now();
  try {
    recordSesQuota(metrics, await infra.mailer.getSendQuota());
  } catch (e) {
    infra.logger.warn('could not read the SES quota for the dashboard', { error: String(e) });
  }
}

/** A record to hand back to SQS (it stays on the queue: redelivered, and after 5 receives dead-lettered). */
class Redeliver extends Error {
  override name = 'Redeliver';
}

async function handleRecord(record: SQSRecord, deadline: number): Promise<void> {
  const { infra, sending, metrics } = app();
  const log = infra.logger.child({
    sqsMessageId: record.messageId,
    receives: record.attributes.ApproximateReceiveCount,
  });
  let body: z.infer<typeof SendBatchBody>;
  try {
    body = SendBatchBody.parse(JSON.parse(record.body));
  } catch (e) {
    // Poison message: redelivered until the DLQ (and its alarm) holds it for a human.
    log.error('malformed send batch', { error: String(e) });
    throw new Redeliver('malformed send batch');
  }
  let out: Awaited<ReturnType<typeof sending.engine.processBatch>>;
  try {
    if (body.kind === 'quota-check') {
      // Idempotent: a redelivery (or a duplicate) resumes nothing twice.
      const outcome = await sending.engine.checkQuota(body);
      log.info('daily-quota check', { campaign: body.campaign, outcome });
      return;
    }
    out = await sending.engine.processBatch(body, { deadline });
  } catch (e) {
    log.error('send batch failed', { campaign: body.campaign, error: String((e as Error)?.stack ?? e) });
    throw e;
  }
  recordSendBatch(metrics, out);
  // Recipients left to retry (a live claim elsewhere, or out of time): the redelivery finds the rest resolved.
  if (out.deferred.length) throw new Redeliver(`${out.deferred.length} recipient(s) deferred`);
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  // A composition error (missing configuration) fails the invocation, not each record one by one.
  app();
  const deadline = Date.now() + context.getRemainingTimeInMillis();
  const response = await processSqsBatch(event, context, (record) => handleRecord(record, deadline));
  await recordQuota();
  return response;
};
