/**
 * SES receipt rule, Lambda action (runs after the S3 action stored the raw MIME under inbound/<messageId>),
 * and the API function's synchronous StoredIngestRequest (POST /admin/inbound on AWS).
 * Thin: zod-parse the event → ingest (reads the raw message from S3) → map the result.
 * Errors are mapped here, in one place:
 *   - a malformed event can never succeed: logged, not retried;
 *   - for the API's request, a domain error is answered as { error: { code, message } } for the API to map;
 *   - anything else (S3 or DynamoDB unavailable, the raw object not there yet) is thrown, so Lambda's
 *     asynchronous retries (then the on-failure destination) take over; ingest is idempotent per messageId.
 */
import { composeIngest } from '../src/app/ingest.ts';
import { composeUnsubscribeByMail } from '../src/app/unsubscribe-mail.ts';
import { isDomainError } from '../src/domain/errors.ts';
import { StoredIngestRequest } from '../src/domain/update.ts';
import { recordIngest } from '../src/ports/metrics.ts';
import { onFirstUse } from '../src/runtimes/lambda/first-use.ts';
import { lambdaInfra, lambdaMetrics } from '../src/runtimes/lambda/infra.ts';

// Composed by the first message, not at load.
const area = onFirstUse(() => {
  const infra = lambdaInfra();
  // Mail to the List-Unsubscribe mailto address arrives here too: only that subscriber use case is
  // composed, not the whole subscribers area (its routes, pages and import/export stay out of the bundle).
  const ingest = composeIngest(infra, { unsubscribeByEmail: composeUnsubscribeByMail(infra) });
  return { infra, ingest, metrics: lambdaMetrics() };
});

export const handler = async (event: unknown) => {
  const { infra, ingest, metrics } = area();
  const stored = StoredIngestRequest.safeParse(event);
  try {
    if (stored.success) {
      const { messageId, verdicts } = stored.data.gazetteIngest;
      const result = await ingest.gateway.ingestStored(messageId, verdicts);
      infra.logger.info('ingested', { ...result, messageId, via: 'admin' });
      recordIngest(metrics, result);
      return result;
    }
    const results = await ingest.handleSesEvent(event);
    for (const r of results) {
      infra.logger.info('ingested', { ...r });
      recordIngest(metrics, r);
    }
    return { disposition: 'CONTINUE' as const };
  } catch (e) {
    if (stored.success && isDomainError(e)) return { error: { code: e.code, message: e.message } };
    if (isDomainError(e) && e.code === 'validation') {
      infra.logger.error('SES event rejected', { error: e.message });
      return { disposition: 'CONTINUE' as const };
    }
    throw e;
  }
};
