import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, TEST_ADMIN_TOKEN } from '../../support/local-stack.ts';

// The CLI runs as a process (tsx, seconds on a busy 2-core machine).
vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../../bin/gazette.js');

describe('gazette subscribers import (CLI, against the embedded stack)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let dir: string;
  beforeAll(async () => {
    stack = await startTestStack();
    dir = await mkdtemp(join(tmpdir(), 'gazette-cli-import-'));
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sends the rows in requests as it reads them and still reports a duplicate of an earlier request by its first line', async () => {
    // 700 rows: three requests of 250 at most. Row 450 repeats row 3's address (in the first request),
    // row 300 is no address, every other 100th row has no consent (skipped).
    const file = join(dir, 'people.csv');
    const out = createWriteStream(file);
    out.write('Email,Name,Consent\r\n');
    for (let line = 2; line <= 701; line++) {
      const email = line === 450 ? 'cli3@example.org' : line === 300 ? 'nobody' : `cli${line}@example.org`;
      out.write(`${email},"Person\r\n${line}",${line % 100 ? 'yes' : 'no'}\r\n`);
    }
    out.end();
    await once(out, 'finish');
    const url = new URL(stack.urls.api);
    const r = await run(process.execPath, [bin, '--json', 'subscribers', 'import', file], {
      env: {
        ...process.env,
        GAZETTE_API_URL: '',
        GAZETTE_HOST: url.hostname,
        GAZETTE_HTTP_PORT: url.port,
        GAZETTE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      },
    }).then(
      (x) => ({ ...x, code: 0 }),
      (e: { stdout: string; stderr: string; code: number }) => e,
    );
    expect(r.code, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout);
    // Each row spans two lines (a quoted line break): the row written as `line` n starts on line 2n - 2.
    const lineOf = (n: number) => 2 * n - 2;
    expect(report).toMatchObject({
      rows: 700,
      imported: 700 - 2 - 6,
      errorCount: 2,
      errorsTruncated: false,
      skippedCount: 6,
      skippedTruncated: false,
    });
    expect(report.errors).toEqual([
      { line: lineOf(300), reason: expect.stringMatching(/not a valid address/) },
      { line: lineOf(450), reason: `duplicate of line ${lineOf(3)}` },
    ]);
    expect(report.skipped.map((s: { line: number }) => s.line)).toEqual(
      [100, 200, 300, 400, 500, 600, 700].filter((l) => l !== 300).map(lineOf),
    );
  });
});
