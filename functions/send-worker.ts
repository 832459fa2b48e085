/**
 * Send queue consumer (SQS event source, batch size 1, maximum concurrency = GAZETTE_SEND_WORKER_CONCURRENCY).
 * Each message is a slice of one campaign's recipients; the engine claims, sends and records each one.
 * Partial batch responses: a message is reported failed (and redelivered after the visibility timeout, then
 * dead-lettered) when it was malformed, crashed, or left recipients to retry (a live claim elsewhere, or
 * this invocation running out of time). The rate gate lives for the container's lifetime.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { buildOutbound } from '../src/app/outbound.ts';
import { CampaignKey } from '../src/domain/index.ts';
import { lambdaInfra } from '../src/runtimes/lambda/infra.ts';

const infra = lambdaInfra();
// The same wiring as everywhere: a finished edition send publishes its archive, the edition mirrors the state.
const { sending } = buildOutbound(infra);

export const SendBatchBody = z.object({
  campaign: CampaignKey,
  subscriberIds: z.array(z.string().min(1).max(200)).min(1).max(500),
});

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const deadline = Date.now() + context.getRemainingTimeInMillis();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
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
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      const out = await sending.engine.processBatch(body, { deadline });
      if (out.deferred.length) batchItemFailures.push({ itemIdentifier: record.messageId });
    } catch (e) {
      log.error('send batch failed', { campaign: body.campaign, error: String((e as Error)?.stack ?? e) });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
