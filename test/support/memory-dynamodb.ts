/**
 * An in-memory DynamoDB stand-in speaking DynamoDB's own JSON protocol (`X-Amz-Target: DynamoDB_20120810.*`,
 * wire-format attribute values), so the real AWS SDK clients, the document client and Gazette's repository
 * code run over it unchanged. For the scale benchmark (bench/send.ts), where dynalite (LevelDB in memory,
 * its validation and PEG parser, in the same process) is the bottleneck; not for production code.
 * test/integration/memory-dynamodb.test.ts runs repository code against it and dynalite alike.
 *
 * What it does as DynamoDB does: keys (hash + range) and GSIs with projection ALL (sparse, empty-string key
 * values rejected, as AWS does and dynalite does not), conditional Put/Update/Delete with
 * ReturnValues and ReturnValuesOnConditionCheckFailure, Query (key condition, filter, Limit, ScanIndexForward,
 * ExclusiveStartKey, 1 MB pages), Scan, BatchGetItem, BatchWriteItem, ConsumedCapacity (TOTAL) from item
 * sizes, unused expression names or values rejected, IN limited to 100 operands. What it does not: reserved
 * words are not checked, no transactions, streams or TTL deletion, no throttling, one region.
 *
 * Fronts: `handle(target, body)` (in-process), `requestHandler()` for an SDK client, `listen()` for HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AV,
  applyUpdate,
  type Cond,
  DynamoError,
  type Item,
  itemSize,
  matches,
  order,
  parseExpressions,
  project,
  validation,
} from './memory-expressions.ts';

type KeyDef = { hash: string; range?: string };
interface Index extends KeyDef {
  name: string;
  /** gsi partition value → (primary key → item), sorted lazily. */
  parts: Map<string, Partition>;
}
class Partition {
  readonly items = new Map<string, Item>();
  private sorted?: Item[];
  constructor(readonly sortBy: (a: Item, b: Item) => number) {}
  set(k: string, item: Item) {
    this.sorted = undefined;
    this.items.set(k, item);
  }
  delete(k: string) {
    if (this.items.delete(k)) this.sorted = undefined;
  }
  /** Items in key order (sorted once after inserts, not per query). */
  list(): Item[] {
    this.sorted ??= [...this.items.values()].sort(this.sortBy);
    return this.sorted;
  }
}
interface Table extends KeyDef {
  name: string;
  description: Record<string, unknown>;
  parts: Map<string, Partition>;
  indexes: Map<string, Index>;
  count: number;
}

const PAGE_BYTES = 1024 * 1024;
const decoder = new TextDecoder();
const MAX_ITEM_BYTES = 400 * 1024;
type Req = Record<string, unknown> & {
  TableName?: string;
  Key?: Item;
  Item?: Item;
  ReturnValues?: string;
  ReturnConsumedCapacity?: string;
  ReturnValuesOnConditionCheckFailure?: string;
  ConsistentRead?: boolean;
};

const scalar = (v: AV | undefined) => (v?.S ?? v?.N ?? v?.B) as string | undefined;
const cmpKey = (name: string | undefined) => (a: Item, b: Item) =>
  name ? (order(a[name] as AV, b[name] as AV) ?? 0) : 0;

export class MemoryDynamoDB {
  private readonly tables = new Map<string, Table>();
  /** Requests served per operation (for the benchmark's report). */
  readonly requests = new Map<string, number>();

