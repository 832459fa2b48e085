import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';

// These tests start the CLI as processes (tsx, seconds each on a busy 2-core machine): minutes, not 30 s.
vi.setConfig({ testTimeout: 120_000 });

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../../bin/gazette.js');

/** Runs bin/gazette.js and returns stdout, stderr and the exit code, never throwing on a non-zero exit. */
async function gazette(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, GAZETTE_API_URL: '' },
    });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; code: number };
    return { stdout: x.stdout, stderr: x.stderr, code: x.code };
  }
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('gazette CLI: errors a user meets without an engineer', () => {
  it('--json prints one JSON error object on stdout for a usage error, and exits non-zero', async () => {
    const [unknown, missing] = await Promise.all([
      gazette('--json', 'bogus'),
      gazette('--json', 'subscribers', 'show'),
    ]);
    for (const r of [unknown, missing]) {
      expect(r.code).not.toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({ error: { error: 'usage' } });
    }
    expect(JSON.parse(missing.stdout).error.message).toContain('emailOrId');
  });

  it('says which API it cannot reach (not "fetch failed"), in human and --json output', async () => {
    const api = `http://127.0.0.1:${await closedPort()}`;
    const [human, json] = await Promise.all([
      gazette('--api', api, 'subscribers', 'list'),
      gazette('--api', api, '--json', 'subscribers', 'list'),
    ]);
    expect(human.code).toBe(1);
    expect(human.stderr.trim().split('\n')).toHaveLength(1);
    expect(human.stderr).toContain(`cannot reach the Gazette API at ${api}`);
    expect(human.stderr).toContain('ECONNREFUSED');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error.message).toContain(`cannot reach the Gazette API at ${api}`);
  });
});
