import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS } from './keys.ts';

export type Item = Record<string, unknown>;
export type Key = { pk: string; sk: string };

/** Raised (by us) when a conditional write loses: callers turn it into domain meaning. */
export class ConditionFailed extends Error {
  override name = 'ConditionFailed';
}

export interface ConsumedCapacitySink {
  add(units: number): void;
}

/**
 * Thin wrapper over the DocumentClient for the one table. Conditional writes instead of transactions:
 * dynalite (the embedded default) has no TransactWriteItems, and idempotent steps survive retries anyway.
 */
export class Table {
  readonly doc: DynamoDBDocumentClient;
  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
    private readonly capacity?: ConsumedCapacitySink,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }

  static create(name: string, config: DynamoDBClientConfig = {}, capacity?: ConsumedCapacitySink): Table {
    return new Table(new DynamoDBClient(config), name, capacity);
  }

  private track(out: { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }) {
    if (!this.capacity || !out.ConsumedCapacity) return;
    const list = Array.isArray(out.ConsumedCapacity) ? out.ConsumedCapacity : [out.ConsumedCapacity];
    for (const c of list) this.capacity.add(c.CapacityUnits ?? 0);
  }
  private get rcc() {
    return this.capacity ? ('TOTAL' as const) : undefined;
  }

  async get<T = Item>(key: Key, consistent = true): Promise<T | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.name,
        Key: key,
        ConsistentRead: consistent,
        ReturnConsumedCapacity: this.rcc,
      }),
    );
    this.track(out);
    return out.Item as T | undefined;
  }

  /**
   * Many items by key, 100 per BatchGetItem, retrying the keys DynamoDB leaves unprocessed (with backoff).
   * Missing items are simply absent; order is not kept.
   */
  async batchGet(all: Key[], consistent: boolean): Promise<Item[]> {
    const found: Item[] = [];
    for (let i = 0; i < all.length; i += 100) {
      let pending: Record<string, unknown>[] | undefined = all.slice(i, i + 100);
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
        if (attempt) await new Promise((r) => setTimeout(r, 2 ** attempt * 25));
        const out = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.name]: { Keys: pending, ConsistentRead: consistent } },
            ReturnConsumedCapacity: this.rcc,
          }),
        );
        this.track(out);
        found.push(...((out.Responses?.[this.name] ?? []) as Item[]));
        pending = out.UnprocessedKeys?.[this.name]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return found;
  }

  /** Put; with `condition` a lost race throws ConditionFailed. */
  async put(
    item: Item & Key,
    condition?: Pick<
      PutCommandInput,
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<void> {
    try {
      const out = await this.doc.send(
        new PutCommand({ TableName: this.name, Item: item, ...condition, ReturnConsumedCapacity: this.rcc }),
      );
      this.track(out);
    } catch (e) {
      throw mapCondition(e);
    }
  }

  /** Put only if no item has this key. Returns false (not an error) when it already existed. */
  async putNew(item: Item & Key): Promise<boolean> {
    try {
      await this.put(item, { ConditionExpression: 'attribute_not_exists(pk)' });
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed) return false;
      throw e;
    }
  }

  async update<T = Item>(
    key: Key,
    input: Omit<UpdateCommandInput, 'TableName' | 'Key'>,
  ): Promise<T | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.name,
          Key: key,
          ReturnValues: 'ALL_NEW',
          ...input,
          ReturnConsumedCapacity: this.rcc,
        }),
      );
      this.track(out);
      return out.Attributes as T | undefined;
    } catch (e) {
      throw mapCondition(e);
    }
  }

  async delete(
    key: Key,
    condition?: {
      ConditionExpression: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues?: Item;
    },
  ) {
    try {
      const out = await this.doc.send(
        new DeleteCommand({ TableName: this.name, Key: key, ...condition, ReturnConsumedCapacity: this.rcc }),
      );
      this.track(out);
    } catch (e) {
      throw mapCondition(e);
    }
  }

  /** Query every page (callers bound the partition size by design). */
  async queryAll<T = Item>(input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.queryPages<T>(input)) items.push(...page);
    return items;
  }

  async *queryPages<T = Item>(input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<T[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.name,
          ...input,
          ExclusiveStartKey: start,
          ReturnConsumedCapacity: this.rcc,
        }),
      );
      this.track(out);
      start = out.LastEvaluatedKey;
      yield (out.Items ?? []) as T[];
    } while (start);
  }

  /** Items of one GSI1 partition, in sort-key order. */
  queryGsi1<T = Item>(gsi1pk: string, opts: { beginsWith?: string; limit?: number; forward?: boolean } = {}) {
    const values: Item = { ':p': gsi1pk };
    let cond = 'gsi1pk = :p';
    if (opts.beginsWith) {
      cond += ' AND begins_with(gsi1sk, :b)';
      values[':b'] = opts.beginsWith;
    }
    return this.queryAll<T>({
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: cond,
      ExpressionAttributeValues: values,
      ScanIndexForward: opts.forward ?? true,
      Limit: opts.limit,
    });
  }

  /** Creates the table if missing (embedded runtime and tests; CDK owns it on AWS). */
  async ensureExists(): Promise<void> {
    try {
      await this.client.send(new DescribeTableCommand({ TableName: this.name }));
      return;
    } catch (e) {
      if (!(e instanceof ResourceNotFoundException) && (e as Error).name !== 'ResourceNotFoundException')
        throw e;
    }
    const { partitionKey: pk, sortKey: sk, gsi1 } = TABLE_KEYS;
    await this.client.send(
      new CreateTableCommand({
        TableName: this.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: pk, AttributeType: 'S' },
          { AttributeName: sk, AttributeType: 'S' },
          { AttributeName: gsi1.partitionKey, AttributeType: 'S' },
          { AttributeName: gsi1.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: pk, KeyType: 'HASH' },
          { AttributeName: sk, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: gsi1.name,
            KeySchema: [
              { AttributeName: gsi1.partitionKey, KeyType: 'HASH' },
              { AttributeName: gsi1.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    // dynalite creates tables asynchronously: wait until ACTIVE.
    for (let i = 0; i < 100; i++) {
      const d = await this.client.send(new DescribeTableCommand({ TableName: this.name }));
      if (d.Table?.TableStatus === 'ACTIVE') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`table ${this.name} did not become ACTIVE`);
  }
}

function mapCondition(e: unknown): unknown {
  if (
    e instanceof ConditionalCheckFailedException ||
    (e as Error)?.name === 'ConditionalCheckFailedException'
  ) {
    return new ConditionFailed((e as Error).message);
  }
  return e;
}
