import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER, EXTERNAL_MODULES, NODE_TARGET } from '../../infra/bundling.ts';
import { HANDLER_SPECS, HANDLERS } from '../../infra/functions.ts';
import { buildGazette, PROJECT_ROOT } from '../../infra/gazette.ts';
import { FUNCTIONS_DIR } from './support.ts';

describe('offline synthesis', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'gazette-cdk-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('synthesises both stacks with no credentials, no lookups and valid CloudFormation', () => {
    const env = { ...process.env };
    for (const k of Object.keys(process.env)) if (/^(AWS_|CDK_DEFAULT_)/.test(k)) delete process.env[k];
    try {
      // Built-in CloudFormation validation stays on here (it throws on schema errors).
      const app = new App({
        outdir,
        context: { 'aws:cdk:bundling-stacks': [], functionsDir: FUNCTIONS_DIR },
      });
      const { stateful, stateless } = buildGazette(app);
      const assembly = app.synth();
      expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
        'Gazette-Stateful',
        'Gazette-Stateless',
      ]);
      for (const s of assembly.stacks) {
        expect(s.environment.account, s.stackName).toBe('unknown-account');
        expect(s.environment.region, s.stackName).toBe('unknown-region');
      }
      // A context lookup would need credentials at synth time.
      expect(assembly.manifest.missing ?? []).toEqual([]);
      expect(stateless.dependencies).toContain(stateful);
      expect(stateful.dependencies).toEqual([]);
    } finally {
      Object.assign(process.env, env);
    }
  });

  it('pins the stacks to an account and region given in context', () => {
    const app = new App({
      builtinCloudFormationValidation: false,
      context: {
        'aws:cdk:bundling-stacks': [],
        functionsDir: FUNCTIONS_DIR,
        account: '123456789012',
        region: 'eu-west-1',
        prefix: 'igpn',
      },
    });
    const { stateful, stateless } = buildGazette(app);
    expect([stateful.stackName, stateful.account, stateful.region]).toEqual([
      'Igpn-Stateful',
      '123456789012',
      'eu-west-1',
    ]);
    expect(stateless.stackName).toBe('Igpn-Stateless');
  });
});

describe('handlers', () => {
  it('has exactly one functions/<name>.ts per deployed function', () => {
    const files = readdirSync(join(PROJECT_ROOT, 'functions'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(files).toEqual([...HANDLERS].sort());
  });

  // The same esbuild settings as infra/bundling.ts, so a handler that cannot be bundled fails here, not at deploy.
  it.each(HANDLERS)(
    '%s bundles for Node 22 without the AWS SDK, and without mjml unless it compiles editions',
    async (name) => {
      const result = await build({
        entryPoints: [join(PROJECT_ROOT, FUNCTIONS_DIR, `${name}.ts`)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: NODE_TARGET,
        minify: true,
        mainFields: ['module', 'main'],
        external: EXTERNAL_MODULES,
        banner: { js: ESM_REQUIRE_BANNER },
        write: false,
        metafile: true,
        logLevel: 'silent',
        absWorkingDir: PROJECT_ROOT,
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.filter((i) => i.includes('node_modules/@aws-sdk/'))).toEqual([]);
      const mjml = inputs.filter((i) => /node_modules\/mjml/.test(i));
      // The compiler must carry its renderer; everyone else must not pay for it at cold start.
      if (HANDLER_SPECS[name].bundlesMjml) expect(mjml.length, `${name} must bundle mjml`).toBeGreaterThan(0);
      else expect(mjml, `${name} must not pull in mjml`).toEqual([]);
    },
  );
});
