/**
 * CDK app entry (cdk.json: `npx tsx infra/app.ts`). Two stacks: <Prefix>-Stateful and <Prefix>-Stateless.
 * cdk-nag's AwsSolutions checks run on every synth, so a deploy cannot skip them.
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InfraConfigError } from './config.ts';
import { buildGazette } from './gazette.ts';

const app = new App();
try {
  buildGazette(app);
} catch (e) {
  if (e instanceof InfraConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
