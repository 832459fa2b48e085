import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_ADMIN_TOKEN } from '../../support/local-stack.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../../bin/gazette.js');
const fixtures = join(import.meta.dirname, '../../fixtures');

describe('gazette members / updates / ingest (CLI against the admin API)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  /** Runs bin/gazette.js --json and insists on exactly one JSON object on stdout. */
  const gazette = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, [bin, '--api', stack.urls.api, '--json', ...args], {
      env: { ...process.env, GAZETTE_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0] ?? '');
  };

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('registers a member, ingests files with each outcome, approves with an edit', async () => {
    const m = await gazette(
      'members',
      'add',
      '--org',
      'GreenBuy e.V.',
      '--type',
      'network',
      '--country',
      'Germany',
      '--sender',
      'news@greenbuy.example',
      '--language',
      'de',
    );
    expect(m).toMatchObject({
      organisation: 'GreenBuy e.V.',
      senders: ['news@greenbuy.example'],
      language: 'de',
    });

    // Each CLI start costs seconds (tsx), so the independent runs go in parallel.
    const [accepted, rejected, quarantined] = await Promise.all([
      gazette('ingest', join(fixtures, 'inbound/member-news.eml')),
      gazette('ingest', join(fixtures, 'corpus/postal-mime--bounce.eml')),
      gazette('ingest', join(fixtures, 'inbound/forwarded-chain.eml'), '--verdicts', 'fail'),
    ]);
    expect(accepted).toEqual({ outcome: 'accepted', updateId: expect.stringMatching(/^u_/) });
    expect(rejected).toEqual({
      outcome: 'rejected',
      reason: 'delivery status notification (bounce), not a member update',
    });
    expect(quarantined).toEqual({
      outcome: 'quarantined',
      updateId: expect.any(String),
      reason: expect.stringMatching(/SPF=FAIL/),
    });

    const approved = await gazette('updates', 'approve', accepted.updateId, '--title', 'SPP Forum 2026');
    expect(approved).toMatchObject({ status: 'approved', title: 'SPP Forum 2026' });
  });
});
