import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import { TABLE_KEYS } from '../dynamodb/keys.ts';
import type { Table } from '../dynamodb/table.ts';

/**
 * DynamoDB's TTL for the embedded default. dynalite has no UpdateTimeToLive, so items Gazette writes with a
 * `ttl` (unconfirmed sign-ups, event history, rate windows, ledger entries) would stay for good; on AWS the
 * table's TTL deletes them. This sweeps expired items the same way: late (DynamoDB itself only promises
 * "within days"), never early, and each delete is conditional on the item still being expired, so an item
 * rewritten meanwhile with a later ttl survives.
 */
export class LocalTtlSweeper {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly table: Table,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Deletes every item whose ttl has passed; returns how many. */
  async sweep(): Promise<number> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const names = { '#ttl': TABLE_KEYS.ttlAttribute };
    let deleted = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.table.doc.send(
        new ScanCommand({
          TableName: this.table.name,
          FilterExpression: '#ttl < :now',
          ProjectionExpression: 'pk, sk',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':now': now },
          ExclusiveStartKey: start,
        }),
      );
      for (const key of page.Items ?? []) {
        try {
          await this.table.doc.send(
            new DeleteCommand({
              TableName: this.table.name,
              Key: { pk: key.pk, sk: key.sk },
              ConditionExpression: '#ttl < :now',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ':now': now },
            }),
          );
          deleted++;
        } catch (e) {
          if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
        }
      }
      start = page.LastEvaluatedKey;
    } while (start && !this.stopped);
    return deleted;
  }

  start(intervalMs = 15 * 60_000) {
    this.stopped = false;
    const loop = () => {
      this.sweeping = this.sweep()
        .then((n) => n && this.logger.info('expired items removed (local TTL)', { count: n }))
        .catch((e) => this.logger.warn('local TTL sweep failed', { error: String(e) }))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, intervalMs);
        });
    };
    this.timer = setTimeout(loop, 5_000);
  }

  /** Resolves once a sweep in progress is over (the table must outlive it). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.sweeping;
  }
}
