/** esbuild settings of every function, shared with test/infra (which bundles the real handlers with them). */

import { join } from 'node:path';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import { HANDLER_SPECS, type HandlerName } from './functions.ts';

/** The Node.js 22 Lambda runtime ships AWS SDK v3: leaving it out keeps bundles small and cold starts fast. */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];
/**
 * Subscriber import and export libraries loaded with `await import()` where they are used (the .xlsx
 * reader, charset detection, the CSV writer): only the api serves those routes; every other bundle leaves
 * them out, and starts without them because a dynamic import stays dynamic in the bundle. A module that a
 * lazily loaded file imports statically (csv-parse) cannot be left out: esbuild hoists external static
 * imports to the top of the one output file, so the function would fail to start.
 * test/infra/synth.test.ts checks every bundle's top-level imports.
 */
export const SPREADSHEET_MODULES = ['read-excel-file', 'chardet', 'csv-stringify'];

/** What one function leaves out of its bundle. */
export function externalsFor(name: HandlerName): string[] {
  return [...EXTERNAL_MODULES, ...(HANDLER_SPECS[name].readsSpreadsheets ? [] : SPREADSHEET_MODULES)];
}
/** CommonJS dependencies (sanitize-html, mjml, …) call require(), which an ESM bundle must provide. */
export const ESM_REQUIRE_BANNER =
  "import{createRequire as __gz_cr}from'node:module';const require=__gz_cr(import.meta.url);";
export const NODE_TARGET = 'node24';
/**
 * Modules replaced at bundle time. sanitize-html loads postcss (~90 KB with source-map-js) only to parse
 * style attributes, which Gazette never allows (src/adapters/mime/html.ts: parseStyleAttributes false).
 */
export const ALIASES: Record<string, string> = { postcss: join(import.meta.dirname, 'stubs', 'postcss.cjs') };

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

/** ESBUILD_OPTIONS with one function's externals. */
export function esbuildOptionsFor(name: HandlerName): BuildOptions {
  return { ...ESBUILD_OPTIONS, external: externalsFor(name) };
}

/** BUNDLING with one function's externals plus, for handlers that need them, folders copied next to it. */
export function bundlingFor(name: HandlerName): nodejs.BundlingOptions {
  const assets = HANDLER_SPECS[name].assets ?? [];
  const own = { ...BUNDLING, externalModules: externalsFor(name) };
  if (!assets.length) return own;
  return {
    ...own,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      // inputDir is the project root; runs in a POSIX shell on the deploying machine (local bundling).
      afterBundling: (inputDir: string, outputDir: string) =>
        assets.map((dir) => `cp -R "${inputDir}/${dir}" "${outputDir}/${dir}"`),
    },
  };
}
