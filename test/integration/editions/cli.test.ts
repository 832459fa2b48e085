import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import { startTestStack, TEST_ADMIN_TOKEN } from '../../support/local-stack.ts';
import { anUpdate } from '../../unit/editions/fixtures.ts';

// These tests start the CLI as processes (tsx, seconds each on a busy 2-core machine): minutes, not 30 s.
vi.setConfig({ testTimeout: 120_000 });

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../../bin/gazette.js');

describe('gazette editions (CLI against the admin API)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const cli = async (...args: string[]) => {
    const { stdout } = await run(
      process.execPath,
      [BIN, '--api', stack.urls.api, '--json', 'editions', ...args],
      {
        env: { ...process.env, GAZETTE_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
      },
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    const u = anUpdate({
      title: '绿色采购指南',
      receivedAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    await stack.infra.table.put({
      ...keys.update(u.updateId),
      gsi1pk: 'UPDATES#approved',
      gsi1sk: `${u.receivedAt}#${u.updateId}`,
      ...u,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  // Each run starts a process (about 1.5 s): one per command that has its own wiring.
  it('compiles, test-sends and approves an edition', async () => {
    const compiled = await cli('compile');
    expect(compiled).toMatchObject({ number: 1, status: 'draft', items: 1 });
    const sent = (await cli('test-send', '1', '--to', 'a@igpn.example,b@igpn.example', '--lang', 'zh')) as {
      sent: unknown[];
    };
    expect(sent.sent).toHaveLength(2);
    expect(await cli('approve', '1', '--by', 'Alice', '--revision', String(compiled.revision))).toMatchObject(
      {
        status: 'approved',
      },
    );
  });

  it('exits with a clear error for a state the API refuses', async () => {
    const err = await run(process.execPath, [BIN, '--api', stack.urls.api, 'editions', 'approve', '1'], {
      env: { ...process.env, GAZETTE_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(/only a draft can be approved/);
  });
});
