/** Real CDK bundling of one handler (local esbuild, no Docker) and loading the result in a plain Node process. */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { expect } from 'vitest';
import { bundlingFor } from '../../infra/bundling.ts';
import type { HandlerName } from '../../infra/functions.ts';
import { PROJECT_ROOT } from '../../infra/gazette.ts';
import { FUNCTIONS_DIR } from './support.ts';

/** Synthesises one function the way `cdk deploy` bundles it (local esbuild, no Docker); its asset directory. */
export function cdkBundle(name: HandlerName, outdir: string): string {
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'BundleProbe');
  new nodejs.NodejsFunction(stack, 'Fn', {
    entry: join(PROJECT_ROOT, FUNCTIONS_DIR, `${name}.ts`),
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    bundling: bundlingFor(name),
  });
  app.synth();
  const assets = readdirSync(outdir).filter((f) => f.startsWith('asset.'));
  expect(assets).toHaveLength(1);
  return join(outdir, assets[0]!);
}

/** Imports a bundle in a plain Node process, as the Lambda runtime would (module scope runs, config is parsed). */
export function handlerTypeInPlainNode(dir: string): string {
  const probe = `const m = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});
    process.stdout.write(typeof m.handler);`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-1',
      GAZETTE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token',
      GAZETTE_SES_CONFIGURATION_SET: 'gazette',
    },
  });
}
