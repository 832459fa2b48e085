/**
 * Lambda bundle sizes and load times, measured on the bundles CDK would deploy.
 *   bundle_bytes[fn]   esbuild output with infra/bundling.ts's settings (ESM, node22, minified, @aws-sdk/* external)
 *   require_ms[fn]     wall time of a fresh `node` process that imports the bundle (median of 9), i.e. the
 *                      init cost a cold start adds; the AWS SDK is resolved from node_modules, as the Lambda
 *                      runtime resolves its bundled SDK
 *   node_baseline_ms   the same for an empty module: the floor every function pays
 *   require_floor_ms   the same for the least any Gazette function loads, bundled the same way: zod alone,
 *                      the DynamoDB document client alone (the SDK resolved as above), and both. It shows
 *                      how much of require_ms the chosen stack costs before any Gazette code runs.
 * Targets (issue 7): every function except compile-edition ≤ 600 KB and require ≤ 1.3 × baseline.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ESBUILD_OPTIONS } from '../infra/bundling.ts';
import { HANDLERS } from '../infra/functions.ts';

const ROOT = join(import.meta.dirname, '..');
// Inside the repository so the external @aws-sdk/* imports resolve from node_modules.
const OUT = join(ROOT, 'bench', '.bundles');

/** Environment a deployed function has (dummy values: nothing is called at import time). */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  GAZETTE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bench',
  GAZETTE_SES_CONFIGURATION_SET: 'bench',
  GAZETTE_SEND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

function timeImport(file: string, runs = 9): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [file], {
      env: { PATH: process.env.PATH, ...LAMBDA_ENV },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${file} failed to load: ${r.stderr.toString().slice(0, 500)}`);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(runs / 2)]! * 10) / 10;
}

/** The least a Gazette function loads: its schemas (zod) and its store (the DynamoDB document client). */
const FLOOR_PROBES: Record<string, string> = {
  zod: `import * as z from 'zod';
export const S = z.object({ id: z.string().min(1), at: z.iso.datetime(), n: z.number().int() });`,
  dynamodb_sdk: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
export const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));`,
};
FLOOR_PROBES.zod_and_dynamodb_sdk = `${FLOOR_PROBES.zod}\n${FLOOR_PROBES.dynamodb_sdk}`;

export async function benchLambdas(): Promise<{
  bundle_bytes: Record<string, number>;
  require_ms: Record<string, number>;
  node_baseline_ms: number;
  require_floor_ms: Record<string, number>;
}> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  try {
    const empty = join(OUT, 'empty.mjs');
    writeFileSync(empty, 'export const handler = async () => ({});\n');
    const node_baseline_ms = timeImport(empty);
    const bundle_bytes: Record<string, number> = {};
    const require_ms: Record<string, number> = {};
    for (const name of HANDLERS) {
      const outfile = join(OUT, `${name}.mjs`);
      await build({
        entryPoints: [join(ROOT, 'functions', `${name}.ts`)],
        ...ESBUILD_OPTIONS,
        outfile,
      });
      bundle_bytes[name] = statSync(outfile).size;
      require_ms[name] = timeImport(outfile);
    }
    const require_floor_ms: Record<string, number> = {};
    for (const [name, source] of Object.entries(FLOOR_PROBES)) {
      const entry = join(OUT, `floor-${name}.ts`);
      const outfile = join(OUT, `floor-${name}.mjs`);
      writeFileSync(entry, source);
      await build({ entryPoints: [entry], ...ESBUILD_OPTIONS, outfile });
      require_floor_ms[name] = timeImport(outfile);
    }
    return { bundle_bytes, require_ms, node_baseline_ms, require_floor_ms };
  } finally {
    rmSync(OUT, { recursive: true, force: true });
  }
}
