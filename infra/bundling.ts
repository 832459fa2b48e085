/** esbuild settings of every function, shared with test/infra (which bundles the real handlers with them). */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import { HANDLER_SPECS, type HandlerName } from './functions.ts';

/** The Node.js 22 Lambda runtime ships AWS SDK v3: leaving it out keeps bundles small and cold starts fast. */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];
/**
 * Subscriber import and export libraries loaded with `await import()` where they are used (the .xlsx
 * reader, charset detection, the CSV writer): no bundle carries them, and every function starts without
 * them because a dynamic import stays dynamic in the bundle; only the api, which serves those routes, has
 * them installed beside its bundle (installedModulesFor). A module that a lazily loaded file imports
 * statically (csv-parse) cannot be left out: esbuild hoists external static imports to the top of the one
 * output file, so the function would fail to start; api bundles it, the others get a stand-in (aliasesFor).
 * test/infra/synth.test.ts checks every bundle's top-level imports.
 */
export const SPREADSHEET_MODULES = ['read-excel-file', 'chardet', 'csv-stringify'];

/**
 * mjml (~7 MB bundled) is loaded with `await import()` when an edition is rendered, but inlined into the one
 * output file it was parsed at every cold start of the compiler (2.2 × its floor, issue 17). It is left out
 * of index.mjs and installed beside it (`nodeModules`, CDK's `npm ci` at the locked version), so Node reads
 * it from node_modules/ only when the renderer first runs. Its packages (mjml-core, mjml-parser-xml …,
 * which the renderer and the template validator import too) stay external with it: one copy, one registry
 * of components.
 */
export const MJML_MODULES = ['mjml', 'mjml-*'];
/**
 * The packages installed beside a function's bundle (CDK `nodeModules`): native ones, mjml, and for api the
 * import readers (~140 KB with their dependencies that its index.mjs no longer carries and parses at start).
 */
export function installedModulesFor(name: HandlerName): string[] {
  const spec = HANDLER_SPECS[name];
  return [
    ...(spec.nativeModules ?? []),
    ...(spec.bundlesMjml ? ['mjml'] : []),
    ...(spec.readsSpreadsheets ? SPREADSHEET_MODULES : []),
  ];
}

/** What one function leaves out of its bundle. */
export function externalsFor(name: HandlerName): string[] {
  return [
    ...EXTERNAL_MODULES,
    // Left out of every bundle: api installs them beside its own (installedModulesFor).
    ...SPREADSHEET_MODULES,
    ...(HANDLER_SPECS[name].nativeModules ?? []),
    ...(HANDLER_SPECS[name].bundlesMjml ? MJML_MODULES : []),
  ];
}

const PROJECT_ROOT = join(import.meta.dirname, '..');

