import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

/**
 * The SES client's retry policy. SES has no idempotency key, so a request that may have reached it (a
 * timeout, a reset connection, a 5xx) must never be replayed blindly: the SDK's default strategy would,
 * and a recipient could get the newsletter twice. Only throttling answers ("slow down": SES did not take
 * the message) are retried here, with jittered exponential back-off; everything else goes straight to the
 * send engine, which knows whether a claim is involved and reports the recipient as uncertain.
 */
export function throttlingOnlyRetries(
  maxAttempts = 4,
  baseDelayMs = 100,
  maxDelayMs = 5_000,
): RetryStrategyV2 {
  const token = (count: number, delay: number): RetryToken => ({
    getRetryCount: () => count,
    getRetryDelay: () => delay,
  });
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous: RetryToken, info: RetryErrorInfo) => {
      const attempt = previous.getRetryCount() + 1;
      if (info.errorType !== 'THROTTLING' || attempt >= maxAttempts) {
        throw info.error ?? new Error('SES request failed');
      }
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
      const hint = info.retryAfterHint ? info.retryAfterHint.getTime() - Date.now() : 0;
      return token(attempt, Math.max(hint, backoff / 2 + Math.random() * (backoff / 2)));
    },
    recordSuccess: () => {},
  };
}
