import { randomBytes } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  ConflictError,
  Subscriber,
  SubscriberEvent,
  type SubscriptionStatus,
  ValidationError,
} from '../../domain/index.ts';
import type { EventLedger, SubscriberPage, SubscriberRepo } from '../../ports/subscribers.ts';
import { keys, TABLE_KEYS } from './keys.ts';
import { ConditionFailed, type Item, type Table } from './table.ts';

const DAY = 86_400;
/** Unconfirmed sign-ups nobody confirmed are personal data without a purpose: DynamoDB TTL removes them. */
export const UNCONFIRMED_TTL_DAYS = 30;
/** Per-subscriber history is kept about 13 months (enough to explain any deliverability decision). */
const EVENT_TTL_DAYS = 400;
const PAGE = 100;

// Orders events written in the same millisecond by this process (random suffix: no clash across processes).
let seq = 0;
const nextSeq = () => (seq++ % 36 ** 4).toString(36).padStart(4, '0');

const epoch = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

function toItem(s: Subscriber, version: number): Item & { pk: string; sk: string } {
  return {
    ...keys.subscriber(s.subscriberId),
    type: 'subscriber',
    gsi1pk: `SUBS#${s.status}`,
    gsi1sk: s.email,
    ...s,
    version,
    ...(s.status === 'unconfirmed'
      ? { ttl: epoch(s.confirmationSentAt ?? s.createdAt) + UNCONFIRMED_TTL_DAYS * DAY }
      : {}),
  };
}

const fromItem = (item: Item): Subscriber => Subscriber.parse(item);

/** Subscribers in the single table: one item per subscriber plus its event history in the same partition. */
export class DynamoSubscriberRepo implements SubscriberRepo {
  constructor(private readonly table: Table) {}

  async get(subscriberId: string): Promise<Subscriber | undefined> {
    const item = await this.table.get(keys.subscriber(subscriberId));
    return item ? fromItem(item) : undefined;
  }

  async getMany(subscriberIds: string[]): Promise<Subscriber[]> {
    const keyList = [...new Set(subscriberIds)].map((id) => keys.subscriber(id));
    const found = new Map<string, Subscriber>();
    for (const item of await this.table.batchGet(keyList, true)) {
      const s = fromItem(item);
      found.set(s.subscriberId, s);
    }
    return subscriberIds.flatMap((id) => {
      const s = found.get(id);
      return s ? [s] : [];
    });
  }

  async *listByStatus(status: SubscriptionStatus): AsyncIterable<Subscriber[]> {
    for await (const page of this.table.queryPages<Item>({
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `SUBS#${status}` },
      Limit: PAGE,
    })) {
      if (page.length) yield page.map(fromItem);
    }
  }

  async page(
    status: SubscriptionStatus,
    opts: { limit?: number; cursor?: string } = {},
  ): Promise<SubscriberPage> {
    if (opts.limit !== undefined && !Number.isFinite(opts.limit))
      throw new ValidationError('limit must be a number');
    const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 50), 1), 500);
    let start: Record<string, unknown> | undefined;
    if (opts.cursor) {
      try {
        start = JSON.parse(Buffer.from(opts.cursor, 'base64url').toString('utf8'));
      } catch {
        throw new ValidationError('cursor is not valid');
      }
      // Only a key this listing handed out (DynamoDB would answer a forged one with a 500-worthy error).
      const k = start as Record<string, unknown> | null;
      const fields = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];
      if (
        !k ||
        typeof k !== 'object' ||
        Object.keys(k).length !== fields.length ||
        !fields.every((f) => typeof k[f] === 'string') ||
        k.gsi1pk !== `SUBS#${status}`
      )
        throw new ValidationError('cursor is not valid');
    }
    const out = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.name,
        IndexName: TABLE_KEYS.gsi1.name,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': `SUBS#${status}` },
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    );
    return {
      items: (out.Items ?? []).map(fromItem),
      cursor: out.LastEvaluatedKey
        ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url')
        : undefined,
    };
  }

  async create(s: Subscriber): Promise<boolean> {
    return this.table.putNew(toItem(Subscriber.parse(s), 1));
  }

  async save(s: Subscriber): Promise<void> {
    const current = s.version ?? 0;
    try {
      await this.table.put(toItem(Subscriber.parse(s), current + 1), {
        ConditionExpression: current === 0 ? 'attribute_not_exists(version)' : 'version = :v',
        ExpressionAttributeValues: current === 0 ? undefined : { ':v': current },
      });
    } catch (e) {
      if (e instanceof ConditionFailed) {
        throw new ConflictError('subscriber was changed by someone else; try again', {
          subscriberId: s.subscriberId,
        });
      }
      throw e;
    }
  }

  async delete(subscriberId: string): Promise<void> {
    const items = await this.table.queryAll<{ pk: string; sk: string }>({
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': keys.subscriberItems(subscriberId).pk },
      ProjectionExpression: 'pk, sk',
    });
    // History first, the subscriber item last: a crash half-way leaves a record that can be erased again.
    items.sort((a, b) => (a.sk === 'SUB' ? 1 : b.sk === 'SUB' ? -1 : 0));
    for (const { pk, sk } of items) await this.table.delete({ pk, sk });
  }

  async addSoftBounce(subscriberId: string): Promise<number | undefined> {
    try {
      const out = await this.table.update<{ softBounces?: number }>(keys.subscriber(subscriberId), {
        UpdateExpression: 'ADD softBounces :one, version :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      });
      return out?.softBounces ?? 0;
    } catch (e) {
      if (e instanceof ConditionFailed) return undefined;
      throw e;
    }
  }

  async resetSoftBounces(subscriberId: string): Promise<void> {
    try {
      await this.table.update(keys.subscriber(subscriberId), {
        UpdateExpression: 'SET softBounces = :zero ADD version :one',
        ConditionExpression: 'attribute_exists(pk) AND softBounces > :zero',
        ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
        ReturnValues: 'NONE',
      });
    } catch (e) {
      if (!(e instanceof ConditionFailed)) throw e;
    }
  }

  async addEvent(subscriberId: string, event: SubscriberEvent): Promise<void> {
    const e = SubscriberEvent.parse(event);
    await this.table.put({
      ...keys.subscriberEvent(subscriberId, e.at, `${nextSeq()}${randomBytes(3).toString('hex')}`),
      type: 'subscriber-event',
      eventType: e.type,
      at: e.at,
      campaign: e.campaign,
      detail: e.detail,
      ttl: epoch(e.at) + EVENT_TTL_DAYS * DAY,
    });
  }

  async listEvents(subscriberId: string): Promise<SubscriberEvent[]> {
    const items = await this.table.queryAll<Item>({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':p': keys.subscriberItems(subscriberId).pk, ':e': 'EVENT#' },
    });
    return items.map((i) => SubscriberEvent.parse({ ...i, type: i.eventType }));
  }
}

/** Processed-event markers with a TTL (SNS redelivers at least once; a week covers its retry window). */
export class DynamoEventLedger implements EventLedger {
  constructor(
    private readonly table: Table,
    private readonly now: () => Date,
  ) {}

  claim(key: string, ttlDays: number): Promise<boolean> {
    const at = this.now();
    return this.table.putNew({
      ...keys.ledger(key),
      type: 'ledger',
      at: at.toISOString(),
      ttl: Math.floor(at.getTime() / 1000) + ttlDays * DAY,
    });
  }

  async release(key: string): Promise<void> {
    await this.table.delete(keys.ledger(key));
  }
}