  /** One request: `target` is the operation (e.g. "PutItem"), `body` the JSON request. */
  handle(target: string, body: Req): Record<string, unknown> {
    this.requests.set(target, (this.requests.get(target) ?? 0) + 1);
    switch (target) {
      case 'CreateTable':
        return this.createTable(body);
      case 'DescribeTable':
        return { Table: this.table(body.TableName).description };
      case 'DeleteTable': {
        const t = this.table(body.TableName);
        this.tables.delete(t.name);
        return { TableDescription: t.description };
      }
      case 'ListTables':
        return { TableNames: [...this.tables.keys()].sort() };
      case 'DescribeTimeToLive':
        return { TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } };
      case 'GetItem':
        return this.getItem(body);
      case 'PutItem':
        return this.putItem(body);
      case 'UpdateItem':
        return this.updateItem(body);
      case 'DeleteItem':
        return this.deleteItem(body);
      case 'Query':
        return this.query(body, false);
      case 'Scan':
        return this.query(body, true);
      case 'BatchGetItem':
        return this.batchGet(body);
      case 'BatchWriteItem':
        return this.batchWrite(body);
      default:
        throw new DynamoError('UnknownOperationException', `${target} is not supported by the stand-in`);
    }
  }

  private createTable(b: Req) {
    const name = b.TableName as string;
    if (this.tables.has(name))
      throw new DynamoError('ResourceInUseException', `Table already exists: ${name}`);
    const keyDef = (schema: { AttributeName: string; KeyType: string }[]): KeyDef => ({
      hash: schema.find((k) => k.KeyType === 'HASH')?.AttributeName as string,
      range: schema.find((k) => k.KeyType === 'RANGE')?.AttributeName,
    });
    const key = keyDef(b.KeySchema as never);
    const indexes = new Map<string, Index>();
    for (const g of (b.GlobalSecondaryIndexes ?? []) as {
      IndexName: string;
      KeySchema: never;
      Projection: { ProjectionType: string };
    }[]) {
      if (g.Projection.ProjectionType !== 'ALL')
        throw new DynamoError('ValidationException', 'the stand-in supports GSIs with projection ALL only');
      indexes.set(g.IndexName, { name: g.IndexName, ...keyDef(g.KeySchema), parts: new Map() });
    }
    const description = {
      TableName: name,
      TableStatus: 'ACTIVE',
      KeySchema: b.KeySchema,
      AttributeDefinitions: b.AttributeDefinitions,
      GlobalSecondaryIndexes: (b.GlobalSecondaryIndexes as unknown[] | undefined)?.map((g) => ({
        ...(g as object),
        IndexStatus: 'ACTIVE',
      })),
      BillingModeSummary: { BillingMode: b.BillingMode ?? 'PROVISIONED' },
      CreationDateTime: Date.now() / 1000,
      ItemCount: 0,
    };
    this.tables.set(name, { name, ...key, description, parts: new Map(), indexes, count: 0 });
    return { TableDescription: description };
  }

  private table(name: unknown): Table {
    const t = this.tables.get(name as string);
    if (!t) throw new DynamoError('ResourceNotFoundException', 'Requested resource not found');
    return t;
  }

  /** The primary key of an item (validated: present, scalar, not empty). */
  private keyOf(t: Table, item: Item, what = 'key'): { h: string; r: string; id: string } {
    const h = scalar(item[t.hash]);
    const r = t.range ? scalar(item[t.range]) : '';
    if (!h || (t.range && !r))
      throw validation(`The provided key element does not match the schema (${what})`);
    return { h, r: r as string, id: `${h}\u0000${r}` };
  }

  private current(t: Table, key: Item) {
    const k = this.keyOf(t, key);
    return { k, item: t.parts.get(k.h)?.items.get(k.id) };
  }

  private write(t: Table, k: { h: string; id: string }, old: Item | undefined, item: Item | undefined) {
    if (item && itemSize(item) > MAX_ITEM_BYTES)
      throw validation('Item size has exceeded the maximum allowed size');
    if (item) for (const ix of t.indexes.values()) this.indexKey(ix, item);
    let part = t.parts.get(k.h);
    if (item) {
      if (!part) {
        part = new Partition(cmpKey(t.range));
        t.parts.set(k.h, part);
      }
      part.set(k.id, item);
    } else part?.delete(k.id);
    if (!old && item) t.count++;
    if (old && !item) t.count--;
    for (const ix of t.indexes.values()) {
      const before = old && this.indexKey(ix, old);
      const after = item && this.indexKey(ix, item);
      if (before && before !== after) ix.parts.get(before)?.delete(k.id);
      if (after) {
        let p = ix.parts.get(after);
        if (!p) {
          // Index order, then the table's key: a total order, so a page's last key is a resume point.
          const byRange = cmpKey(ix.range);
          const byHash = cmpKey(t.hash);
          const byTable = cmpKey(t.range);
          p = new Partition((a, b) => byRange(a, b) || byHash(a, b) || byTable(a, b));
          ix.parts.set(after, p);
        }
        p.set(k.id, item);
      }
    }
  }

  /** The GSI partition an item belongs to, or undefined when it lacks the index keys (sparse index). */
  private indexKey(ix: Index, item: Item): string | undefined {
    const h = item[ix.hash];
    const r = ix.range ? item[ix.range] : undefined;
    if (!h || (ix.range && !r)) return undefined;
    if (scalar(h) === '' || (r && scalar(r) === ''))
      throw validation(
        `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: ${ix.name}`,
      );
    return scalar(h);
  }

  private capacity(b: Req, t: Table, units: number) {
    return b.ReturnConsumedCapacity && b.ReturnConsumedCapacity !== 'NONE'
      ? { ConsumedCapacity: { TableName: t.name, CapacityUnits: units } }
      : {};
  }

  private conditionFails(b: Req, old: Item | undefined, cond?: Cond) {
    if (!cond || matches(old ?? {}, cond)) return;
    throw new DynamoError(
      'ConditionalCheckFailedException',
      'The conditional request failed',
      b.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? old : undefined,
    );
  }

  private getItem(b: Req) {
    const t = this.table(b.TableName);
    const { projection } = parseExpressions(b as never);
    const { item } = this.current(t, b.Key ?? {});
    const units = readUnits(item ? itemSize(item) : 0, b.ConsistentRead === true);
    return {
      ...(item ? { Item: projection ? project(item, projection) : item } : {}),
      ...this.capacity(b, t, units),
    };
  }

  private putItem(b: Req) {
    const t = this.table(b.TableName);
    const item = b.Item ?? {};
    const { condition } = parseExpressions(b as never);
    const { k, item: old } = this.current(t, item);
    this.conditionFails(b, old, condition);
    this.write(t, k, old, item);
    return {
      ...(b.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {}),
      ...this.capacity(b, t, writeUnits(Math.max(itemSize(item), old ? itemSize(old) : 0))),
    };
  }

  private updateItem(b: Req) {
    const t = this.table(b.TableName);
    const key = b.Key ?? {};
    const { condition, update } = parseExpressions(b as never);
    const { k, item: old } = this.current(t, key);
    this.conditionFails(b, old, condition);
    const item = applyUpdate(old, key, update ?? []);
    for (const a of [t.hash, t.range])
      if (a && scalar(item[a]) !== scalar(key[a]))
        throw validation(
          `One or more parameter values were invalid: Cannot update attribute ${a}. This attribute is part of the key`,
        );
    this.write(t, k, old, item);
    const names = (update ?? []).map((a) => a.path[0] as string);
    const pick = (i: Item | undefined) =>
      i ? Object.fromEntries(names.filter((n) => i[n] !== undefined).map((n) => [n, i[n] as AV])) : undefined;
    const rv = b.ReturnValues ?? 'NONE';
    const attributes =
      rv === 'ALL_NEW'
        ? item
        : rv === 'ALL_OLD'
          ? old
          : rv === 'UPDATED_NEW'
            ? pick(item)
            : rv === 'UPDATED_OLD'
              ? pick(old)
              : undefined;
    return {
      ...(attributes && Object.keys(attributes).length ? { Attributes: attributes } : {}),
      ...this.capacity(b, t, writeUnits(Math.max(itemSize(item), old ? itemSize(old) : 0))),
    };
  }

  private deleteItem(b: Req) {
    const t = this.table(b.TableName);
    const { condition } = parseExpressions(b as never);
    const { k, item: old } = this.current(t, b.Key ?? {});
    this.conditionFails(b, old, condition);
    if (old) this.write(t, k, old, undefined);
    return {
      ...(b.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {}),
      ...this.capacity(b, t, writeUnits(old ? itemSize(old) : 0)),
    };
  }

  private query(b: Req, scan: boolean) {
    const t = this.table(b.TableName);
    const ex = parseExpressions(b as never);
    const ix = b.IndexName ? t.indexes.get(b.IndexName as string) : undefined;
    if (b.IndexName && !ix)
      throw validation(`The table does not have the specified index: ${String(b.IndexName)}`);
    const def: KeyDef = ix ?? t;
    let items: Item[];
    let sortBy: ((a: Item, b: Item) => number) | undefined;
    if (scan) {
      items = [...(ix ?? t).parts.values()].flatMap((p) => p.list());
    } else {
      if (!ex.keyCondition)
        throw validation(
          'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.',
        );
      const h = partitionValue(ex.keyCondition, def.hash);
      if (h === undefined) throw validation('Query condition missed key schema element');
      const part = (ix ?? t).parts.get(h);
      items = part?.list() ?? [];
      sortBy = part?.sortBy;
      // A sort-key condition bounds what is read (and what Limit and the 1 MB page count), as in DynamoDB.
      const keyCond = ex.keyCondition;
      if (keyCond.k === 'and') items = items.filter((it) => matches(it, keyCond));
      if (b.ScanIndexForward === false) items = [...items].reverse();
    }
    // Resume after the key a previous page ended on: the first item past it in this order.
    const start = b.ExclusiveStartKey as Item | undefined;
    let i = 0;
    if (start && sortBy) {
      const dir = b.ScanIndexForward === false ? -1 : 1;
      const cmp = sortBy;
      let lo = 0;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (dir * cmp(items[mid] as Item, start) > 0) hi = mid;
        else lo = mid + 1;
      }
      i = lo;
    } else if (start) {
      const id = this.keyOf(t, start, 'ExclusiveStartKey').id;
      const at = items.findIndex((it) => this.keyOf(t, it).id === id);
      i = at >= 0 ? at + 1 : items.length;
    }
    const limit = typeof b.Limit === 'number' ? b.Limit : Number.POSITIVE_INFINITY;
    const out: Item[] = [];
    let bytes = 0;
    let scanned = 0;
    let last: Item | undefined;
    for (; i < items.length && scanned < limit && bytes < PAGE_BYTES; i++) {
      const it = items[i] as Item;
      scanned++;
      bytes += itemSize(it);
      last = it;
      if (ex.filter && !matches(it, ex.filter)) continue;
      out.push(ex.projection ? project(it, ex.projection) : it);
    }
    const more = i < items.length && last !== undefined;
    const lastKey: Item | undefined = more
      ? Object.fromEntries(
          [t.hash, t.range, ix?.hash, ix?.range]
            .filter((a): a is string => !!a)
            .map((a) => [a, (last as Item)[a] as AV]),
        )
      : undefined;
    const consistent = b.ConsistentRead === true && !ix;
    return {
      Items: out,
      Count: out.length,
      ScannedCount: scanned,
      ...(lastKey ? { LastEvaluatedKey: lastKey } : {}),
      ...this.capacity(b, t, readUnits(bytes, consistent)),
    };
  }

  private batchGet(b: Req) {
    const responses: Record<string, Item[]> = {};
    const consumed: { TableName: string; CapacityUnits: number }[] = [];
    const all = Object.entries(
      (b.RequestItems ?? {}) as Record<
        string,
        {
          Keys: Item[];
          ConsistentRead?: boolean;
          ProjectionExpression?: string;
          ExpressionAttributeNames?: Record<string, string>;
        }
      >,
    );
    if (all.reduce((a, [, r]) => a + r.Keys.length, 0) > 100)
      throw validation('Too many items requested for the BatchGetItem call');
    for (const [name, r] of all) {
      const t = this.table(name);
      const { projection } = parseExpressions(r as never);
      let units = 0;
      responses[name] = [];
      for (const key of r.Keys) {
        const { item } = this.current(t, key);
        units += readUnits(item ? itemSize(item) : 0, r.ConsistentRead === true);
        if (item) responses[name].push(projection ? project(item, projection) : item);
      }
      consumed.push({ TableName: name, CapacityUnits: units });
    }
    return {
      Responses: responses,
      UnprocessedKeys: {},
      ...(b.ReturnConsumedCapacity && b.ReturnConsumedCapacity !== 'NONE'
        ? { ConsumedCapacity: consumed }
        : {}),
    };
  }

  private batchWrite(b: Req) {
    const all = Object.entries(
      (b.RequestItems ?? {}) as Record<
        string,
        { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]
      >,
    );
    if (all.reduce((a, [, r]) => a + r.length, 0) > 25)
      throw validation('Too many items requested for the BatchWriteItem call');
    const consumed: { TableName: string; CapacityUnits: number }[] = [];
    for (const [name, reqs] of all) {
      const t = this.table(name);
      let units = 0;
      for (const r of reqs) {
        const item = r.PutRequest?.Item;
        const { k, item: old } = this.current(t, item ?? r.DeleteRequest?.Key ?? {});
        this.write(t, k, old, item);
        units += writeUnits(Math.max(item ? itemSize(item) : 0, old ? itemSize(old) : 0));
      }
      consumed.push({ TableName: name, CapacityUnits: units });
    }
    return {
      UnprocessedItems: {},
      ...(b.ReturnConsumedCapacity && b.ReturnConsumedCapacity !== 'NONE'
        ? { ConsumedCapacity: consumed }
        : {}),
    };
  }

  /** Items held, all tables (for the benchmark's report). */
  get itemCount() {
    let n = 0;
    for (const t of this.tables.values()) n += t.count;
    return n;
  }

  /** Answers an HTTP request body as DynamoDB would (status, JSON). */
  answer(target: string | undefined, raw: string): { status: number; body: string } {
    try {
      const op = target?.split('.')[1];
      if (!op) throw new DynamoError('UnknownOperationException', 'missing X-Amz-Target');
      return { status: 200, body: JSON.stringify(this.handle(op, JSON.parse(raw || '{}'))) };
    } catch (e) {
      const err = e instanceof DynamoError ? e : new DynamoError('InternalServerError', String(e));
      if (!(e instanceof DynamoError)) console.error('memory-dynamodb:', e);
      return {
        status: err.type === 'InternalServerError' ? 500 : 400,
        body: JSON.stringify({
          __type: `com.amazonaws.dynamodb.v20120810#${err.type}`,
          message: err.message,
          ...(err.item ? { Item: err.item } : {}),
        }),
      };
    }
  }

  /** A requestHandler for an SDK DynamoDB client: no sockets, the same wire format. */
  requestHandler() {
    return {
      metadata: { handlerProtocol: 'http/1.1' },
      handle: async (req: { headers: Record<string, string>; body?: string | Uint8Array }) => {
        const raw = typeof req.body === 'string' ? req.body : decoder.decode(req.body);
        const { status, body } = this.answer(req.headers['x-amz-target'], raw);
        return {
          response: {
            statusCode: status,
            headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'memory' },
            body: Buffer.from(body),
          },
        };
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
      destroy() {},
    };
  }

  /** Serves the DynamoDB API over HTTP on loopback; resolves with its endpoint. */
  async listen(port = 0): Promise<{ endpoint: string; server: Server; close: () => Promise<void> }> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const { status, body } = this.answer(
          req.headers['x-amz-target'] as string | undefined,
          Buffer.concat(chunks).toString('utf8'),
        );
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'memory' });
        res.end(body);
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    return {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      server,
      close: () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    };
  }
}

/** The partition key value a key condition fixes (`hash = :v`, alone or ANDed with a sort-key condition). */
function partitionValue(c: Cond, hash: string): string | undefined {
  if (c.k === 'and') return partitionValue(c.l, hash) ?? partitionValue(c.r, hash);
  if (c.k === 'cmp' && c.op === '=') {
    if (c.a.k === 'path' && c.a.path.length === 1 && c.a.path[0] === hash && c.b.k === 'val')
      return scalar(c.b.v);
    if (c.b.k === 'path' && c.b.path.length === 1 && c.b.path[0] === hash && c.a.k === 'val')
      return scalar(c.a.v);
  }
  return undefined;
}

/** Read units: 4 KB each (rounded up, at least one), half for an eventually consistent read. */
const readUnits = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
/** Write units: 1 KB each (rounded up, at least one) of the larger of the old and new item. */
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
