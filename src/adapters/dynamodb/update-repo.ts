import {
  ConflictError,
  InvalidStateError,
  NotFoundError,
  Update,
  type UpdateStatus,
} from '../../domain/index.ts';
import type { UpdateRepo } from '../../ports/inbound.ts';
import { keys, TABLE_KEYS } from './keys.ts';
import { ConditionFailed, type Item, type Table } from './table.ts';

const toItem = (u: Update) => ({
  ...keys.update(u.updateId),
  type: 'update',
  gsi1pk: `UPDATES#${u.status}`,
  gsi1sk: `${u.receivedAt}#${u.updateId}`,
  ...u,
});

const fromItem = (item: Item): Update => Update.parse(item);

/**
 * Updates in the single table, listed per status through GSI1 (oldest first). Every moderation step
 * appends to the audit trail, so its length doubles as the optimistic-concurrency version.
 */
export class DynamoUpdateRepo implements UpdateRepo {
  constructor(private readonly table: Table) {}

  async get(updateId: string): Promise<Update | undefined> {
    const item = await this.table.get<Item>(keys.update(updateId));
    return item ? fromItem(item) : undefined;
  }

  create(update: Update): Promise<boolean> {
    return this.table.putNew(toItem(update));
  }

  async save(next: Update, previous: Update): Promise<void> {
    try {
      await this.table.put(toItem(next), {
        ConditionExpression: 'size(audit) = :n',
        ExpressionAttributeValues: { ':n': previous.audit.length },
      });
    } catch (e) {
      if (e instanceof ConditionFailed)
        throw new ConflictError(`update ${next.updateId} was changed meanwhile; reload and retry`);
      throw e;
    }
  }

  async listByStatus(status: UpdateStatus, opts: { limit?: number } = {}): Promise<Update[]> {
    const limit = opts.limit ?? 200;
    const out: Update[] = [];
    for await (const page of this.table.queryPages<Item>({
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `UPDATES#${status}` },
      Limit: Math.min(limit, 100),
    })) {
      for (const item of page) if (out.length < limit) out.push(fromItem(item));
      if (out.length >= limit) break;
    }
    return out;
  }

  async listApprovedInWindow(start: Date, end: Date): Promise<Update[]> {
    const items = await this.table.queryAll<Item>({
      IndexName: TABLE_KEYS.gsi1.name,
      // '#' sorts before any id character, '~' after: [start, end) on receivedAt.
      KeyConditionExpression: 'gsi1pk = :p AND gsi1sk BETWEEN :a AND :b',
      ExpressionAttributeValues: {
        ':p': 'UPDATES#approved',
        ':a': `${start.toISOString()}#`,
        ':b': `${new Date(end.getTime() - 1).toISOString()}#~`,
      },
    });
    return items.map(fromItem);
  }

  async markPublished(updateId: string, editionNumber: number, at: Date, actor: string): Promise<Update> {
    const entry = { at: at.toISOString(), actor, action: 'published', note: `edition ${editionNumber}` };
    try {
      const item = await this.table.update<Item>(keys.update(updateId), {
        UpdateExpression:
          'SET #s = :published, editionNumber = :n, gsi1pk = :g, audit = list_append(audit, :entry)',
        ConditionExpression: 'attribute_exists(pk) AND #s = :approved',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':published': 'published',
          ':approved': 'approved',
          ':n': editionNumber,
          ':g': 'UPDATES#published',
          ':entry': [entry],
        },
      });
      return fromItem(item ?? {});
    } catch (e) {
      if (!(e instanceof ConditionFailed)) throw e;
      const current = await this.get(updateId);
      if (!current) throw new NotFoundError(`no update ${updateId}`);
      if (current.status === 'published' && current.editionNumber === editionNumber) return current;
      throw new InvalidStateError(
        `update ${updateId} is ${current.status}${current.editionNumber ? ` (edition ${current.editionNumber})` : ''}; only approved updates can be published`,
      );
    }
  }
}
