import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeliveryRepo } from '../../src/adapters/dynamodb/delivery-repo.ts';
import { DynamoRateWindows } from '../../src/adapters/dynamodb/rate-window-repo.ts';
import { DynamoSendJobRepo } from '../../src/adapters/dynamodb/send-job-repo.ts';
import { DynamoStatsRepo } from '../../src/adapters/dynamodb/stats-repo.ts';
import { DynamoSubscriberRepo } from '../../src/adapters/dynamodb/subscriber-repo.ts';
import { ConditionFailed, Table } from '../../src/adapters/dynamodb/table.ts';
import { ConflictError } from '../../src/domain/errors.ts';
import type { SendJob, Subscriber } from '../../src/domain/index.ts';
import { LOCAL_CREDENTIALS } from '../../src/runtimes/local/stack.ts';
import { startTestStack } from '../support/local-stack.ts';
import { MemoryDynamoDB } from '../support/memory-dynamodb.ts';
import {
  composeTestSending,
  countByRecipient,
  makeSubscribers,
  testSource,
} from '../support/sending-fixtures.ts';

const require = createRequire(import.meta.url);

/**
 * The scale benchmark runs the repositories over an in-memory DynamoDB stand-in (test/support/
 * memory-dynamodb.ts) instead of dynalite. This contract runs the same repository code against both, with
 * the same expectations, so the stand-in cannot quietly answer differently: conditional writes that win and
 * lose, ReturnValues, update expressions (SET, ADD, if_not_exists, list_append), key conditions with
 * begins_with, GSI queries in both directions, Limit and cursors, and 1 MB pages.
 */
type Backend = { name: string; table: () => Table };
const backends: Backend[] = [];
let dynalite: Server;
let memoryHttp: Awaited<ReturnType<MemoryDynamoDB['listen']>>;
let tables = 0;

const tableOn = async (client: DynamoDBClient) => {
  const t = new Table(client, `contract-${++tables}`);
  await t.ensureExists();
  return t;
};

beforeAll(async () => {
  const start = require('dynalite') as (o: Record<string, unknown>) => Server;
  dynalite = start({ createTableMs: 0 });
  dynalite.listen(0, '127.0.0.1');
  await once(dynalite, 'listening');
  const memory = new MemoryDynamoDB();
  memoryHttp = await memory.listen();
  const client = (endpoint: string) =>
    new DynamoDBClient({ region: 'us-east-1', credentials: LOCAL_CREDENTIALS, endpoint });
  const dynaliteClient = client(`http://127.0.0.1:${(dynalite.address() as AddressInfo).port}`);
  const memoryClient = client(memoryHttp.endpoint);
  // The benchmark's in-process front: the same store without sockets.
  const inProcess = new DynamoDBClient({
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new MemoryDynamoDB().requestHandler() as never,
  });
  const made = {
    dynalite: await tableOn(dynaliteClient),
    'memory stand-in (HTTP)': await tableOn(memoryClient),
    'memory stand-in (in process)': await tableOn(inProcess),
  };
  for (const [name, table] of Object.entries(made)) backends.push({ name, table: () => table });
});
afterAll(async () => {
  await memoryHttp?.close();
  await new Promise((r) => dynalite?.close(r));
});

const at = '2026-03-01T10:00:00.000Z';
const job = (campaign: string, status: SendJob['status'] = 'running'): SendJob =>
  ({
    campaign,
    status,
    startedBy: 'admin',
    startedAt: at,
    updatedAt: at,
  }) as SendJob;
const subscriber = (i: number, status: Subscriber['status'] = 'confirmed'): Subscriber => ({
  subscriberId: `s${String(i).padStart(4, '0')}`,
  email: `reader${String(i).padStart(4, '0')}@example.org`,
  name: `Reader ${i}`,
  language: 'en',
  timeZone: 'UTC',
  audiences: ['newsletter'],
  status,
  source: 'admin',
  createdAt: at,
  updatedAt: at,
  softBounces: 0,
});

// Each scenario runs on every backend; `describe.each` cannot see backends filled in beforeAll, so the
// scenarios loop over them and name the backend in any failure.
const onEach = async (f: (t: Table, name: string) => Promise<void>) => {
  expect(backends.map((b) => b.name)).toHaveLength(3);
  for (const b of backends) {
    try {
      await f(b.table(), b.name);
    } catch (e) {
      (e as Error).message = `[${b.name}] ${(e as Error).message}`;
      throw e;
    }
  }
};

