import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { synth } from './support.ts';

interface Suppression {
  id: string;
  reason: string;
  applies_to?: unknown[];
}

/** Every cdk-nag suppression in the tree, with the construct path it sits on. */
function suppressions(root: IConstruct) {
  const out: { path: string; s: Suppression }[] = [];
  for (const c of root.node.findAll()) {
    const cfn = (c as { cfnOptions?: { metadata?: Record<string, unknown> } }).cfnOptions;
    const rules = (cfn?.metadata?.cdk_nag as { rules_to_suppress?: Suppression[] } | undefined)
      ?.rules_to_suppress;
    for (const s of rules ?? []) out.push({ path: c.node.path, s });
  }
  return out;
}

describe('cdk-nag AwsSolutions', () => {
  const variants: Record<string, Record<string, unknown>> = {
    default: {},
    'tracing and rule-set activation on': { tracing: 'true', activateReceiptRuleSet: 'true' },
  };

  for (const [label, context] of Object.entries(variants)) {
    it(`reports no unsuppressed errors or warnings (${label})`, () => {
      const s = synth(context);
      for (const stack of [s.stateful, s.stateless]) {
        const a = Annotations.fromStack(stack);
        const findings = [
          ...a.findError('*', Match.stringLikeRegexp('AwsSolutions-')),
          ...a.findWarning('*', Match.stringLikeRegexp('AwsSolutions-')),
        ].map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`);
        expect(findings, stack.stackName).toEqual([]);
      }
    });
  }

  it('justifies every suppression specifically, and never suppresses a whole rule for a stack', () => {
    const s = synth({ tracing: 'true', activateReceiptRuleSet: 'true' });
    const all = [...suppressions(s.stateful), ...suppressions(s.stateless)];
    expect(all.length).toBeGreaterThan(0);
    for (const { path, s: sup } of all) {
      expect(sup.id, path).toMatch(/^AwsSolutions-[A-Z]+\d+$/);
      expect(sup.reason.length, `${path} ${sup.id}`).toBeGreaterThanOrEqual(40);
      expect(sup.reason, `${path} ${sup.id}`).not.toMatch(/^(todo|n\/a|ok|fine|not needed)/i);
      // Stack-level suppressions would silence future resources too.
      expect(path.split('/').length, `${path} ${sup.id}`).toBeGreaterThan(1);
      // A wildcard-permission suppression must say which wildcard it accepts.
      if (sup.id === 'AwsSolutions-IAM5' || sup.id === 'AwsSolutions-IAM4')
        expect(sup.applies_to?.length, `${path} ${sup.id}`).toBeGreaterThan(0);
    }
  });

  it('keeps the check honest: a bucket without the TLS-only policy is reported', async () => {
    const { App, Aspects, Stack } = await import('aws-cdk-lib');
    const s3 = await import('aws-cdk-lib/aws-s3');
    const { AwsSolutionsChecks } = await import('cdk-nag');
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Probe');
    new s3.Bucket(stack, 'Plain');
    Aspects.of(app).add(new AwsSolutionsChecks());
    expect(
      Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-S10')),
    ).not.toEqual([]);
  });
});
