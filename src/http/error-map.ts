import { type ErrorCode, isDomainError } from '../domain/errors.ts';
import { type HttpResponse, json } from './types.ts';

/** The one place domain errors become HTTP statuses. */
const STATUS: Record<ErrorCode, number> = {
  validation: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unauthorized: 401,
  sender_not_allowed: 403,
  message_too_large: 413,
  invalid_token: 400,
  expired_token: 410,
  rate_limited: 429,
  invalid_state: 409,
  suppressed: 409,
  template: 422,
  config: 500,
};

export function errorResponse(e: unknown): HttpResponse {
  if (isDomainError(e)) {
    return json(STATUS[e.code], {
      error: e.code,
      message: e.message,
      ...(e.details ? { details: e.details } : {}),
    });
  }
  return json(500, { error: 'internal', message: 'internal error' });
}
