/**
 * Per-client token bucket, in memory. The embedded runtime's bot brake for public routes; on AWS the HTTP API
 * stage throttling does the heavy lifting and this only adds a per-container, per-IP limit.
 */
export interface RateLimiter {
  /** Takes a token; returns 0 when allowed, else the seconds to wait before retrying. */
  take(key: string): number;
}

export function makeTokenBucket(opts: {
  perMinute: number;
  burst?: number;
  now: () => number;
  /** Bound on tracked clients: the stalest entries go first (memory stays flat under a spray of IPs). */
  maxKeys?: number;
}): RateLimiter {
  const capacity = opts.burst ?? opts.perMinute;
  const perMs = opts.perMinute / 60_000;
  const maxKeys = opts.maxKeys ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const now = opts.now();
      const b = buckets.get(key) ?? { tokens: capacity, at: now };
      b.tokens = Math.min(capacity, b.tokens + Math.max(0, now - b.at) * perMs);
      b.at = now;
      // Re-insert so Map order is least-recently-seen first.
      buckets.delete(key);
      buckets.set(key, b);
      if (buckets.size > maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
    },
  };
}