describe('the in-memory DynamoDB stand-in answers the repositories as dynalite does', () => {
  it('send jobs: a second create loses, transitions are conditional on the status, the GSI lists by status', async () => {
    await onEach(async (table) => {
      const jobs = new DynamoSendJobRepo(table);
      expect(await jobs.create(job('edition#1'))).toBe(true);
      expect(await jobs.create(job('edition#1'))).toBe(false);
      expect(await jobs.create({ ...job('edition#2'), startedAt: '2026-03-02T10:00:00.000Z' })).toBe(true);
      const paused = await jobs.transition('edition#1', ['running'], 'paused', {
        pausedBy: 'admin',
        pausedAt: at,
      });
      expect(paused).toMatchObject({ status: 'paused', pausedBy: 'admin' });
      expect(await jobs.transition('edition#1', ['running'], 'finished')).toBeUndefined();
      // The condition on `when`: resumed only by the pause it saw.
      expect(
        await jobs.transition('edition#1', ['paused'], 'running', {}, { pausedBy: 'someone else' }),
      ).toBeUndefined();
      expect(
        await jobs.transition('edition#1', ['paused'], 'running', {}, { pausedBy: 'admin' }),
      ).toMatchObject({
        status: 'running',
      });
      expect((await jobs.addProgress('edition#1', 25)).progress).toBe(25);
      expect((await jobs.addProgress('edition#1', 5)).progress).toBe(30);
      await expect(jobs.addProgress('edition#9', 1)).rejects.toBeInstanceOf(ConditionFailed);
      await expect(jobs.patch('edition#9', { queued: 1 })).rejects.toBeInstanceOf(ConditionFailed);
      expect((await jobs.patch('edition#2', { queued: 7, planned: true })).queued).toBe(7);
      // Newest first, from the gsi1 partition of each status.
      expect((await jobs.list('running')).map((j) => j.campaign)).toEqual(['edition#2', 'edition#1']);
      expect(await jobs.list('paused')).toEqual([]);
    });
  });

  it('delivery claims: once per recipient, outcomes only with the claim token, logs found by begins_with', async () => {
    await onEach(async (table) => {
      const d = new DynamoDeliveryRepo(table);
      const c = 'edition#3';
      const when = new Date(at);
      expect(await d.claim(c, 'sub-a', { token: 't1', run: 'r1', at: when })).toEqual({ ok: true });
      const again = await d.claim(c, 'sub-a', { token: 't2', run: 'r1', at: when });
      expect(again).toMatchObject({
        ok: false,
        existing: { status: 'claimed', claimToken: 't1', attempts: 1 },
      });
      expect(await d.renew(c, 'sub-a', 'wrong', when)).toBe(false);
      expect(await d.renew(c, 'sub-a', 't1', when)).toBe(true);
      expect((await d.get(c, 'sub-a'))?.attempts).toBe(2);
      // A logged send shows as sent on the claim (a Query with begins_with on the run's log prefix).
      await d.recordSent(c, 'r1', 1, [{ subscriberId: 'sub-a', messageId: 'm-a' }], when);
      expect(await d.get(c, 'sub-a')).toMatchObject({ status: 'sent', sesMessageId: 'm-a' });
      expect(await d.claim(c, 'sub-b', { token: 'tb', run: 'r1', at: when })).toEqual({ ok: true });
      expect(await d.settle(c, 'sub-b', 'wrong', 'failed', when, 'x')).toBe(false);
      expect(await d.settle(c, 'sub-b', 'tb', 'uncertain', when)).toBe(true);
      expect(await d.settle(c, 'sub-b', 'tb', 'failed', when)).toBe(false);
      expect(await d.release(c, 'sub-b', 'tb')).toBe(false);
      expect(await d.confirmSent(c, 'sub-b', 'm-b', when)).toBe(true);
      expect(await d.confirmSent(c, 'sub-b', 'm-b', when)).toBe(false);
      expect(await d.claim(c, 'sub-c', { token: 'tc', run: 'r1', at: when })).toEqual({ ok: true });
      expect(await d.release(c, 'sub-c', 'tc')).toBe(true);
      expect(await d.get(c, 'sub-c')).toBeUndefined();
      expect(await d.skip(c, 'sub-d', 'suppressed', when)).toBe(true);
      expect(await d.skip(c, 'sub-d', 'suppressed', when)).toBe(false);
      const listed = [];
      for await (const page of d.list(c)) listed.push(...page);
      expect(listed.map((r) => [r.subscriberId, r.status])).toEqual([
        ['sub-a', 'sent'],
        ['sub-b', 'sent'],
        ['sub-d', 'skipped'],
      ]);
    });
  });

  it('subscribers: versioned saves conflict, pages by cursor over the GSI, soft bounces counted by ADD', async () => {
    await onEach(async (table) => {
      const subs = new DynamoSubscriberRepo(table);
      for (let i = 0; i < 7; i++) expect(await subs.create(subscriber(i))).toBe(true);
      expect(await subs.create(subscriber(1))).toBe(false);
      await subs.create(subscriber(50, 'unconfirmed'));
      const one = (await subs.get('s0001')) as Subscriber;
      await subs.save({ ...one, name: 'Renamed' });
      await expect(subs.save({ ...one, name: 'Stale' })).rejects.toBeInstanceOf(ConflictError);
      expect((await subs.get('s0001'))?.name).toBe('Renamed');
      const first = await subs.page('confirmed', { limit: 3 });
      const second = await subs.page('confirmed', { limit: 3, cursor: first.cursor });
      const third = await subs.page('confirmed', { limit: 3, cursor: second.cursor });
      expect([...first.items, ...second.items, ...third.items].map((s) => s.email)).toEqual(
        Array.from({ length: 7 }, (_, i) => `reader${String(i).padStart(4, '0')}@example.org`),
      );
      expect(third.cursor).toBeUndefined();
      const all = [];
      for await (const page of subs.listByStatus('confirmed')) all.push(...page);
      expect(all).toHaveLength(7);
      expect((await subs.getMany(['s0002', 's0050', 'nobody'])).map((s) => s.subscriberId).sort()).toEqual([
        's0002',
        's0050',
      ]);
      expect(await subs.addSoftBounce('s0003')).toBe(1);
      expect(await subs.addSoftBounce('s0003')).toBe(2);
      expect(await subs.addSoftBounce('nobody')).toBeUndefined();
    });
  });

  it('rate windows and link stats: if_not_exists with ADD under a limit, counters by begins_with', async () => {
    await onEach(async (table) => {
      const rate = new DynamoRateWindows(table, () => new Date(at));
      const takes = [];
      for (let i = 0; i < 4; i++) takes.push(await rate.take('ip:1', 'w1', 3, 60));
      expect(takes).toEqual([true, true, true, false]);
      const item = await table.get<{ n: number; ttl: number }>({ pk: 'RATE#ip:1', sk: 'w1' });
      expect(item).toMatchObject({ n: 3, ttl: Math.floor(Date.parse(at) / 1000) + 60 });
      const stats = new DynamoStatsRepo(table);
      await stats.increment('edition#4', { sent: 2, delivered: 1 });
      await stats.increment('edition#4', { sent: 3 });
      expect(await stats.get('edition#4')).toMatchObject({ sent: 5, delivered: 1 });
      await stats.addLinkClick('edition#4', 'https://a.example/', 2, 'other');
      await stats.addLinkClick('edition#4', 'https://a.example/', 2, 'other');
      await stats.addLinkClick('edition#4', 'https://b.example/', 2, 'other');
      expect(await stats.addLinkClick('edition#4', 'https://c.example/', 2, 'other')).toBe('other');
      const clicks = (await stats.linkClicks('edition#4')).map((l) => [l.link, l.clicks]);
      expect(clicks).toEqual(
        expect.arrayContaining([
          ['https://a.example/', 2],
          ['https://b.example/', 1],
        ]),
      );
    });
  });

  it('table: ReturnValues, list_append and REMOVE, descending GSI queries with a limit, 1 MB pages', async () => {
    const seen: unknown[] = [];
    await onEach(async (table) => {
      await table.put({ pk: 'X#1', sk: 'A', audit: ['one'], extra: 'x', n: 1 });
      const out = await table.update(
        { pk: 'X#1', sk: 'A' },
        {
          UpdateExpression: 'SET audit = list_append(audit, :e), n = n + :two REMOVE extra',
          ExpressionAttributeValues: { ':e': ['two'], ':two': 2 },
        },
      );
      expect(out).toEqual({ pk: 'X#1', sk: 'A', audit: ['one', 'two'], n: 3 });
      await expect(
        table.put(
          { pk: 'X#1', sk: 'A' },
          { ConditionExpression: 'size(audit) = :n', ExpressionAttributeValues: { ':n': 1 } },
        ),
      ).rejects.toBeInstanceOf(ConditionFailed);
      await expect(
        table.delete(
          { pk: 'X#1', sk: 'A' },
          { ConditionExpression: 'n BETWEEN :a AND :b', ExpressionAttributeValues: { ':a': 1, ':b': 3 } },
        ),
      ).resolves.toBeUndefined();
      expect(await table.get({ pk: 'X#1', sk: 'A' })).toBeUndefined();
      for (let i = 0; i < 5; i++) await table.put({ pk: `G#${i}`, sk: 'G', gsi1pk: 'GS', gsi1sk: `k${i}` });
      expect((await table.queryGsi1('GS', { forward: false, limit: 2 })).map((i) => i.gsi1sk)).toEqual([
        'k4',
        'k3',
        'k2',
        'k1',
        'k0',
      ]);
      expect((await table.queryGsi1('GS', { beginsWith: 'k3' })).map((i) => i.pk)).toEqual(['G#3']);
      // 30 items of ~100 KB: DynamoDB answers a Query in pages of at most 1 MB.
      const big = 'x'.repeat(100_000);
      for (let i = 0; i < 30; i++) await table.put({ pk: 'BIG', sk: String(i).padStart(2, '0'), big });
      let pages = 0;
      let items = 0;
      for await (const page of table.queryPages({
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': 'BIG' },
      })) {
        pages++;
        items += page.length;
      }
      expect(items).toBe(30);
      expect(pages).toBeGreaterThan(2);
      seen.push(pages);
    });
    expect(new Set(seen).size).toBe(1);
  });

  it('rejects what DynamoDB rejects: unused expression values, unknown placeholders, updating a key', async () => {
    await onEach(async (table) => {
      await expect(
        table.put(
          { pk: 'V#1', sk: 'V' },
          { ConditionExpression: 'attribute_not_exists(pk)', ExpressionAttributeValues: { ':x': 1 } },
        ),
      ).rejects.toThrow(/unused/i);
      await expect(
        table.update({ pk: 'V#1', sk: 'V' }, { UpdateExpression: 'SET a = :missing' }),
      ).rejects.toThrow(/ExpressionAttributeValues|not defined/);
      await expect(
        table.update(
          { pk: 'V#1', sk: 'V' },
          { UpdateExpression: 'SET sk = :s', ExpressionAttributeValues: { ':s': 'W' } },
        ),
      ).rejects.toThrow(/key/i);
    });
  });
});

