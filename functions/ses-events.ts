/**
 * SES sending events (configuration set → SNS topic → this Lambda): bounces, complaints, deliveries, opens,
 * clicks, rejects… Thin: zod-parse the SNS event → one use case per record → map the outcome.
 */
import type { SNSEvent } from 'aws-lambda';
import { composeSending } from '../src/app/sending.ts';
import { composeSubscribers, type SubscribersApp } from '../src/app/subscribers.ts';
import { isDomainError } from '../src/domain/errors.ts';
import type { Logger } from '../src/ports/logger.ts';
import { type Metrics, noMetrics, recordMailEvent } from '../src/ports/metrics.ts';
import { lambdaInfra, lambdaMetrics } from '../src/runtimes/lambda/infra.ts';
import { fromNotification, SnsLambdaEvent } from '../src/use-cases/subscribers/ses-events.ts';

/**
 * The one place errors become outcomes. A malformed message will never parse however often SNS retries it:
 * log it (with the SNS id, to find it) and drop it. Anything else (DynamoDB throttled, a network blip) is
 * thrown so Lambda's async retries and the on-failure destination keep the event.
 */
export function outcomeFor(e: unknown): 'drop' | 'retry' {
  return isDomainError(e) && e.code === 'validation' ? 'drop' : 'retry';
}

export function makeSesEventsHandler(
  app: Pick<SubscribersApp, 'recordSesEvent'>,
  logger: Logger,
  metrics: Metrics = noMetrics,
) {
  return async (event: unknown): Promise<{ processed: number; dropped: number }> => {
    const parsed = SnsLambdaEvent.safeParse(event);
    if (!parsed.success) {
      logger.error('not an SNS event: dropped', { issues: parsed.error.issues.slice(0, 5) });
      return { processed: 0, dropped: 1 };
    }
    let processed = 0;
    let dropped = 0;
    for (const record of parsed.data.Records) {
      try {
        const result = await app.recordSesEvent(fromNotification(record.Sns));
        // An SNS redelivery is not a second bounce.
        if (!result.duplicate) recordMailEvent(metrics, result);
        processed++;
      } catch (e) {
        if (outcomeFor(e) === 'retry') throw e;
        dropped++;
        logger.error('malformed SES event: dropped', {
          snsMessageId: record.Sns.MessageId,
          error: String(e),
        });
      }
    }
    return { processed, dropped };
  };
}

let handle: ReturnType<typeof makeSesEventsHandler> | undefined;

export const handler = async (event: SNSEvent) => {
  if (!handle) {
    const infra = lambdaInfra();
    // The send engine only to confirm "uncertain" deliveries from Send events: no campaign sources needed.
    const sending = composeSending(infra, { sources: [] });
    handle = makeSesEventsHandler(
      composeSubscribers(infra, { onMailSent: sending.confirmFromEvent }),
      infra.logger,
      lambdaMetrics(),
    );
  }
  return handle(event);
};
