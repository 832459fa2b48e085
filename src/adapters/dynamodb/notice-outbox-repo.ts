import type { NoticeOutbox, PendingNotice } from '../../ports/notices.ts';
import { keys, TABLE_KEYS } from './keys.ts';
import { ConditionFailed, type Table } from './table.ts';

const DAY_S = 24 * 3600;
/** A given-up notice is listed by the next digest; kept a month for questions, then TTL removes it. */
const KEEP_DAYS = 30;

const STRIP = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'type', 'ttl']);
const fromItem = (item: Record<string, unknown>): PendingNotice =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !STRIP.has(k))) as unknown as PendingNotice;

/** Pending notices in GSI1 by next attempt (`NOTICES#pending`), given-up ones by when (`NOTICES#given-up`). */
export class DynamoNoticeOutbox implements NoticeOutbox {
  constructor(private readonly table: Table) {}

  async get(key: string): Promise<PendingNotice | undefined> {
    const item = await this.table.get(keys.notice(key));
    return item ? fromItem(item) : undefined;
  }

  async save(n: PendingNotice, previousAttempts: number): Promise<boolean> {
    const sortAt = n.status === 'pending' ? n.nextAttemptAt : n.updatedAt;
    try {
      await this.table.put(
        {
          ...keys.notice(n.key),
          type: 'notice',
          gsi1pk: `NOTICES#${n.status}`,
          gsi1sk: `${sortAt}#${n.key}`,
          ...n,
          ttl: Math.floor(Date.parse(n.updatedAt) / 1000) + KEEP_DAYS * DAY_S,
        },
        previousAttempts === 0
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: 'attempts = :prev',
              ExpressionAttributeValues: { ':prev': previousAttempts },
            },
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed) return false;
      throw e;
    }
  }

  async due(now: Date, limit: number): Promise<PendingNotice[]> {
    // '#~' sorts after every key at this instant: everything due up to and including now.
    const out: PendingNotice[] = [];
    for await (const page of this.table.queryPages({
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :p AND gsi1sk <= :now',
      ExpressionAttributeValues: { ':p': 'NOTICES#pending', ':now': `${now.toISOString()}#~` },
      Limit: limit,
    })) {
      out.push(...page.map(fromItem));
      if (out.length >= limit) break;
    }
    return out.slice(0, limit);
  }

  async givenUpSince(since: Date): Promise<PendingNotice[]> {
    const items = await this.table.queryAll({
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :p AND gsi1sk >= :since',
      ExpressionAttributeValues: { ':p': 'NOTICES#given-up', ':since': since.toISOString() },
    });
    return items.map(fromItem);
  }

  async remove(key: string): Promise<void> {
    await this.table.delete(keys.notice(key));
  }
}
