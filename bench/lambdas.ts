/**
 * Lambda bundle sizes and load times, measured on the bundles CDK would deploy.
 *   bundle_bytes[fn]         esbuild output with infra/bundling.ts's settings (ESM, minified; the AWS SDK bundled
 *                            or external as SDK_BUNDLED says)
 *   require_ms[fn]           wall time of a fresh `node` process that imports the bundle (median of 9), i.e. the
 *                            init cost a cold start adds; an external SDK is resolved from node_modules, as the
 *                            Lambda runtime resolves its own copy
 *   node_baseline_ms         the same for an empty module: the floor every function pays
 *   eager_packages[fn]       the npm modules (SDK clients, libraries) Gazette's code in a function imports
 *                            statically (those behind `await import()` are not counted: a cold start does not
 *                            load them)
 *   require_floor_ms_fn[fn]  load time of exactly those packages and nothing else, bundled the same way: what
 *                            the chosen stack costs that function before any Gazette code runs
 *   require_ms_other_sdk[fn] require_ms with the SDK treated the other way (bundled ↔ external), same run, so
 *                            the choice in infra/bundling.ts stays the faster one
 *   require_floor_ms         general probes (zod alone, the DynamoDB document client alone, both)
 * Targets (issue 17): require_ms[fn] ≤ 1.2 × require_floor_ms_fn[fn]; every function except compile-edition
 * ≤ 2.5 × node_baseline_ms and ≤ 600 KB.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { eagerImports } from '../infra/bundle-analysis.ts';
import { ESBUILD_OPTIONS, EXTERNAL_MODULES, esbuildOptionsFor } from '../infra/bundling.ts';
import { HANDLERS, type HandlerName } from '../infra/functions.ts';

const ROOT = join(import.meta.dirname, '..');
// Inside the repository so the external @aws-sdk/* imports resolve from node_modules.
const OUT = join(ROOT, 'bench', '.bundles');
const SDK_BUNDLED = !EXTERNAL_MODULES.includes('@aws-sdk/*');

/** Environment a deployed function has (dummy values: nothing is called at import time). */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  GAZETTE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bench',
  GAZETTE_SES_CONFIGURATION_SET: 'bench',
  GAZETTE_SEND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

function loadOnce(file: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [file], {
    env: { PATH: process.env.PATH, ...LAMBDA_ENV },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${file} failed to load: ${r.stderr.toString().slice(0, 500)}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 10) / 10;
};

/**
 * Median load time of each file over `runs` rounds, the files interleaved within each round: what is compared
 * (a function, its floor, the other SDK choice, bare Node) is measured under the same machine load.
 */
function timeImports(files: string[], runs = 9): number[] {
  const times = files.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) for (const [j, f] of files.entries()) times[j]!.push(loadOnce(f));
  return times.map(median);
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

async function eagerOf(name: HandlerName): Promise<string[]> {
  const r = await build({
    entryPoints: [join(ROOT, 'functions', `${name}.ts`)],
    ...ESBUILD_OPTIONS,
    // Measured with everything external: which modules a handler loads does not depend on bundling.
    external: ['@aws-sdk/*', ...esbuildOptionsFor(name).external!],
    splitting: true,
    outdir: join(OUT, `split-${name}`),
    metafile: true,
    write: false,
  });
  return eagerImports(r.metafile, `functions/${name}.ts`);
}

/** A module importing exactly these specifiers (every export kept, so nothing is shaken away). */
function floorSource(packages: string[]): string {
  const lines = packages.map((p, i) => `import * as p${i} from '${p}';`);
  lines.push(`export const keep = [${packages.map((_, i) => `p${i}`).join(', ')}];`);
  return `${lines.join('\n')}\n`;
}

async function bundle(entry: string, outfile: string, extra: BuildOptions = {}): Promise<number> {
  await build({ entryPoints: [entry], ...ESBUILD_OPTIONS, ...extra, outfile });
  return statSync(outfile).size;
}

export async function benchLambdas(): Promise<{
  sdk_bundled: boolean;
  bundle_bytes: Record<string, number>;
  require_ms: Record<string, number>;
  node_baseline_ms: number;
  eager_packages: Record<string, string[]>;
  require_floor_ms_fn: Record<string, number>;
  require_ms_other_sdk: Record<string, number>;
  require_floor_ms: Record<string, number>;
}> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  try {
    const empty = join(OUT, 'empty.mjs');
    writeFileSync(empty, 'export const handler = async () => ({});\n');
    const bundle_bytes: Record<string, number> = {};
    const require_ms: Record<string, number> = {};
    const eager_packages: Record<string, string[]> = {};
    const require_floor_ms_fn: Record<string, number> = {};
    const require_ms_other_sdk: Record<string, number> = {};
    const baselines: number[] = [];
    for (const name of HANDLERS) {
      const entry = join(ROOT, 'functions', `${name}.ts`);
      const outfile = join(OUT, `${name}.mjs`);
      const own = esbuildOptionsFor(name);
      bundle_bytes[name] = await bundle(entry, outfile, own);
      const other = join(OUT, `${name}-other-sdk.mjs`);
      const others = (own.external ?? []).filter((e) => e !== '@aws-sdk/*');
      await bundle(entry, other, { external: SDK_BUNDLED ? [...others, '@aws-sdk/*'] : others });
      const packages = await eagerOf(name);
      eager_packages[name] = packages;
      const floorEntry = join(OUT, `floor-fn-${name}.ts`);
      writeFileSync(floorEntry, floorSource(packages));
      const floorOut = join(OUT, `floor-fn-${name}.mjs`);
      await bundle(floorEntry, floorOut);
      const [fn, floor, alt, bare] = timeImports([outfile, floorOut, other, empty]);
      require_ms[name] = fn!;
      require_floor_ms_fn[name] = floor!;
      require_ms_other_sdk[name] = alt!;
      baselines.push(bare!);
    }
    const node_baseline_ms = median(baselines);
    const require_floor_ms: Record<string, number> = {};
    for (const [name, source] of Object.entries(FLOOR_PROBES)) {
      const entry = join(OUT, `floor-${name}.ts`);
      const outfile = join(OUT, `floor-${name}.mjs`);
      writeFileSync(entry, source);
      await bundle(entry, outfile);
      require_floor_ms[name] = timeImports([outfile])[0]!;
    }
    return {
      sdk_bundled: SDK_BUNDLED,
      bundle_bytes,
      require_ms,
      node_baseline_ms,
      eager_packages,
      require_floor_ms_fn,
      require_ms_other_sdk,
      require_floor_ms,
    };
  } finally {
    rmSync(OUT, { recursive: true, force: true });
  }
}