describe('the in-memory DynamoDB stand-in bills as dynalite does', () => {
  it('charges the same read and write units for the send engine’s requests (the bench’s cost comes from them)', async () => {
    const bills: number[][] = [];
    await onEach(async (table) => {
      const units: number[] = [];
      const bill = (out: {
        ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
      }) => {
        const list = Array.isArray(out.ConsumedCapacity) ? out.ConsumedCapacity : [out.ConsumedCapacity];
        units.push(list.reduce((a, c) => a + (c?.CapacityUnits ?? 0), 0));
      };
      const doc = table.doc;
      const TableName = table.name;
      const rc = 'TOTAL' as const;
      const claim = {
        pk: 'DELIVERY#edition#7',
        type: 'delivery',
        campaign: 'edition#7',
        status: 'claimed',
        claimToken: 'b4c1d2e3-0000-4000-8000-000000000000',
        claimedAt: at,
        run: 'r1',
        attempts: 1,
      };
      const { PutCommand, GetCommand, UpdateCommand, QueryCommand, BatchGetCommand } = await import(
        '@aws-sdk/lib-dynamodb'
      );
      for (let i = 0; i < 3; i++)
        bill(
          await doc.send(
            new PutCommand({ TableName, Item: { ...claim, sk: `sub-${i}` }, ReturnConsumedCapacity: rc }),
          ),
        );
      // A 3 KB outcome log: more than one write unit.
      const sent = Object.fromEntries(
        Array.from({ length: 40 }, (_, i) => [`subscriber-${i}`, `message-id-${i}-${'x'.repeat(40)}`]),
      );
      bill(
        await doc.send(
          new PutCommand({
            TableName,
            Item: { pk: claim.pk, sk: '#LOG#r1#00001', sent },
            ReturnConsumedCapacity: rc,
          }),
        ),
      );
      bill(
        await doc.send(
          new GetCommand({
            TableName,
            Key: { pk: claim.pk, sk: 'sub-1' },
            ConsistentRead: true,
            ReturnConsumedCapacity: rc,
          }),
        ),
      );
      bill(
        await doc.send(
          new GetCommand({ TableName, Key: { pk: claim.pk, sk: 'sub-1' }, ReturnConsumedCapacity: rc }),
        ),
      );
      bill(
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: { pk: claim.pk, sk: 'sub-2' },
            UpdateExpression: 'SET #st = :s ADD attempts :one',
            ExpressionAttributeNames: { '#st': 'status' },
            ExpressionAttributeValues: { ':s': 'uncertain', ':one': 1 },
            ReturnConsumedCapacity: rc,
          }),
        ),
      );
      bill(
        await doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :p',
            ExpressionAttributeValues: { ':p': claim.pk },
            ReturnConsumedCapacity: rc,
          }),
        ),
      );
      bill(
        await doc.send(
          new BatchGetCommand({
            RequestItems: {
              [TableName]: {
                Keys: [0, 1, 9].map((i) => ({ pk: claim.pk, sk: `sub-${i}` })),
                ConsistentRead: true,
              },
            },
            ReturnConsumedCapacity: rc,
          }),
        ),
      );
      bills.push(units);
    });
    expect(bills[0]).toHaveLength(9);
    // Not all ones: the 3 KB log is several write units, the eventually consistent read half a unit.
    expect(Math.max(...(bills[0] ?? []))).toBeGreaterThan(1);
    expect(bills[0]).toContain(0.5);
    expect(bills[1]).toEqual(bills[0]);
    expect(bills[2]).toEqual(bills[0]);
  });
});

