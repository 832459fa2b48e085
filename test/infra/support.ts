/**
 * Synthesises the CDK app in-process, offline, without bundling (fast) and with cdk-nag applied.
 * Results are cached per context within a test file.
 */
import { App, Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildGazette, type GazetteStacks } from '../../infra/gazette.ts';

/**
 * Handler folder for the synth (NodejsFunction needs every entry to exist). Defaults to the real
 * functions/; handler-coverage.test.ts always checks the real folder, so this cannot hide a missing file.
 */
export const FUNCTIONS_DIR = process.env.GAZETTE_INFRA_FUNCTIONS_DIR ?? 'functions';

export interface Synth extends GazetteStacks {
  app: App;
  statefulT: Template;
  statelessT: Template;
}

const cache = new Map<string, Synth>();

export function synth(context: Record<string, unknown> = {}): Synth {
  const key = JSON.stringify(context);
  const hit = cache.get(key);
  if (hit) return hit;
  const app = new App({
    // The wasm CloudFormation validator costs seconds per synth; synth.test.ts runs it once.
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [], functionsDir: FUNCTIONS_DIR, ...context },
  });
  const stacks = buildGazette(app);
  Aspects.of(app).add(new AwsSolutionsChecks());
  const out: Synth = {
    app,
    ...stacks,
    statefulT: Template.fromStack(stacks.stateful),
    statelessT: Template.fromStack(stacks.stateless),
  };
  cache.set(key, out);
  return out;
}

type Resource = { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>;

export const resources = (t: Template, type: string) =>
  Object.entries(t.findResources(type) as Record<string, Resource>);

/** The logical id of a function's role, by handler name (roles are `<name>-role`). */
export function policyStatementsOf(t: Template, handler: string) {
  const policies = resources(t, 'AWS::IAM::Policy').filter(([id]) =>
    id.startsWith(`${handler.replaceAll('-', '')}roleDefaultPolicy`),
  );
  if (policies.length !== 1) throw new Error(`expected one policy for ${handler}, got ${policies.length}`);
  const doc = policies[0]![1].Properties.PolicyDocument as { Statement: Statement[] };
  return doc.Statement;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
export const allActions = (stmts: Statement[]) => stmts.flatMap(actionsOf);
