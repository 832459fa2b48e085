/** Builds both stacks into an App: used by infra/app.ts (`npx cdk synth/deploy`) and by test/infra. */
import { fileURLToPath } from 'node:url';
import { Annotations, type App, Tags } from 'aws-cdk-lib';
import { type InfraConfig, readInfraConfig } from './config.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface GazetteStacks {
  config: InfraConfig;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

export function buildGazette(app: App, opts: { projectRoot?: string } = {}): GazetteStacks {
  const config = readInfraConfig((key) => app.node.tryGetContext(key));
  const account = config.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region = config.region ?? process.env.CDK_DEFAULT_REGION;
  // Environment-agnostic unless an account/region is known: synth needs no credentials.
  const env = account || region ? { account, region } : undefined;
  const stateful = new StatefulStack(app, `${pascal(config.prefix)}-Stateful`, {
    env,
    config,
    description: 'Gazette data: table, buckets, archive CDN, queues, SES identity, secret, alarms',
    terminationProtection: true,
  });
  const stateless = new StatelessStack(app, `${pascal(config.prefix)}-Stateless`, {
    env,
    config,
    stateful,
    projectRoot: opts.projectRoot ?? PROJECT_ROOT,
    description: 'Gazette code: Lambda functions, HTTP API, SES receipt rule, schedules',
  });
  const warn = (id: string, message: string) =>
    Annotations.of(stateful).addWarningV2(`gazette:${id}`, message);
  if (!config.alarmEmail)
    warn('noAlarmEmail', 'No alarmEmail in context: alarms reach nobody (-c alarmEmail=…).');
  if (config.domain.endsWith('example.org'))
    warn(
      'exampleDomain',
      `Using the placeholder domain ${config.domain}: pass -c domain=<your domain> to deploy.`,
    );
  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add('app', 'gazette');
    Tags.of(stack).add('gazette:prefix', config.prefix);
  }
  return { config, stateful, stateless };
}

const pascal = (s: string) =>
  s
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
