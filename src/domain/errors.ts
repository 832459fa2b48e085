/**
 * Typed domain errors. Each trigger (HTTP, SES receipt, SQS, CLI) maps them to its own
 * response in exactly one place (see src/http/error-map.ts and the handlers).
 */
export type ErrorCode =
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'unauthorized'
  | 'sender_not_allowed'
  | 'message_too_large'
  | 'invalid_token'
  | 'expired_token'
  | 'rate_limited'
  | 'invalid_state'
  | 'suppressed'
  | 'template'
  | 'config';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'validation' as const;
}
export class NotFoundError extends DomainError {
  readonly code = 'not_found' as const;
}
export class ConflictError extends DomainError {
  readonly code = 'conflict' as const;
}
export class ForbiddenError extends DomainError {
  readonly code = 'forbidden' as const;
}
export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized' as const;
}
export class SenderNotAllowedError extends DomainError {
  readonly code = 'sender_not_allowed' as const;
}
export class MessageTooLargeError extends DomainError {
  readonly code = 'message_too_large' as const;
}
export class InvalidTokenError extends DomainError {
  readonly code = 'invalid_token' as const;
}
export class ExpiredTokenError extends DomainError {
  readonly code = 'expired_token' as const;
}
export class RateLimitedError extends DomainError {
  readonly code = 'rate_limited' as const;
}
/** An operation not allowed in the entity's current status (e.g. sending an unapproved edition). */
export class InvalidStateError extends DomainError {
  readonly code = 'invalid_state' as const;
}
export class SuppressedError extends DomainError {
  readonly code = 'suppressed' as const;
}
export class TemplateError extends DomainError {
  readonly code = 'template' as const;
}
export class ConfigError extends DomainError {
  readonly code = 'config' as const;
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

const BY_CODE: Record<ErrorCode, new (message: string) => DomainError> = {
  validation: ValidationError,
  not_found: NotFoundError,
  conflict: ConflictError,
  forbidden: ForbiddenError,
  unauthorized: UnauthorizedError,
  sender_not_allowed: SenderNotAllowedError,
  message_too_large: MessageTooLargeError,
  invalid_token: InvalidTokenError,
  expired_token: ExpiredTokenError,
  rate_limited: RateLimitedError,
  invalid_state: InvalidStateError,
  suppressed: SuppressedError,
  template: TemplateError,
  config: ConfigError,
};

/** Rebuilds a domain error that crossed a process boundary as { code, message } (e.g. a Lambda invoke). */
export function domainErrorFrom(code: string, message: string): DomainError | undefined {
  const E = BY_CODE[code as ErrorCode];
  return E ? new E(message) : undefined;
}
