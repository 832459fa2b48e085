import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MANAGED_ENV } from '../../infra/config.ts';
import { HANDLER_SPECS, HANDLERS } from '../../infra/functions.ts';
import { COMPILE_SCHEDULE_INPUT, SEND_WORKER_CONCURRENCY_ENV } from '../../infra/stateless-stack.ts';
import { ConfigSchema, LambdaConfigSchema, loadConfig } from '../../src/config/config.ts';
import { LAMBDA_ENV } from '../../src/runtimes/lambda/infra.ts';
import { resources, synth } from './support.ts';

const fnLogicalId = (t: ReturnType<typeof synth>['statelessT'], name: string) => {
  const found = resources(t, 'AWS::Lambda::Function').filter(
    ([, f]) => f.Properties.FunctionName === `gazette-${name}`,
  );
  expect(found, name).toHaveLength(1);
  return found[0]![0];
};

describe('stateless stack', () => {
  const s = synth({ sendWorkerConcurrency: '6', logRetentionDays: '30' });
  const t = s.statelessT;
  const all = resources(t, 'AWS::Lambda::Function');
  // Gazette's handlers have fixed names; the only other function is CDK's console BucketDeployment handler.
  const functions = all.filter(([, f]) => f.Properties.FunctionName !== undefined);

  it('deploys no function besides the handlers but the console BucketDeployment handler', () => {
    expect(all.filter(([, f]) => f.Properties.FunctionName === undefined).map(([id]) => id)).toEqual([
      expect.stringMatching(/^CustomCDKBucketDeployment/),
    ]);
  });

  it('has one Node.js 24 arm64 function per handler, each logging to its own retained log group', () => {
    expect(functions.map(([, f]) => f.Properties.FunctionName).sort()).toEqual(
      HANDLERS.map((h) => `gazette-${h}`).sort(),
    );
    for (const name of HANDLERS) {
      const spec = HANDLER_SPECS[name];
      t.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `gazette-${name}`,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp(`^${name.replaceAll('-', '')}logs`) } },
      });
      t.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/lambda/gazette-${name}`,
        RetentionInDays: 30,
      });
    }
  });

  it('gives the edition compiler the most memory (it alone carries mjml)', () => {
    const mem = (n: string) => HANDLER_SPECS[n as keyof typeof HANDLER_SPECS].memoryMb;
    for (const name of HANDLERS.filter((h) => h !== 'compile-edition'))
      expect(mem('compile-edition')).toBeGreaterThan(mem(name));
  });

  it('refuses in lambdaEnv every Gazette setting the stack sets itself (it would be silently overwritten)', () => {
    // The stack's own values are spread over lambdaEnv: a setting missing from MANAGED_ENV is accepted by the
    // synth and then ignored on AWS, with nothing telling the operator.
    for (const [id, f] of functions) {
      const vars = (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const key of Object.keys(vars).filter((k) => k in ConfigSchema.shape))
        expect(MANAGED_ENV.has(key), `${id}: ${key}`).toBe(true);
    }
  });

  it('sets only known Gazette settings, and they parse with the Lambda config schema', () => {
    const allowed = new Set([
      ...Object.keys(ConfigSchema.shape),
      ...Object.values(LAMBDA_ENV),
      SEND_WORKER_CONCURRENCY_ENV,
      'NODE_OPTIONS',
    ]);
    for (const [id, f] of functions) {
      const vars = (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const key of Object.keys(vars)) expect(allowed.has(key), `${id}: ${key}`).toBe(true);
      for (const key of [
        'GAZETTE_TABLE',
        'GAZETTE_RAW_BUCKET',
        'GAZETTE_CONTENT_BUCKET',
        'GAZETTE_ARCHIVE_BUCKET',
        'GAZETTE_FROM',
        'GAZETTE_UPDATES_ADDRESS',
        'GAZETTE_UNSUBSCRIBE_MAILTO',
        'GAZETTE_PUBLIC_URL',
        'GAZETTE_ARCHIVE_URL',
        'GAZETTE_TOKEN_SECRET_ARN',
        'GAZETTE_SES_CONFIGURATION_SET',
        'GAZETTE_SEND_QUEUE_URL',
        'GAZETTE_EDITION_SCHEDULE',
        'GAZETTE_EDITION_TIMEZONE',
        'GAZETTE_SCHEDULE_GROUP',
        'GAZETTE_REMINDER_TARGET_ARN',
        'GAZETTE_SCHEDULER_ROLE_ARN',
        'GAZETTE_SCHEDULER_DLQ_ARN',
        LAMBDA_ENV.compileFunction,
        LAMBDA_ENV.dispatchFunction,
        SEND_WORKER_CONCURRENCY_ENV,
      ])
        expect(vars[key], `${id}: ${key}`).toBeDefined();
      // CloudFormation intrinsics become plausible stand-ins; literal values are checked as they are.
      const resolved = Object.fromEntries(
        Object.entries(vars).map(([k, v]) => [
          k,
          typeof v === 'string'
            ? v
            : k.endsWith('_URL')
              ? 'https://resolved.example.com'
              : 'resolved-at-deploy',
        ]),
      );
      expect(() => loadConfig(LambdaConfigSchema, resolved), id).not.toThrow();
    }
    const api = functions.find(([, f]) => f.Properties.FunctionName === 'gazette-api')![1];
    const vars = (api.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(vars).toMatchObject({
      GAZETTE_EDITION_SCHEDULE: 'cron(0 9 1 1,4,7,10 ? *)',
      GAZETTE_EDITION_TIMEZONE: 'Asia/Shanghai',
      GAZETTE_SCHEDULE_GROUP: 'gazette',
      GAZETTE_SES_CONFIGURATION_SET: 'gazette',
      [LAMBDA_ENV.compileFunction]: 'gazette-compile-edition',
      [LAMBDA_ENV.dispatchFunction]: 'gazette-dispatch',
      [LAMBDA_ENV.ingestFunction]: 'gazette-ingest',
      [SEND_WORKER_CONCURRENCY_ENV]: '6',
      GAZETTE_SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [expect.stringMatching(/^SchedulerRole/), 'Arn'] },
    });
    expect(JSON.stringify(vars.GAZETTE_REMINDER_TARGET_ARN)).toContain(':function:gazette-reminder');
    // Links in mails point at the WAF-fronted public REST API's stage, not at the admin HTTP API.
    expect(JSON.stringify(vars.GAZETTE_PUBLIC_URL)).toMatch(/"Ref":"PublicApi[^"]*".*\/live\/"/);
  });

  it('routes /v1 and /health without auth to the public function, /admin with IAM and /console-api/admin with the JWT to the admin function', () => {
    const routes = resources(t, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(
      [
        'ANY /admin/{proxy+}',
        'ANY /console-api/admin/{proxy+}',
        'GET /health',
        'GET /v1/{proxy+}',
        'POST /v1/{proxy+}',
        'POST /v1/subscribe',
        'GET /v1/unsubscribe',
        'POST /v1/unsubscribe',
      ].sort(),
    );
    for (const r of routes) {
      const key = String(r.RouteKey);
      if (key.startsWith('ANY /admin/')) expect(r.AuthorizationType, key).toBe('AWS_IAM');
      else if (key.startsWith('ANY /console-api/')) expect(r.AuthorizationType, key).toBe('JWT');
      else expect(r.AuthorizationType ?? 'NONE', key).toBe('NONE');
    }
    t.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [fnLogicalId(t, 'api'), 'Arn'] },
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationUri: { 'Fn::GetAtt': [fnLogicalId(t, 'public-api'), 'Arn'] },
    });
  });

  it('throttles the stage, and public POSTs harder, and writes access logs without paths or queries', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: {
        'POST /v1/subscribe': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
        'POST /v1/{proxy+}': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
        'POST /v1/unsubscribe': { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
    const [[, stage] = []] = resources(t, 'AWS::ApiGatewayV2::Stage');
    const format = (stage!.Properties.AccessLogSettings as { Format: string }).Format;
    expect(format).not.toMatch(/\$context\.path|rawQueryString|querystring/i);
  });

  it('stores inbound mail in S3 under inbound/ before invoking ingest asynchronously', () => {
    t.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'gazette-inbound' });
    const [[, rule] = []] = resources(t, 'AWS::SES::ReceiptRule');
    const r = rule!.Properties.Rule as Record<string, unknown>;
    expect(r).toMatchObject({
      Name: 'gazette-updates',
      Enabled: true,
      ScanEnabled: true,
      Recipients: [s.config.updatesAddress, s.config.unsubscribeAddress],
    });
    const actions = r.Actions as Record<string, Record<string, unknown>>[];
    expect(actions.map((a) => Object.keys(a)[0])).toEqual(['S3Action', 'LambdaAction']);
    expect(actions[0]!.S3Action).toEqual({
      BucketName: { 'Fn::ImportValue': expect.stringContaining('RawInboundBucket') },
      ObjectKeyPrefix: 'inbound/',
    });
    expect(actions[1]!.LambdaAction).toEqual({
      FunctionArn: { 'Fn::GetAtt': [fnLogicalId(t, 'ingest'), 'Arn'] },
      InvocationType: 'Event',
    });
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'ses.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      FunctionName: { 'Fn::GetAtt': [fnLogicalId(t, 'ingest'), 'Arn'] },
    });
  });

  it('subscribes ses-events to the SES events topic', () => {
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [fnLogicalId(t, 'ses-events'), 'Arn'] },
      TopicArn: { 'Fn::ImportValue': Match.stringLikeRegexp('SesEventsTopic') },
    });
  });

  it('compiles an edition each quarter in the configured time zone, through the scheduler role', () => {
    t.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'gazette' });
    t.hasResource('AWS::Scheduler::Schedule', {
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^ScheduleGroup')]),
    });
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      GroupName: 'gazette',
      ScheduleExpression: 'cron(0 9 1 1,4,7,10 ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [fnLogicalId(t, 'compile-edition'), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SchedulerRole'), 'Arn'] },
        Input: JSON.stringify(COMPILE_SCHEDULE_INPUT),
        DeadLetterConfig: { Arn: { 'Fn::ImportValue': Match.stringLikeRegexp('JobsDlq') } },
      }),
    });
    expect(COMPILE_SCHEDULE_INPUT).toEqual({ gazetteScheduled: { type: 'compile-edition' } });
  });

  it('uses the schedule and time zone given in context', () => {
    const other = synth({ editionSchedule: 'cron(30 8 15 3,6,9,12 ? *)', editionTimezone: 'Europe/Berlin' });
    other.statelessT.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 8 15 3,6,9,12 ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
  });

  it('lets only EventBridge Scheduler of this account and group assume the scheduler role', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': { 'Fn::Join': ['', Match.arrayWith([':schedule-group/gazette'])] },
              },
            },
          }),
        ],
      },
    });
  });

  it('feeds send-worker from the send queue with partial batch failures and bounded concurrency', () => {
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnLogicalId(t, 'send-worker') },
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('SendQueue') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 6 },
      BatchSize: 1,
    });
  });

  it('keeps the send worker timeout below the claim lease and the queue visibility well above it', () => {
    const timeout = HANDLER_SPECS['send-worker'].timeoutSeconds;
    const defaults = loadConfig(ConfigSchema, {});
    expect(timeout).toBeLessThan(defaults.GAZETTE_SEND_CLAIM_LEASE_SECONDS);
    s.statefulT.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: timeout * 6,
      RedrivePolicy: Match.anyValue(),
    });
  });

  it('retries failed asynchronous jobs and then keeps them in the jobs DLQ', () => {
    for (const name of ['dispatch', 'compile-edition', 'ingest', 'ses-events', 'reminder']) {
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnLogicalId(t, name) },
        MaximumRetryAttempts: 2,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::ImportValue': Match.stringLikeRegexp('JobsDlq') } },
        },
      });
    }
  });

  it('alarms the operator when a function fails, and when it logs an error it handled itself', () => {
    const alarmsOn = (metric: Record<string, unknown>) =>
      resources(t, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
        Object.entries(metric).every(([k, v]) => JSON.stringify(a.Properties[k]) === JSON.stringify(v)),
      );
    for (const name of HANDLERS) {
      const logicalId = fnLogicalId(t, name);
      const failed = alarmsOn({ Namespace: 'AWS/Lambda', MetricName: 'Errors' }).filter(([, a]) =>
        JSON.stringify(a.Properties.Dimensions).includes(logicalId),
      );
      expect(failed, `${name} Errors alarm`).toHaveLength(1);
      t.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: Match.stringLikeRegexp(`^${name.replaceAll('-', '')}logs`) },
        FilterPattern: '{ $.level = "error" }',
        MetricTransformations: [
          { MetricNamespace: 'Gazette', MetricName: `LoggedErrors-${name}`, MetricValue: '1' },
        ],
      });
      const logged = alarmsOn({ Namespace: 'Gazette', MetricName: `LoggedErrors-${name}` });
      expect(logged, `${name} logged-errors alarm`).toHaveLength(1);
      for (const [, a] of [...failed, ...logged]) {
        expect(a.Properties.AlarmActions).toEqual([
          { 'Fn::ImportValue': expect.stringMatching(/AlarmTopic/) },
        ]);
        expect(a.Properties.Threshold).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('outputs the API URL', () => {
    t.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HttpApi'), 'ApiEndpoint'] } });
  });

  it('activates the receipt rule set only when asked to', () => {
    expect(Object.keys(t.findResources('Custom::AWS'))).toHaveLength(0);
    const on = synth({ activateReceiptRuleSet: 'true' }).statelessT;
    const [[, custom] = []] = resources(on, 'Custom::AWS');
    const props = JSON.stringify(custom!.Properties);
    expect(props).toContain('setActiveReceiptRuleSet');
    expect(props).toMatch(/RuleSetName.*"Ref":"ReceiptRuleSet/);
    expect(custom!.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ReceiptRuleSet/)]));
  });
});
