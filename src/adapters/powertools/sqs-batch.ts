/**
 * SQS partial batch responses through Powertools for AWS Lambda's Batch Processing utility: each record is
 * handed to `handle`; one that throws is reported in `batchItemFailures` (SQS redelivers it after the
 * visibility timeout, then dead-letters it), the others are deleted.
 * Records are handled one after another, as before the utility (the send worker's rate gate is per
 * container), and a batch whose every record failed is answered, not thrown: with batch size 1 that is
 * every failure, and a recipient deferred for later is no crash of the function (its Errors alarm counts
 * those).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export function processSqsBatch(
  event: SQSEvent,
  context: Context,
  handle: (record: SQSRecord) => Promise<void>,
): Promise<SQSBatchResponse> {
  return processPartialResponse(event, handle, new BatchProcessor(EventType.SQS), {
    context,
    processInParallel: false,
    throwOnFullBatchFailure: false,
  });
}
