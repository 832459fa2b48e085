/** Issue 12 item 8: public and admin API in separate functions and roles; SourceArn everywhere; SES TLS. */
import { describe, expect, it } from 'vitest';
import { allActions, policyStatementsOf, resources, synth } from '../infra/support.ts';

describe('least privilege on AWS', () => {
  const { statelessT: t } = synth();

  it('gives the public API function only table items, SES send and the token secret', () => {
    const acts = new Set(allActions(policyStatementsOf(t, 'public-api')));
    const services = new Set([...acts].map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['dynamodb', 'logs', 'secretsmanager', 'ses']);
    expect(acts.has('ses:SendEmail')).toBe(true);
    expect(acts.has('secretsmanager:GetSecretValue')).toBe(true);
    for (const a of ['iam:PassRole', 'lambda:InvokeFunction', 's3:PutObject', 'sqs:SendMessage'])
      expect(acts.has(a), a).toBe(false);
  });

  it('routes /v1 to the public function and /admin to the admin function only', () => {
    const fnId = (name: string) =>
      resources(t, 'AWS::Lambda::Function').find(([, f]) => f.Properties.FunctionName === name)![0];
    const integrationOf = Object.fromEntries(
      resources(t, 'AWS::ApiGatewayV2::Integration').map(([id, i]) => [id, JSON.stringify(i.Properties)]),
    );
    for (const [, r] of resources(t, 'AWS::ApiGatewayV2::Route')) {
      const key = String(r.Properties.RouteKey);
      const target = JSON.stringify(r.Properties.Target).match(/"Ref":"([^"]+)"/)![1]!;
      const fn = key.includes('/admin/') ? fnId('gazette-api') : fnId('gazette-public-api');
      expect(integrationOf[target], key).toContain(fn);
    }
    for (const [, m] of resources(t, 'AWS::ApiGateway::Method'))
      expect(JSON.stringify(m.Properties.Integration)).toContain(fnId('gazette-public-api'));
  });

  it('names the source (SourceArn) on every Lambda permission', () => {
    for (const ctx of [{}, { activateReceiptRuleSet: 'true' }])
      for (const [id, p] of resources(synth(ctx).statelessT, 'AWS::Lambda::Permission'))
        expect(p.Properties.SourceArn, id).toBeDefined();
    const ses = resources(t, 'AWS::Lambda::Permission').find(
      ([, p]) => p.Properties.Principal === 'ses.amazonaws.com',
    )![1];
    expect(JSON.stringify(ses.Properties.SourceArn)).toContain(
      ':receipt-rule-set/gazette-inbound:receipt-rule/gazette-updates',
    );
    expect(ses.Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
  });

  it('accepts inbound mail only over TLS', () => {
    const [[, rule] = []] = resources(t, 'AWS::SES::ReceiptRule');
    expect((rule!.Properties.Rule as { TlsPolicy: string }).TlsPolicy).toBe('Require');
  });
});
