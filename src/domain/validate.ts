import type * as z from 'zod';
import { ValidationError } from './errors.ts';

/**
 * Parse with a zod schema; every problem becomes one ValidationError listing each field (→ 400 over HTTP,
 * a readable message in the CLI). The one way inputs are validated, in use cases and transports alike.
 */
export function parseInput<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
  throw new ValidationError(
    `invalid input: ${problems.map((p) => `${p.field || '(body)'}: ${p.message}`).join('; ')}`,
    { problems },
  );
}
