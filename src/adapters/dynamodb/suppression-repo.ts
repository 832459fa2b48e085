import { emailHash, Suppression, type SuppressionReason } from '../../domain/index.ts';
import type { SuppressionRepo } from '../../ports/subscribers.ts';
import { keys } from './keys.ts';
import { ConditionFailed, type Item, type Table } from './table.ts';

const HASH = /^[0-9a-f]{64}$/;

/**
 * The account-level suppression list. Keyed by sha256(address) so an entry can outlive the erasure of
 * everything else about the person: the send engine checks it before every message.
 */
export class DynamoSuppressionRepo implements SuppressionRepo {
  constructor(private readonly table: Table) {}

  async isSuppressed(email: string): Promise<boolean> {
    return (await this.table.get(keys.suppression(emailHash(email)))) !== undefined;
  }

  get(email: string): Promise<Suppression | undefined> {
    return this.getByHash(emailHash(email));
  }

  async getByHash(hash: string): Promise<Suppression | undefined> {
    if (!HASH.test(hash)) return undefined;
    const item = await this.table.get<Item>(keys.suppression(hash));
    return item ? Suppression.parse(item) : undefined;
  }

  async suppress(email: string, reason: SuppressionReason, at: Date, detail?: string): Promise<void> {
    const hash = emailHash(email);
    const entry = Suppression.parse({
      emailHash: hash,
      email: reason === 'erased' ? undefined : email,
      reason,
      at: at.toISOString(),
      detail: detail?.slice(0, 500),
    });
    const item = {
      ...keys.suppression(hash),
      type: 'suppression',
      gsi1pk: 'SUPPS',
      gsi1sk: entry.at,
      ...entry,
    };
    if ((await this.table.putNew(item)) || reason === 'erased') return;
    // An erasure does not block a fresh opt-in; a later bounce, complaint or manual entry must, so it replaces it.
    try {
      await this.table.put(item, {
        ConditionExpression: '#r = :erased',
        ExpressionAttributeNames: { '#r': 'reason' },
        ExpressionAttributeValues: { ':erased': 'erased' },
      });
    } catch (e) {
      if (!(e instanceof ConditionFailed)) throw e;
    }
  }

  remove(email: string): Promise<void> {
    return this.removeByHash(emailHash(email));
  }

  async removeByHash(hash: string): Promise<void> {
    if (HASH.test(hash)) await this.table.delete(keys.suppression(hash));
  }

  async list(): Promise<Suppression[]> {
    const items = await this.table.queryGsi1<Item>('SUPPS', { forward: false });
    return items.map((i) => Suppression.parse(i));
  }

  async anonymise(email: string, at: Date): Promise<void> {
    const hash = emailHash(email);
    // Keep the first reason (a complaint stays a complaint); only the address and free text go.
    await this.suppress(email, 'erased', at);
    await this.table.update(keys.suppression(hash), {
      UpdateExpression: 'REMOVE email, detail',
      ReturnValues: 'NONE',
    });
  }
}
