/** Issue 12 item 5: one-click unsubscribe never shares a throttle with sign-up; per-client limits by WAF. */
import { describe, expect, it } from 'vitest';
import { resources, synth } from '../infra/support.ts';

describe('one-click unsubscribe throttling (AWS)', () => {
  const { statelessT: t } = synth();

  it('gives POST /v1/unsubscribe its own, higher HTTP API route limit than sign-up', () => {
    const [[, stage] = []] = resources(t, 'AWS::ApiGatewayV2::Stage');
    const settings = stage!.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number }>;
    expect(settings['POST /v1/unsubscribe']).toBeDefined();
    expect(settings['POST /v1/subscribe']).toBeDefined();
    expect(settings['POST /v1/unsubscribe']!.ThrottlingRateLimit).toBeGreaterThan(
      settings['POST /v1/subscribe']!.ThrottlingRateLimit,
    );
    const routeKeys = resources(t, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routeKeys).toEqual(expect.arrayContaining(['POST /v1/unsubscribe', 'POST /v1/subscribe']));
  });

  it('throttles the public REST API per method: unsubscribe in its own, higher bucket', () => {
    const [[, stage] = []] = resources(t, 'AWS::ApiGateway::Stage');
    const methods = stage!.Properties.MethodSettings as {
      ResourcePath: string;
      HttpMethod: string;
      ThrottlingRateLimit?: number;
    }[];
    const rate = (path: string) =>
      methods.find((m) => m.ResourcePath === path && m.HttpMethod === 'POST')?.ThrottlingRateLimit;
    expect(rate('/~1v1~1unsubscribe')).toBe(100);
    expect(rate('/~1v1~1subscribe')).toBe(5);
  });

  it('limits each client with a WAF rate-based rule on the public API stage, never on unsubscribe', () => {
    const [[, acl] = []] = resources(t, 'AWS::WAFv2::WebACL');
    expect(acl!.Properties.Scope).toBe('REGIONAL');
    const rules = acl!.Properties.Rules as { Name: string; Statement: { RateBasedStatement: unknown } }[];
    const subscribe = rules.find((r) => r.Name === 'subscribe-per-client')!;
    expect(subscribe.Statement.RateBasedStatement).toMatchObject({ AggregateKeyType: 'IP', Limit: 100 });
    expect(JSON.stringify(subscribe)).toContain('/v1/subscribe');
    const rest = rules.find((r) => r.Name === 'public-per-client')!;
    expect(JSON.stringify(rest)).toMatch(/NotStatement.*\/v1\/unsubscribe/);
    const [[, assoc] = []] = resources(t, 'AWS::WAFv2::WebACLAssociation');
    // The stage's Ref resolves to its name, `live`.
    expect(JSON.stringify(assoc!.Properties.ResourceArn)).toMatch(
      /restapis\/.*PublicApi.*\/stages\/.*Stagelive/,
    );
  });

  it('leaves the WAF out when turned off by context, or in development', () => {
    for (const ctx of [{ publicWaf: 'false' }, { stage: 'development' }]) {
      const off = synth(ctx).statelessT;
      expect(resources(off, 'AWS::WAFv2::WebACL'), JSON.stringify(ctx)).toEqual([]);
    }
    expect(
      resources(synth({ stage: 'development', publicWaf: 'true' }).statelessT, 'AWS::WAFv2::WebACL'),
    ).toHaveLength(1);
  });
});
