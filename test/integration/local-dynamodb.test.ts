import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTtlSweeper } from '../../src/adapters/local/local-ttl-sweeper.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { startTestStack } from '../support/local-stack.ts';

const require = createRequire(import.meta.url);

/**
 * GAZETTE_DYNAMODB_ENDPOINT points the embedded stack at another DynamoDB API (CI's second pass uses AWS's
 * DynamoDB Local). A plain dynalite started here stands in for it, so this runs in every pass.
 */
describe('an external DynamoDB endpoint and local TTL', () => {
  let external: Server;
  let endpoint: string;
  let stacks: Awaited<ReturnType<typeof startTestStack>>[] = [];

  beforeAll(async () => {
    const dynalite = require('dynalite') as (o: Record<string, unknown>) => Server;
    external = dynalite({ createTableMs: 0 });
    external.listen(0, '127.0.0.1');
    await once(external, 'listening');
    endpoint = `http://127.0.0.1:${(external.address() as AddressInfo).port}`;
    stacks = [
      await startTestStack({ env: { GAZETTE_DYNAMODB_ENDPOINT: endpoint } }),
      await startTestStack({ env: { GAZETTE_DYNAMODB_ENDPOINT: endpoint } }),
    ];
  });
  afterAll(async () => {
    for (const s of stacks) await s.stop();
    await new Promise((r) => external?.close(r));
  });

  it('uses the given endpoint instead of starting dynalite, with a table of its own per in-memory stack', async () => {
    const [a, b] = stacks as [(typeof stacks)[0], (typeof stacks)[0]];
    expect(a.endpoints.dynamodb).toBe(endpoint);
    expect(a.infra.table.name).not.toBe(b.infra.table.name);
    const listed = await a.infra.table.client.send(new ListTablesCommand({}));
    expect(listed.TableNames).toEqual(expect.arrayContaining([a.infra.table.name, b.infra.table.name]));

    await a.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email: 'only-in-a@example.org', consent: true }),
    });
    expect((await a.admin('/admin/subscribers/only-in-a@example.org')).status).toBe(200);
    expect((await b.admin('/admin/subscribers/only-in-a@example.org')).status).toBe(404);
  });

  it('the local TTL sweeper deletes expired items only, and spares one rewritten with a later ttl', async () => {
    const { table } = (stacks[0] as (typeof stacks)[0]).infra;
    const now = Math.floor(Date.now() / 1000);
    await table.put({ pk: 'TTLTEST#old', sk: 'X', ttl: now - 10 });
    await table.put({ pk: 'TTLTEST#new', sk: 'X', ttl: now + 3600 });
    await table.put({ pk: 'TTLTEST#none', sk: 'X' });
    const sweeper = new LocalTtlSweeper(
      table,
      { now: () => new Date(), sleep: async () => {} },
      silentLogger,
    );
    expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
    expect(await table.get({ pk: 'TTLTEST#old', sk: 'X' })).toBeUndefined();
    expect(await table.get({ pk: 'TTLTEST#new', sk: 'X' })).toBeDefined();
    expect(await table.get({ pk: 'TTLTEST#none', sk: 'X' })).toBeDefined();
  });
});