/** The version package-lock.json pins for a dependency: the asset installs exactly what the tests ran. */
export function lockedVersion(pkg: string): string {
  const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${pkg}`]?.version;
  if (!version) throw new Error(`${pkg} is not in package-lock.json (a native module must be a dependency)`);
  return version;
}

/**
 * The Lambda runs on linux arm64 (glibc), the deploying machine may not: CDK's `npm ci` of `nodeModules`
 * installs the binaries of the host, so the native packages are installed again for the Lambda's
 * platform, as sharp's install docs say for AWS Lambda (npm's --os/--cpu/--libc, npm 10+). The host's
 * copies (@img/sharp-<host>) go first, so the asset carries only the binary the Lambda loads.
 */
export function nativeInstallCommands(outputDir: string, modules: string[]): string[] {
  if (!modules.length) return [];
  const pinned = modules.map((m) => `${m}@${lockedVersion(m)}`).join(' ');
  // One command: local bundling runs each hook command in its own shell from the project root.
  return [
    [
      `cd "${outputDir}"`,
      `rm -rf ${modules.map((m) => `node_modules/${m}`).join(' ')} node_modules/@img`,
      `npm install --no-save --no-audit --no-fund --omit=dev --os=linux --cpu=arm64 --libc=glibc ${pinned}`,
    ].join(' && '),
  ];
}
/** CommonJS dependencies (sanitize-html, mjml, …) call require(), which an ESM bundle must provide. */
export const ESM_REQUIRE_BANNER =
  "import{createRequire as __gz_cr}from'node:module';const require=__gz_cr(import.meta.url);";
export const NODE_TARGET = 'node24';
/**
 * Modules replaced at bundle time. sanitize-html loads postcss (~90 KB with source-map-js) only to parse
 * style attributes, which Gazette never allows (src/adapters/mime/html.ts: parseStyleAttributes false).
 */
export const ALIASES: Record<string, string> = {
  postcss: join(import.meta.dirname, 'stubs', 'postcss.cjs'),
  /*
   * Powertools' secrets provider (loaded on first use by src/adapters/secrets/secret-reader.ts) imports the
   * Secrets Manager client statically. In its ES module build that external import was hoisted to the top
   * of every function's one output file, so each cold start loaded the client, token secret or not. Its
   * CommonJS build require()s it where the provider is defined: evaluated only when the reader first runs.
   */
  '@aws-lambda-powertools/parameters': join(
    PROJECT_ROOT,
    'node_modules/@aws-lambda-powertools/parameters/lib/cjs',
  ),
};

export const BUNDLING: nodejs.BundlingOptions = {
  format: OutputFormat.ESM,
  target: NODE_TARGET,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  externalModules: EXTERNAL_MODULES,
  banner: ESM_REQUIRE_BANNER,
  esbuildArgs: { '--alias': Object.entries(ALIASES).map(([from, to]) => `${from}=${to}`) },
  // Docker is not needed (and not available on the maintainers' machines): esbuild is a devDependency.
  forceDockerBundling: false,
};

/**
 * The same settings as esbuild's own BuildOptions, for code that bundles handlers itself (the infra tests,
 * the Lambda benchmark): what they measure is what CDK deploys.
 */
export const ESBUILD_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: NODE_TARGET,
  minify: true,
  mainFields: ['module', 'main'],
  external: EXTERNAL_MODULES,
  banner: { js: ESM_REQUIRE_BANNER },
  alias: ALIASES,
  logLevel: 'silent',
};

/**
 * ALIASES plus what one function replaces. Only ingest sanitises HTML: sanitize-html gets htmlparser2's
 * Parser alone (html-to-text, in the compiler, needs the whole package). Every function but api gets a
 * csv-parse that throws: the CSV import route is composed there but never served.
 */
export function aliasesFor(name: HandlerName): Record<string, string> {
  const spec = HANDLER_SPECS[name];
  return {
    ...ALIASES,
    ...(spec.parsesMime ? { htmlparser2: join(import.meta.dirname, 'stubs', 'htmlparser2.cjs') } : {}),
    ...(spec.readsSpreadsheets
      ? {}
      : { 'csv-parse/sync': join(import.meta.dirname, 'stubs', 'csv-parse.cjs') }),
  };
}
const aliasArgs = (aliases: Record<string, string>) => ({
  '--alias': Object.entries(aliases).map(([from, to]) => `${from}=${to}`),
});

/** ESBUILD_OPTIONS with one function's externals and aliases. */
export function esbuildOptionsFor(name: HandlerName): BuildOptions {
  return { ...ESBUILD_OPTIONS, external: externalsFor(name), alias: aliasesFor(name) };
}

/** BUNDLING with one function's externals plus, for handlers that need them, folders copied next to it. */
export function bundlingFor(name: HandlerName): nodejs.BundlingOptions {
  const assets = HANDLER_SPECS[name].assets ?? [];
  const native = HANDLER_SPECS[name].nativeModules ?? [];
  const installed = installedModulesFor(name);
  const own = {
    ...BUNDLING,
    externalModules: externalsFor(name),
    esbuildArgs: aliasArgs(aliasesFor(name)),
    ...(installed.length ? { nodeModules: installed } : {}),
  };
  if (!assets.length && !installed.length) return own;
  return {
    ...own,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      // inputDir is the project root; runs in a POSIX shell on the deploying machine (local bundling).
      afterBundling: (inputDir: string, outputDir: string) => [
        ...assets.map((dir) => `cp -R "${inputDir}/${dir}" "${outputDir}/${dir}"`),
        ...nativeInstallCommands(outputDir, native),
      ],
    },
  };
}
