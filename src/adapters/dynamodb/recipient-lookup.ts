import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { emailHash, Subscriber } from '../../domain/index.ts';
import type { RecipientDirectory, SuppressionCheck } from '../../ports/sending.ts';
import { keys } from './keys.ts';
import type { Item, Table } from './table.ts';

/**
 * The send path's read model over the subscribers area's items (same single-table keys): batched,
 * eventually consistent reads, half the read units of the strongly consistent point reads the admin paths
 * use. A change made less than a second before a send may be missed; the same race exists whatever the
 * consistency, as the send happens after the read either way. A worker re-reads its batch before a send
 * held longer than 30 s (slow rate, SES outage), so a later change is not missed.
 */
export class DynamoRecipientLookup implements RecipientDirectory, SuppressionCheck {
  constructor(private readonly table: Table) {}

  async getMany(subscriberIds: string[]): Promise<Subscriber[]> {
    const items = await this.batchGet([...new Set(subscriberIds)].map((id) => keys.subscriber(id)));
    const byId = new Map<string, Subscriber>();
    for (const item of items) {
      const parsed = Subscriber.safeParse(item);
      if (parsed.success) byId.set(parsed.data.subscriberId, parsed.data);
    }
    return subscriberIds.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  async isSuppressed(email: string): Promise<boolean> {
    return (await this.table.get(keys.suppression(emailHash(email)), false)) !== undefined;
  }

  async suppressedAmong(emails: string[]): Promise<Set<string>> {
    const byHash = new Map(emails.map((e) => [emailHash(e), e]));
    const items = await this.batchGet([...byHash.keys()].map((h) => keys.suppression(h)));
    const out = new Set<string>();
    for (const item of items) {
      const e = byHash.get(String(item.pk).slice('SUPP#'.length));
      if (e) out.add(e);
    }
    return out;
  }

  private async batchGet(all: { pk: string; sk: string }[]): Promise<Item[]> {
    const found: Item[] = [];
    for (let i = 0; i < all.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = all.slice(i, i + 100);
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
        if (attempt) await new Promise((r) => setTimeout(r, 2 ** attempt * 25));
        const out = await this.table.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.table.name]: { Keys: pending, ConsistentRead: false } },
          }),
        );
        found.push(...((out.Responses?.[this.table.name] ?? []) as Item[]));
        pending = out.UnprocessedKeys?.[this.table.name]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return found;
  }
}