describe('the in-memory DynamoDB stand-in, where AWS is stricter than dynalite', () => {
  it('rejects an empty-string GSI key value and an IN list of more than 100 operands', async () => {
    const t = backends.find((b) => b.name.startsWith('memory'))?.table() as Table;
    await expect(t.put({ pk: 'E#1', sk: 'E', gsi1pk: 'P', gsi1sk: '' })).rejects.toThrow(/empty string/);
    const values = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`:v${i}`, i]));
    await expect(
      t.put(
        { pk: 'E#2', sk: 'E' },
        {
          ConditionExpression: `attribute_not_exists(pk) OR NOT (n IN (${Object.keys(values).join(', ')}))`,
          ExpressionAttributeValues: values,
        },
      ),
    ).rejects.toThrow(/IN/);
  });
});

describe('the embedded stack with the stand-in as its table (GAZETTE_DYNAMODB_ENDPOINT)', () => {
  it('the real send engine mails every confirmed recipient once, skips one unsubscribed since it was listed, and finishes', async () => {
    const memory = new MemoryDynamoDB();
    const http = await memory.listen();
    const stack = await startTestStack({
      env: { GAZETTE_DYNAMODB_ENDPOINT: http.endpoint, GAZETTE_SEND_BATCH_SIZE: '20' },
    });
    try {
      const subs = [
        ...makeSubscribers(70),
        ...makeSubscribers(5, { domain: 'b.example', status: 'unconfirmed' }),
      ];
      const repo = new DynamoSubscriberRepo(stack.infra.table);
      for (const s of subs) expect(await repo.create(s)).toBe(true);
      // The recipients' current state is read from the table (the engine's batched lookups), not the source.
      const left = subs[3] as Subscriber;
      await repo.save({ ...((await repo.get(left.subscriberId)) as Subscriber), status: 'unsubscribed' });
      const t = composeTestSending(stack.infra, { sources: [testSource(subs)] });
      await t.sending.startSend('test#memory', 'cli:alice');
      await t.idle();
      const counts = countByRecipient(
        (await stack.sentMail()).filter((m) => m.subject.startsWith('test#memory ')),
      );
      expect(counts.size).toBe(69);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(counts.has(left.email)).toBe(false);
      const status = await t.sending.status('test#memory', { exact: true });
      expect(status).toMatchObject({ status: 'finished', recipients: 70, sent: 69, skipped: 1, pending: 0 });
      expect(memory.requests.get('PutItem')).toBeGreaterThan(70);
    } finally {
      await stack.stop();
      await http.close();
    }
  });
});
