import type { z } from 'zod';
import { ValidationError } from '../domain/errors.ts';
import type { HttpRequest } from './types.ts';

export function parseJsonBody<S extends z.ZodType>(req: HttpRequest, schema: S): z.infer<S> {
  let data: unknown;
  const text = req.body.toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) {
    data = Object.fromEntries(new URLSearchParams(text));
  } else {
    try {
      data = text.length ? JSON.parse(text) : {};
    } catch {
      throw new ValidationError('request body is not valid JSON');
    }
  }
  return parseWith(schema, data);
}

export function parseWith<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const r = schema.safeParse(data);
  if (!r.success) {
    const problems = r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    throw new ValidationError(
      `invalid input: ${problems.map((p) => `${p.field || '(body)'}: ${p.message}`).join('; ')}`,
      {
        problems,
      },
    );
  }
  return r.data;
}
