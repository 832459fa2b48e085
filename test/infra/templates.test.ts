import { describe, expect, it } from 'vitest';
import { actionsOf, allActions, policyStatementsOf, resources, resourcesOf, synth } from './support.ts';

/**
 * Edition templates on AWS (docs/editions.md "Templates"): the api has no mjml, so every template check and
 * preview is a synchronous invoke of compile-edition, which reads and validates; no new grant besides that.
 */
describe('templates: the api asks the compile function', () => {
  const { statelessT: t } = synth();
  const fnNamed = (name: string) =>
    resources(t, 'AWS::Lambda::Function').find(([, r]) => r.Properties.FunctionName === name)?.[1];

  it('lets the api invoke compile-edition (the check and preview run where mjml is), and tells it the name', () => {
    const invoke = policyStatementsOf(t, 'api').filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    const targets = invoke.flatMap(resourcesOf).map((r) => JSON.stringify(r));
    expect(targets.some((r) => r.includes(':function:gazette-compile-edition"'))).toBe(true);
    for (const s of invoke) expect(actionsOf(s)).toEqual(['lambda:InvokeFunction']);
    const api = fnNamed('gazette-api');
    expect(api).toBeDefined();
    const env = (api?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)
      ?.Variables;
    expect(env).toBeDefined();
    expect(env?.GAZETTE_COMPILE_FUNCTION).toBe('gazette-compile-edition');
  });

  it('keeps compile-edition to the table and the content bucket: it invokes nothing, sends no mail', () => {
    const stmts = policyStatementsOf(t, 'compile-edition');
    const acts = allActions(stmts);
    expect(acts).not.toContain('lambda:InvokeFunction');
    expect(acts.some((a) => a.startsWith('ses:'))).toBe(false);
    expect(acts.some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    const s3 = stmts.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.length).toBeGreaterThan(0);
    for (const s of s3) expect(JSON.stringify(s.Resource)).toMatch(/ContentBucket/);
  });
});
