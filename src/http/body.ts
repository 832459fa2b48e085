import type * as z from 'zod';
import { ValidationError } from '../domain/errors.ts';
import { parseInput } from '../domain/validate.ts';
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

/** Transport-side name for the shared validator (query strings, path parameters). */
export const parseWith = parseInput;
