/**
 * Compile an edition. Invoked by the quarterly EventBridge Scheduler schedule
 * ({ gazetteScheduled: { type: 'compile-edition' } }) and asynchronously by the admin API
 * ({ gazetteJob: { type: 'compile-edition', … } }). The only function that bundles mjml; the templates/
 * folder ships next to the bundle (or GAZETTE_TEMPLATES_DIR points at it).
 */
import * as z from 'zod';
import { createMjmlRenderer } from '../src/adapters/mjml/mjml-renderer.ts';
import { composeEditions } from '../src/app/editions.ts';
import { isDomainError } from '../src/domain/errors.ts';
import { lambdaInfra } from '../src/runtimes/lambda/infra.ts';

const infra = lambdaInfra(process.env, {
  renderer: () => createMjmlRenderer({ templatesDir: process.env.GAZETTE_TEMPLATES_DIR }),
});
const editions = composeEditions(infra);

export const CompileEvent = z.union([
  z.object({ gazetteScheduled: z.object({ type: z.literal('compile-edition') }) }),
  z.object({
    gazetteJob: z.object({
      type: z.literal('compile-edition'),
      windowStart: z.iso.datetime({ offset: true }).optional(),
      windowEnd: z.iso.datetime({ offset: true }).optional(),
      requestedBy: z.string().min(1),
    }),
  }),
]);

export const handler = async (event: unknown) => {
  const e = CompileEvent.parse(event);
  const job =
    'gazetteJob' in e ? e.gazetteJob : { type: 'compile-edition' as const, requestedBy: 'system:scheduler' };
  try {
    const edition = await editions.compile({
      windowStart: 'windowStart' in job && job.windowStart ? new Date(job.windowStart) : undefined,
      windowEnd: 'windowEnd' in job && job.windowEnd ? new Date(job.windowEnd) : undefined,
      requestedBy: job.requestedBy,
    });
    return { ok: true, number: edition.number, items: edition.items.length };
  } catch (err) {
    // A template or state error fails the same way on every retry: it is recorded (lastCompile) and
    // logged; only infrastructure errors are rethrown for Lambda's retries and the on-failure queue.
    if (isDomainError(err)) return { ok: false, error: err.message };
    throw err;
  }
};
