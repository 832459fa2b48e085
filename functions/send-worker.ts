/**
 * Send queue consumer (SQS event source, batch size 1, maximum concurrency = GAZETTE_SEND_WORKER_CONCURRENCY).
 * Each message is a slice of one campaign's recipients; the engine claims, sends and records each one.
 * Partial batch responses: a message is reported failed (and redelivered after the visibility timeout, then
 * dead-lettered) when it was malformed, crashed, or left recipients to retry (a live claim elsewhere, or
 * this invocation running out of time). The rate gate lives for the container's lifetime.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { composeEditions } from '../src/app/editions.ts';
import { composeReminders } from '../src/app/reminders.ts';
import { composeSending } from '../src/app/sending.ts';
import { CampaignKey } from '../src/domain/index.ts';
import type { CampaignSource } from '../src/ports/campaign-source.ts';
import { lambdaInfra } from '../src/runtimes/lambda/infra.ts';

const infra = lambdaInfra();
const editions = composeEditions(infra);
const reminders = composeReminders(infra);
const sending = composeSending(infra, {
  sources: [editions.source, reminders.source].filter((s): s is CampaignSource => s !== undefined),
  // Finishing a send publishes the edition's archive page; the last worker to resolve a recipient does it.
  onFinished: async (campaign) => {
    const m = /^edition#(\d+)$/.exec(campaign);
    if (m) await editions.publishArchive(Number(m[1]));
  },
});

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
