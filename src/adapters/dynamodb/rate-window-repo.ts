import type { RateWindows } from '../../ports/rate-windows.ts';
import { keys } from './keys.ts';
import { ConditionFailed, type Table } from './table.ts';

/** One item per bucket and window: an atomic, conditional ADD, so concurrent takes never exceed the limit. */
export class DynamoRateWindows implements RateWindows {
  constructor(
    private readonly table: Table,
    private readonly now: () => Date,
  ) {}

  async take(bucket: string, window: string, limit: number, ttlSeconds: number): Promise<boolean> {
    try {
      await this.table.update(keys.rateWindow(bucket, window), {
        UpdateExpression: 'SET #type = :type, #ttl = if_not_exists(#ttl, :ttl) ADD #n :one',
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
        ExpressionAttributeNames: { '#type': 'type', '#ttl': 'ttl', '#n': 'n' },
        ExpressionAttributeValues: {
          ':type': 'rate-window',
          ':ttl': Math.floor(this.now().getTime() / 1000) + ttlSeconds,
          ':one': 1,
          ':limit': limit,
        },
        ReturnValues: 'NONE',
      });
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed) return false;
      throw e;
    }
  }
}
