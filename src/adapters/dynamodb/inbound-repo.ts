import { type InboundOutcome, InboundRecord } from '../../domain/index.ts';
import type { InboundRepo } from '../../ports/inbound.ts';
import { keys, TABLE_KEYS } from './keys.ts';
import type { Item, Table } from './table.ts';

/** One record per inbound message (the idempotency commit point of ingest), listed per outcome. */
export class DynamoInboundRepo implements InboundRepo {
  constructor(private readonly table: Table) {}

  async get(messageId: string): Promise<InboundRecord | undefined> {
    const item = await this.table.get<Item>(keys.inbound(messageId));
    return item ? InboundRecord.parse(item) : undefined;
  }

  record(r: InboundRecord): Promise<boolean> {
    return this.table.putNew({
      ...keys.inbound(r.messageId),
      type: 'inbound',
      gsi1pk: `INBOUND#${r.outcome}`,
      gsi1sk: r.receivedAt,
      ...r,
    });
  }

  async listByOutcome(outcome: InboundOutcome, opts: { limit?: number } = {}): Promise<InboundRecord[]> {
    const limit = opts.limit ?? 100;
    const out: InboundRecord[] = [];
    for await (const page of this.table.queryPages<Item>({
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `INBOUND#${outcome}` },
      ScanIndexForward: false,
      Limit: Math.min(limit, 100),
    })) {
      for (const item of page) if (out.length < limit) out.push(InboundRecord.parse(item));
      if (out.length >= limit) break;
    }
    return out;
  }
}
