import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

/**
 * The SES client's retry policy. SES has no idempotency key, so a request that may have reached it (a
 * timeout, a 5xx answer) must never be replayed blindly: the SDK's default strategy would, and a recipient
 * could get the newsletter twice. Retried here, with jittered exponential back-off:
 *  - throttling answers ("slow down": SES did not take the message);
 *  - a connection refused, or reset / broken before any answer: in practice a pooled keep-alive connection
 *    the server had already closed, so the request never arrived whole.
 * Everything else (timeouts, 5xx) goes straight to the send engine, which reports the recipient uncertain.
 */
export function sesRetries(maxAttempts = 4, baseDelayMs = 100, maxDelayMs = 5_000): RetryStrategyV2 {
  const token = (count: number, delay: number): RetryToken => ({
    getRetryCount: () => count,
    getRetryDelay: () => delay,
  });
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous: RetryToken, info: RetryErrorInfo) => {
      const attempt = previous.getRetryCount() + 1;
      if (!retryable(info) || attempt >= maxAttempts) {
        throw info.error ?? new Error('SES request failed');
      }
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
      const hint = info.retryAfterHint ? info.retryAfterHint.getTime() - Date.now() : 0;
      return token(attempt, Math.max(hint, backoff / 2 + Math.random() * (backoff / 2)));
    },
    recordSuccess: () => {},
  };
}

const UNDELIVERED = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);
function retryable(info: RetryErrorInfo): boolean {
  if (info.errorType === 'THROTTLING') return true;
  const e = info.error as { code?: string; $response?: unknown } | undefined;
  return info.errorType === 'TRANSIENT' && !e?.$response && UNDELIVERED.has(e?.code ?? '');
}
