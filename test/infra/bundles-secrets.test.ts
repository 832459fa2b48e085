/**
 * The token secret read by the bundled code (issue 17): infra/bundling.ts gives esbuild Powertools'
 * CommonJS parameters build, so the Secrets Manager client is required when the reader first runs instead
 * of being hoisted into every cold start (synth.test.ts checks the hoisting). Here the reader, bundled with
 * a function's settings, still reads through the real SDK client: against a Secrets Manager stand-in that
 * speaks its JSON protocol, a value is read once and then served from the cache.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildOptionsFor } from '../../infra/bundling.ts';
import { PROJECT_ROOT } from '../../infra/gazette.ts';

const KEY = 'k'.repeat(48);

describe('the token secret through the bundled reader', () => {
  mkdirSync(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
  // Inside the repository so the external @aws-sdk/* modules resolve, as the Lambda runtime provides them.
  const outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', 'secrets-probe-'));
  let server: Server | undefined;
  afterAll(() => {
    server?.close();
    rmSync(outdir, { recursive: true, force: true });
  });

  it('reads the secret over the SDK once and serves it from the cache afterwards', async () => {
    const calls: string[] = [];
    const stub = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        calls.push(`${req.headers['x-amz-target']} ${JSON.parse(body).SecretId}`);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:t',
            Name: 't',
            SecretString: KEY,
          }),
        );
      });
    });
    server = stub;
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;

    const file = join(outdir, 'secret-reader.mjs');
    const built = await build({
      entryPoints: [join(PROJECT_ROOT, 'src/adapters/secrets/secret-reader.ts')],
      ...esbuildOptionsFor('public-api'),
      outfile: file,
      metafile: true,
    });
    // The CommonJS build of the provider is what is bundled, and no client is imported at the top.
    const inputs = Object.keys(built.metafile.inputs);
    expect(inputs.some((i) => i.includes('@aws-lambda-powertools/parameters/lib/cjs/secrets/'))).toBe(true);
    const top = Object.values(built.metafile.outputs).flatMap((o) =>
      o.imports.filter((i) => i.external && i.kind === 'import-statement').map((i) => i.path),
    );
    expect(top.filter((p) => p.startsWith('@aws-sdk/'))).toEqual([]);

    const { createSecretReader } = (await import(
      pathToFileURL(file).href
    )) as typeof import('../../src/adapters/secrets/secret-reader.ts');
    const read = createSecretReader({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    expect(await read('gazette/token')).toBe(KEY);
    expect(await read('gazette/token')).toBe(KEY);
    expect(calls).toEqual(['secretsmanager.GetSecretValue gazette/token']);
  });
});
