import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_ADMIN_TOKEN } from '../../support/local-stack.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../../bin/gazette.js');
const ITEM = readFileSync(new URL('../../../templates/partials/item.mjml', import.meta.url), 'utf8');

describe('gazette templates (CLI against the admin API)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const dir = mkdtempSync(join(tmpdir(), 'gz-templates-'));
  const gazette = (...args: string[]) =>
    run(process.execPath, [BIN, '--api', stack.urls.api, 'templates', ...args], {
      env: { ...process.env, GAZETTE_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    });
  const json = async (...args: string[]) => JSON.parse((await gazette('--json', ...args)).stdout);

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  // Each run starts a process (about 1.5 s, several on a loaded machine): one per command, so a long timeout.
  const SLOW = 120_000;
  it(
    "refuses a broken file with mjml's message and its line, then previews and saves a good one",
    async () => {
      const bad = join(dir, 'bad.mjml');
      writeFileSync(bad, ITEM.replace('<mj-column>', '<mj-column>\n<mj-colum>'));
      const err = await gazette('save', 'partials/item.mjml', '--from', bad).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(err).toMatchObject({ code: expect.any(Number) });
      expect((err as { stderr: string }).stderr).toMatch(/partials\/item\.mjml:4: mj-colum/);

      const good = join(dir, 'item.mjml');
      writeFileSync(good, ITEM.replace('{{organisation}}</p>', '{{organisation}} · CLI-MARK</p>'));
      const out = join(dir, 'preview.html');
      const { stdout } = await gazette('preview', '--set', `partials/item.mjml=${good}`, '--out', out);
      expect(stdout).toMatch(/the sample content in en, on version 0 .*Nothing was saved/);
      expect(readFileSync(out, 'utf8')).toContain('CLI-MARK');

      const saved = await json(
        'save',
        'partials/item.mjml',
        '--from',
        good,
        '--note',
        'mark the organisation',
      );
      expect(saved).toMatchObject({
        saved: { version: 1, changed: ['partials/item.mjml'] },
        unchanged: false,
      });
      expect((await gazette('show', 'partials/item.mjml')).stdout).toContain('CLI-MARK');
    },
    SLOW,
  );

  it(
    'lists versions and rolls back to the deployed folder',
    async () => {
      const list = await json('list');
      expect(list).toMatchObject({ version: 1, source: 'store' });
      const stale = await gazette(
        'save',
        'partials/item.mjml',
        '--from',
        join(dir, 'item.mjml'),
        '--base',
        '0',
      ).catch((e: { stderr: string }) => e);
      expect((stale as { stderr: string }).stderr).toMatch(/changed since version 0/);
      const back = await json('rollback', '0');
      expect(back.saved).toMatchObject({ version: 2, restores: 0 });
      const { stdout } = await gazette('versions');
      expect(stdout).toMatch(/Active: version 2/);
      expect(stdout).toMatch(/mark the organisation/);
      expect((await gazette('show', 'partials/item.mjml')).stdout).toBe(ITEM);
    },
    SLOW,
  );
});
