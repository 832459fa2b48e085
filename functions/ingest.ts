/**
 * SES receipt rule, Lambda action (runs after the S3 action stored the raw MIME under inbound/<messageId>).
 * Thin: zod-parse the event → ingest (reads the raw message from S3) → map the result.
 * Errors are mapped here, in one place:
 *   - a malformed event can never succeed: logged, not retried;
 *   - anything else (S3 or DynamoDB unavailable, the raw object not there yet) is thrown, so Lambda's
 *     asynchronous retries (then the on-failure destination) take over; ingest is idempotent per messageId.
 */
import { composeInbound } from '../src/app/inbound.ts';
import { composeSubscribers } from '../src/app/subscribers.ts';
import { isDomainError } from '../src/domain/errors.ts';
import { lambdaInfra } from '../src/runtimes/lambda/infra.ts';

const infra = lambdaInfra();
// Mail to the List-Unsubscribe mailto address arrives here too; the subscribers area acts on it.
const subscribers = composeSubscribers(infra);
const inbound = composeInbound(infra, { unsubscribeByEmail: subscribers.unsubscribeByEmail });

export const handler = async (event: unknown): Promise<{ disposition: 'CONTINUE' }> => {
  try {
    const results = await inbound.handleSesEvent(event);
    for (const r of results) infra.logger.info('ingested', { ...r });
  } catch (e) {
    if (isDomainError(e) && e.code === 'validation') {
      infra.logger.error('SES event rejected', { error: e.message });
      return { disposition: 'CONTINUE' };
    }
    throw e;
  }
  return { disposition: 'CONTINUE' };
};
