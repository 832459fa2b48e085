/** esbuild settings of every function, shared with test/infra (which bundles the real handlers with them). */
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The Node.js 22 Lambda runtime ships AWS SDK v3: leaving it out keeps bundles small and cold starts fast. */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];
/** CommonJS dependencies (mailparser, mjml, …) call require(), which an ESM bundle must provide. */
export const ESM_REQUIRE_BANNER =
  "import{createRequire as __gz_cr}from'node:module';const require=__gz_cr(import.meta.url);";
export const NODE_TARGET = 'node22';

export const BUNDLING: nodejs.BundlingOptions = {
  format: OutputFormat.ESM,
  target: NODE_TARGET,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  externalModules: EXTERNAL_MODULES,
  banner: ESM_REQUIRE_BANNER,
  // Docker is not needed (and not available on the maintainers' machines): esbuild is a devDependency.
  forceDockerBundling: false,
};
