/**
 * Background jobs started by a request or a schedule but too long for it (async invoke:
 * `{ gazetteJob: BackgroundJob }`): planning a send's fan-out, reminder jobs. Lambda retries a failed
 * invocation twice, then its on-failure destination (the jobs DLQ, alarmed) keeps it. Every job is
 * idempotent: a re-planned send queues only recipients without a delivery record.
 */
import * as z from 'zod';
import { composeDigest, composeNoticeRetries } from '../src/app/notices.ts';
import { buildOutbound } from '../src/app/outbound.ts';
import { onFirstUse } from '../src/runtimes/lambda/first-use.ts';
import { lambdaInfra } from '../src/runtimes/lambda/infra.ts';

// The outbound half only: jobs never need the inbound MIME parser. Composed by the first job.
const outbound = onFirstUse(() => buildOutbound(lambdaInfra()));

export const DispatchEvent = z.object({
  gazetteJob: z.discriminatedUnion('type', [
    z.object({ type: z.literal('plan-send'), campaign: z.string().min(1), requestedBy: z.string().min(1) }),
    z.object({
      type: z.literal('reminder'),
      deadlineId: z.string().min(1),
      offset: z.string().min(1),
      version: z.number().int().nonnegative(),
    }),
    // The daily digest's EventBridge schedule (infra/stateless-stack.ts), when GAZETTE_DIGEST_EMAIL is set.
    z.object({ type: z.literal('inbound-digest') }),
    // Failed member notices, every 15 minutes (infra/stateless-stack.ts).
    z.object({ type: z.literal('notice-retries') }),
  ]),
});

export const handler = async (event: unknown) => {
  const { gazetteJob } = DispatchEvent.parse(event);
  const app = outbound();
  app.infra.logger.info('background job', { job: gazetteJob });
  if (gazetteJob.type === 'inbound-digest') {
    const digest = await composeDigest(app.infra)();
    return { ok: true, type: gazetteJob.type, sent: digest.sent };
  }
  if (gazetteJob.type === 'notice-retries') {
    const r = await composeNoticeRetries(app.infra)();
    if (r.due) app.infra.logger.info('member notice retries', { ...r });
    return { ok: true, type: gazetteJob.type, ...r };
  }
  await app.runJob(gazetteJob);
  return { ok: true, type: gazetteJob.type };
};
