import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import { DynamoSubscriberRepo } from '../../../src/adapters/dynamodb/subscriber-repo.ts';
import { startTestStack, TEST_ADMIN_TOKEN } from '../../support/local-stack.ts';
import { anUpdate } from '../../unit/editions/fixtures.ts';
import { confirmedSubscriber } from '../reminders/wiring.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../../bin/gazette.js');

describe('gazette editions audience | send --dry-run | schedule (CLI against the admin API)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const exec = (...args: string[]) =>
    run(process.execPath, [BIN, '--api', stack.urls.api, 'editions', ...args], {
      env: { ...process.env, GAZETTE_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    });
  const cli = async (...args: string[]) => JSON.parse((await exec('--json', ...args)).stdout);

  beforeAll(async () => {
    stack = await startTestStack();
    const u = anUpdate({
      title: 'Council notes',
      receivedAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    await stack.infra.table.put({
      ...keys.update(u.updateId),
      gsi1pk: 'UPDATES#approved',
      gsi1sk: `${u.receivedAt}#${u.updateId}`,
      ...u,
    });
    const subs = new DynamoSubscriberRepo(stack.infra.table);
    await subs.create(
      confirmedSubscriber('zh@readers.example', { audiences: ['newsletter'], language: 'zh' }),
    );
    await subs.create(confirmedSubscriber('en@readers.example', { audiences: ['newsletter'] }));
    const seg = await stack.admin('/admin/segments', {
      method: 'POST',
      body: JSON.stringify({ segmentId: 'chinese', name: 'Chinese readers', filter: { languages: ['zh'] } }),
    });
    expect(seg.status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('shows the audience as a dry run, schedules and cancels the send, and says why an empty audience is refused', async () => {
    expect(await cli('compile')).toMatchObject({ number: 1, status: 'draft' });
    expect(await cli('approve', '1', '--segment', 'chinese')).toMatchObject({
      target: { segmentId: 'chinese' },
    });

    const human = (await exec('send', '1', '--dry-run')).stdout;
    expect(human).toContain('segment chinese (Chinese readers)');
    expect(human).toMatch(/recipients 1\b/);
    expect(human).toContain('zh@readers.example');
    expect(human).not.toContain('en@readers.example');

    const year = new Date().getUTCFullYear() + 1;
    const scheduled = await cli('schedule', '1', '--at', `${year}-01-05 09:00`, '--zone', 'Asia/Shanghai');
    expect(scheduled.schedule).toMatchObject({
      at: `${year}-01-05T01:00:00.000Z`,
      timeZone: 'Asia/Shanghai',
    });
    expect((await exec('show', '1')).stdout).toContain(`send scheduled ${year}-01-05 09:00 Asia/Shanghai`);
    expect((await cli('schedule', '1', '--cancel')).schedule).toBeUndefined();

    // A segment nobody matches: refused with the reason, exit status 2, nothing started.
    const err = await exec('audience', '1', '--set', 'nobody').catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(/no segment nobody/);
    const past = await exec('schedule', '1', '--at', '2020-01-05 09:00').catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((past as { stderr: string }).stderr).toMatch(/is in the past/);
    // Eight CLI processes (about 1.5 s each, more on a busy machine).
  }, 180_000);
});
