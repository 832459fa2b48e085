/**
 * Compile an edition. Invoked by the quarterly EventBridge Scheduler schedule
 * ({ gazetteScheduled: { type: 'compile-edition' } }) and asynchronously by the admin API
 * ({ gazetteJob: { type: 'compile-edition', … } }). The only function that bundles mjml; the templates/
 * folder ships next to the bundle (or GAZETTE_TEMPLATES_DIR points at it). The admin API also invokes it
 * synchronously ({ gazetteTemplates: … }) to check and preview edited templates, which needs mjml too.
 */
import * as z from 'zod';
import { createMjmlRenderer } from '../src/adapters/mjml/mjml-renderer.ts';
import { templateToolsFor } from '../src/adapters/mjml/mjml-validator.ts';
import { composeEditions } from '../src/app/editions.ts';
import { isDomainError } from '../src/domain/errors.ts';
import { TemplateWorkRequest } from '../src/domain/template-set.ts';
import { lambdaInfra } from '../src/runtimes/lambda/infra.ts';
import { makeTemplateCheck } from '../src/use-cases/editions/templates.ts';

const infra = lambdaInfra(process.env, {
  renderer: () => createMjmlRenderer({ templatesDir: process.env.GAZETTE_TEMPLATES_DIR }),
});
const editions = composeEditions(infra);
const tools = templateToolsFor(process.env.GAZETTE_TEMPLATES_DIR);
const workbench = makeTemplateCheck({ renderer: infra.renderer, tools });

/** The api's synchronous template requests: the deployed folder, or a check + preview of a proposed set. */
async function templateWork(e: TemplateWorkRequest) {
  const r = e.gazetteTemplates;
  try {
    if (r.op === 'folder') return await workbench.folder();
    const { op: _, ...req } = r;
    return await workbench.check(req);
  } catch (err) {
    if (isDomainError(err)) return { error: { code: err.code, message: err.message } };
    throw err;
  }
}

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

interface CompileAnswer {
  ok: boolean;
  number?: number;
  items?: number;
  error?: string;
}

/** A compile answers CompileAnswer; a template request (synchronous, from the api) its own result. */
export async function handler(event: TemplateWorkRequest): Promise<unknown>;
export async function handler(event: unknown): Promise<CompileAnswer>;
export async function handler(event: unknown): Promise<unknown> {
  const work = TemplateWorkRequest.safeParse(event);
  if (work.success) return templateWork(work.data);
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
}
