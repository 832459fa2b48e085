/**
 * Counters per key and time window, shared by every process (one table item each), for limits that must hold
 * across Lambda containers: an in-memory limiter is per container, so a flood spread over many of them passes.
 */
export interface RateWindows {
  /**
   * Counts one use of `bucket` in `window` if fewer than `limit` were counted; false once the limit is reached.
   * The window's item expires `ttlSeconds` after it is first written.
   */
  take(bucket: string, window: string, limit: number, ttlSeconds: number): Promise<boolean>;
}
