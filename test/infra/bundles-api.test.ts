/**
 * The api as CDK deploys it (issue 17): the subscriber import readers (.xlsx, charset detection, the CSV
 * writer) are not in index.mjs, which every cold start parses, but installed beside it, and resolve from
 * there when an import or export loads them. Real CDK bundling; the asset is probed in a plain Node process.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SPREADSHEET_MODULES } from '../../infra/bundling.ts';
import { PROJECT_ROOT } from '../../infra/gazette.ts';
import { cdkBundle, handlerTypeInPlainNode } from './bundles-support.ts';

describe('api as deployed', () => {
  mkdirSync(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
  // Inside the repository so the bundle resolves @aws-sdk/* from node_modules, as the Lambda runtime provides it.
  const outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', 'api-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('loads its import readers from beside the bundle, and they work', () => {
    const dir = cdkBundle('api', outdir);
    const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
    // The readers are imported where they are used, by name, left to Node.
    expect(bundle).toMatch(/import\("read-excel-file\/node"\)/);
    expect(bundle).toMatch(/import\("chardet"\)/);
    expect(bundle).toMatch(/import\("csv-stringify\/sync"\)/);
    expect(handlerTypeInPlainNode(dir)).toBe('function');
    // Resolved from a module in the asset, as index.mjs resolves them: the asset's copies, not the repository's.
    writeFileSync(
      join(dir, 'probe.mjs'),
      `const { detect } = (await import('chardet')).default;
      const { stringify } = await import('csv-stringify/sync');
      const { readSheet } = await import('read-excel-file/node');
      process.stdout.write(JSON.stringify({
        where: ['read-excel-file/node', 'chardet', 'csv-stringify/sync'].map((s) => import.meta.resolve(s)),
        csv: stringify([['email', 'name'], ['a@example.org', 'Zoë']]),
        charset: detect(Buffer.from('Grüße aus Köln, schöne Grüße', 'latin1')),
        reader: typeof readSheet,
      }));`,
    );
    const out = JSON.parse(
      execFileSync(process.execPath, [join(dir, 'probe.mjs')], { encoding: 'utf8' }),
    ) as {
      where: string[];
      csv: string;
      charset: string;
      reader: string;
    };
    expect(out.where).toHaveLength(SPREADSHEET_MODULES.length);
    for (const url of out.where) expect(url).toContain(`${dir}/node_modules/`);
    expect(out.csv).toBe('email,name\na@example.org,Zoë\n');
    expect(out.charset).toMatch(/ISO-8859-1|windows-1252/);
    expect(out.reader).toBe('function');
  }, 300_000);
});
