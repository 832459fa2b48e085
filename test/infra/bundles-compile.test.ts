/**
 * The edition compiler as CDK deploys it (issue 17): mjml is not in index.mjs (parsed at every cold start)
 * but installed beside it, and the deployed handler still compiles. The asset is built by real CDK
 * bundling, then its handler runs in a plain Node process against the local stand-ins (DynamoDB, S3), as
 * the Lambda runtime would run it: the quarterly schedule's event in, a draft edition out.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/gazette.ts';
import { keys } from '../../src/adapters/dynamodb/keys.ts';
import { LOCAL_CREDENTIALS } from '../../src/runtimes/local/stack.ts';
import { startTestStack } from '../support/local-stack.ts';
import { anUpdate } from '../unit/editions/fixtures.ts';
import { cdkBundle } from './bundles-support.ts';

describe('compile-edition as deployed', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let dir: string;
  mkdirSync(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
  // Inside the repository so the bundle resolves @aws-sdk/* from node_modules, as the Lambda runtime provides it.
  const outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', 'compile-bundle-'));

  beforeAll(async () => {
    dir = cdkBundle('compile-edition', outdir);
    stack = await startTestStack();
    const u = anUpdate({
      title: 'Deployed item',
      receivedAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    await stack.infra.table.put({
      ...keys.update(u.updateId),
      gsi1pk: 'UPDATES#approved',
      gsi1sk: `${u.receivedAt}#${u.updateId}`,
      ...u,
    });
    // esbuild and npm installs (sharp, mjml), more on a busy 2-core machine.
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
    rmSync(outdir, { recursive: true, force: true });
  });

  it('keeps mjml out of the file a cold start parses', () => {
    const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
    // mjml-core's component registry and its Outlook helpers are not inlined; the import is left to Node.
    expect(bundle).not.toContain('mj-column');
    expect(bundle).toMatch(/import\("mjml"\)/);
    expect(bundle.length).toBeLessThan(1_500_000);
  });

  it('compiles an edition with the deployed handler, loading mjml from beside the bundle', async () => {
    const index = pathToFileURL(join(dir, 'index.mjs')).href;
    const probe = `import { createRequire } from 'node:module';
      const m = await import(${JSON.stringify(index)});
      const result = await m.handler({ gazetteScheduled: { type: 'compile-edition' } });
      const mjml = createRequire(${JSON.stringify(index)}).resolve('mjml');
      process.stdout.write('\\nPROBE ' + JSON.stringify({ result, mjml }) + '\\n');`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        // As on Lambda: the templates folder is found under the task root.
        LAMBDA_TASK_ROOT: dir,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
        AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
        GAZETTE_TABLE: stack.infra.table.name,
        GAZETTE_CONTENT_BUCKET: stack.config.GAZETTE_CONTENT_BUCKET,
        GAZETTE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:unused',
        GAZETTE_SES_CONFIGURATION_SET: 'gazette',
        GAZETTE_FIRST_EDITION_NUMBER: '9',
      },
    });
    // The function's own log lines (JSON on stdout, as on Lambda) come first.
    const line = stdout.split('\n').find((l) => l.startsWith('PROBE ')) ?? '';
    const { result, mjml } = JSON.parse(line.slice(6)) as { result: unknown; mjml: string };
    expect(result).toEqual({ ok: true, number: 9, items: 1 });
    // The copy installed in the asset, not the repository's (the asset sits inside the repository here).
    expect(mjml.startsWith(join(dir, 'node_modules', 'mjml'))).toBe(true);
    const edition = await stack.infra.table.get<{ status: string }>(keys.edition(9));
    expect(edition).toMatchObject({ status: 'draft' });
  }, 120_000);
});
