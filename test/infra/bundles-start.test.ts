/**
 * What a cold start of a deployed bundle does before its first event (issue 17): every function but the
 * compiler composes its area in the first invocation, so loading the bundle parses no configuration, builds no
 * adapter and no logger. Proved on the real bundles (infra/bundling.ts's settings) in a plain Node process
 * with none of the function's environment: loading succeeds, and the first event still fails fast, naming
 * the missing variable.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildOptionsFor } from '../../infra/bundling.ts';
import type { HandlerName } from '../../infra/functions.ts';
import { PROJECT_ROOT } from '../../infra/gazette.ts';

/** A first event of each kind (enough to reach the composition; nothing is called). */
const FIRST_EVENTS: Partial<Record<HandlerName, unknown[]>> = {
  api: [
    {
      version: '2.0',
      rawPath: '/admin/members',
      headers: {},
      requestContext: { stage: '$default', http: { method: 'GET', sourceIp: '192.0.2.1' } },
    },
  ],
  'public-api': [
    {
      version: '2.0',
      rawPath: '/v1/subscribe',
      headers: {},
      requestContext: { stage: '$default', http: { method: 'POST', sourceIp: '192.0.2.1' } },
    },
  ],
  ingest: [{ Records: [] }],
  dispatch: [{ gazetteJob: { type: 'inbound-digest' } }],
  'send-worker': [
    { Records: [] },
    { getRemainingTimeInMillis: () => 60_000, functionName: 'probe', awsRequestId: 'probe' },
  ],
  'ses-events': [{ Records: [] }],
  reminder: [{ gazetteScheduled: { type: 'reminder', deadlineId: 'd1', offset: 'P1D', version: 1 } }],
};

describe('functions that compose on first use', () => {
  mkdirSync(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
  // Inside the repository so the external @aws-sdk/* imports resolve, as the Lambda runtime provides them.
  const outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', 'start-probe-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it.each(Object.keys(FIRST_EVENTS) as HandlerName[])(
    '%s loads with no configuration at all; its first event fails naming the missing variable',
    async (name) => {
      const file = join(outdir, `${name}.mjs`);
      await build({
        entryPoints: [join(PROJECT_ROOT, 'functions', `${name}.ts`)],
        ...esbuildOptionsFor(name),
        outfile: file,
        absWorkingDir: PROJECT_ROOT,
      });
      const probe = `const m = await import(${JSON.stringify(pathToFileURL(file).href)});
        const loaded = typeof m.handler;
        const args = ${JSON.stringify(FIRST_EVENTS[name])};
        if (args[1]) args[1].getRemainingTimeInMillis = () => 60000;
        let failure = 'none';
        try { await m.handler(...args); } catch (e) { failure = e.message; }
        process.stdout.write(JSON.stringify({ loaded, failure }));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
        cwd: outdir,
        encoding: 'utf8',
        // Not even a region: before, the module scope parsed the configuration and threw here.
        env: { PATH: process.env.PATH },
      });
      const { loaded, failure } = JSON.parse(out) as { loaded: string; failure: string };
      expect(loaded).toBe('function');
      expect(failure).toMatch(/Invalid configuration: .*GAZETTE_TOKEN_SECRET_ARN/);
    },
    60_000,
  );
});
