/**
 * The public entry (issue 12 item 5): a regional REST API in front of the public function, because an AWS WAF
 * web ACL can be associated with a REST API stage in the stack's own region but never with an HTTP API, and a
 * CloudFront-scoped web ACL would have to live in us-east-1 (a second stack with cross-region references).
 * Throttling is per method, so RFC 8058 one-click unsubscribe never waits behind sign-ups.
 */
import { Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { InfraConfig } from './config.ts';

export const PUBLIC_STAGE = 'live';
/** Public resources of the REST API; each gets GET and POST (HEAD is answered as GET by the router). */
export const PUBLIC_RESOURCES = ['/health', '/v1/subscribe', '/v1/unsubscribe', '/v1/{proxy+}'] as const;

/** Per-method throttles (requests/s, burst) of the public REST API stage. */
export const publicMethodLimits = (c: InfraConfig) => ({
  '/v1/subscribe/POST': { rate: c.publicPostRateLimit, burst: c.publicPostBurstLimit },
  // Confirm, preferences and erase POSTs: token-gated, as tight as sign-up but in their own bucket.
  '/v1/{proxy+}/POST': { rate: c.publicPostRateLimit, burst: c.publicPostBurstLimit },
  '/v1/unsubscribe/POST': { rate: c.unsubscribeRateLimit, burst: c.unsubscribeBurstLimit },
});

export interface PublicApiProps {
  config: InfraConfig;
}

export class PublicApi extends Construct {
  readonly api: apigw.RestApi;
  /** https://<id>.execute-api.<region>.amazonaws.com/live/ */
  readonly url: string;
  readonly webAcl?: wafv2.CfnWebACL;
  private readonly nag: { id: string; reason: string }[];

  constructor(scope: Construct, id: string, { config }: PublicApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const methodOptions = Object.fromEntries(
      Object.entries(publicMethodLimits(config)).map(([k, l]) => [
        k,
        { throttlingRateLimit: l.rate, throttlingBurstLimit: l.burst },
      ]),
    );
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${config.prefix}-public`,
      description: 'Gazette public routes (/v1, /health): WAF per-client limits, per-method throttles',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // No account-wide CloudWatch role (it carries an AWS managed policy): access logs need none.
      cloudWatchRole: false,
      deployOptions: {
        stageName: PUBLIC_STAGE,
        throttlingRateLimit: config.apiRateLimit,
        throttlingBurstLimit: config.apiBurstLimit,
        methodOptions,
        tracingEnabled: config.tracing,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        // The resource path, not the request path: paths and query strings may carry tokens.
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            resource: '$context.resourcePath',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            waf: '$context.wafResponseCode',
            length: '$context.responseLength',
          }),
        ),
      },
    });
    // Built by hand: the stage's own URL would make the function (whose environment carries it) depend on the
    // deployment, which depends on the methods, which depend on the function.
    const stack = Stack.of(this);
    this.url = `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${PUBLIC_STAGE}/`;

    const stage = this.api.deploymentStage;
    this.nag = [
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Lambda proxy: every public route validates its form or JSON body with the zod schema in the handler (one place for the rules and the messages).',
      },
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Public by design (health, subscribe, confirm, preferences, unsubscribe): signed expiring tokens, form-origin checks, per-mailbox limits and throttles; admin routes are not on this API.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Subscribers have no accounts: the public routes are authorised by signed tokens in the links.',
      },
    ];
    NagSuppressions.addResourceSuppressions(this.api, this.nag, true);
    NagSuppressions.addResourceSuppressions(stage, [
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Access logs are on; execution logging needs an account-wide API Gateway CloudWatch role (an AWS managed policy) and would log request data carrying tokens.',
      },
    ]);

    if (!config.publicWaf) {
      NagSuppressions.addResourceSuppressions(stage, [
        {
          id: 'AwsSolutions-APIG3',
          reason:
            'WAF turned off by context (publicWaf=false or stage=development); per-method API Gateway throttles still apply.',
        },
      ]);
      return;
    }
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const pathContains = (path: string) => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'CONTAINS',
        searchString: path,
        textTransformations: [
          { priority: 0, type: 'URL_DECODE' },
          { priority: 1, type: 'LOWERCASE' },
        ],
      },
    });
    const name = `${config.prefix}-public-${Names.uniqueResourceName(this, { maxLength: 16 })}`;
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: name.slice(0, 128),
      description: 'Per-client limits on the Gazette public API (never on one-click unsubscribe)',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${config.prefix}-public`),
      rules: [
        {
          // A flood of sign-ups from one client is cut off here, before it spends the route's shared limit.
          name: 'subscribe-per-client',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: config.wafSubscribeLimit,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: pathContains('/v1/subscribe'),
            },
          },
          visibilityConfig: visibility(`${config.prefix}-subscribe-per-client`),
        },
        {
          // Every other public route, except one-click unsubscribe: mailbox providers post those from a few
          // addresses in bursts, and a per-IP limit would make exactly them fail (RFC 8058).
          name: 'public-per-client',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: config.wafPublicLimit,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: { notStatement: { statement: pathContains('/v1/unsubscribe') } },
            },
          },
          visibilityConfig: visibility(`${config.prefix}-public-per-client`),
        },
      ],
    });
    const association = new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      webAclArn: this.webAcl.attrArn,
      resourceArn: stage.stageArn,
    });
    association.node.addDependency(stage);
  }

  /** Routes every public resource to the public function (after it exists: its environment has our URL). */
  connect(fn: lambda.IFunction) {
    // No test-invoke permission: every Lambda permission names this API's own stage and method (SourceArn).
    const integration = new apigw.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false });
    for (const path of PUBLIC_RESOURCES) {
      const resource = this.api.root.resourceForPath(path);
      for (const method of ['GET', 'POST'] as const) {
        if (path === '/health' && method === 'POST') continue;
        NagSuppressions.addResourceSuppressions(resource.addMethod(method, integration), this.nag);
      }
    }
  }
}
