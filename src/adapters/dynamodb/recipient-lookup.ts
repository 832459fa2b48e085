import { emailHash, Subscriber } from '../../domain/index.ts';
import type { RecipientDirectory, SuppressionCheck } from '../../ports/sending.ts';
import { keys } from './keys.ts';
import type { Table } from './table.ts';

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
    const items = await this.table.batchGet(
      [...new Set(subscriberIds)].map((id) => keys.subscriber(id)),
      false,
    );
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
    const items = await this.table.batchGet(
      [...byHash.keys()].map((h) => keys.suppression(h)),
      false,
    );
    const out = new Set<string>();
    for (const item of items) {
      const e = byHash.get(String(item.pk).slice('SUPP#'.length));
      if (e) out.add(e);
    }
    return out;
  }
}
