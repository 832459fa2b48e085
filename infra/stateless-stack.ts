/**
 * The code and its wiring: one NodejsFunction per handler in functions/, the HTTP API, the SES receipt
 * rule, the SES events subscription, EventBridge Scheduler and the SQS send worker. Safe to destroy and
 * redeploy: all state lives in the stateful stack.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sesActions from 'aws-cdk-lib/aws-ses-actions';
import * as snsSubs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { TABLE_KEYS } from '../src/adapters/dynamodb/keys.ts';
import { NOTICE_RETRY_SCHEDULE } from '../src/app/notices.ts';
import type { Config } from '../src/config/config.ts';
import { INBOUND_RAW_PREFIX } from '../src/domain/update.ts';
import { CONSOLE_API_PREFIX } from '../src/runtimes/lambda/http-event.ts';
import { LAMBDA_ENV } from '../src/runtimes/lambda/infra.ts';
import { bundlingFor } from './bundling.ts';
import type { InfraConfig } from './config.ts';
import { ConsoleSite } from './console-site.ts';
import { HANDLER_SPECS, HANDLERS, type HandlerName, SEND_WORKER_BATCH_SIZE } from './functions.ts';
import { Operations } from './operations.ts';
import { PublicApi } from './public-api.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  config: InfraConfig;
  stateful: StatefulStack;
  /** Repository root (package-lock.json, functions/). */
  projectRoot: string;
}

/** One value sets both the SQS maxConcurrency and the engine's per-worker share of the SES rate. */
export const SEND_WORKER_CONCURRENCY_ENV = 'GAZETTE_SEND_WORKER_CONCURRENCY' satisfies keyof Config;

/** The input EventBridge Scheduler passes to compile-edition each quarter (see ScheduledJob). */
export const COMPILE_SCHEDULE_INPUT = { gazetteScheduled: { type: 'compile-edition' } } as const;
/** What the daily digest's schedule sends the dispatch function (functions/dispatch.ts). */
export const DIGEST_SCHEDULE_INPUT = { gazetteJob: { type: 'inbound-digest' } } as const;
/** What the member-notice retry schedule sends the dispatch function. */
export const NOTICE_RETRY_SCHEDULE_INPUT = { gazetteJob: { type: 'notice-retries' } } as const;

/**
 * Public routes kept on the HTTP API for links in mail sent before the public REST API (infra/public-api.ts)
 * existed: RFC 8058 links must keep working. Each POST has its own route and so its own throttle bucket.
 */
export const PUBLIC_ROUTES = [
  { path: '/v1/{proxy+}', method: apigw.HttpMethod.GET },
  { path: '/v1/{proxy+}', method: apigw.HttpMethod.POST },
  { path: '/v1/subscribe', method: apigw.HttpMethod.POST },
  { path: '/v1/unsubscribe', method: apigw.HttpMethod.GET },
  { path: '/v1/unsubscribe', method: apigw.HttpMethod.POST },
  { path: '/health', method: apigw.HttpMethod.GET },
] as const;
/** The CLI's SigV4-signed admin routes. */
export const ADMIN_ROUTE = { path: '/admin/{proxy+}', method: apigw.HttpMethod.ANY } as const;
/** The same admin routes for the console, behind the Cognito JWT authorizer (the function strips the prefix). */
export const CONSOLE_ADMIN_ROUTE = {
  path: `${CONSOLE_API_PREFIX}/admin/{proxy+}`,
  method: apigw.HttpMethod.ANY,
} as const;

export class StatelessStack extends Stack {
  readonly functions: Record<HandlerName, nodejs.NodejsFunction>;
  readonly api: apigw.HttpApi;
  /** Admin API base (the CLI's --api). */
  readonly apiUrl: string;
  /** Base of links in mails (the WAF-fronted public REST API, or context publicUrl). */
  readonly publicUrl: string;
  readonly publicApi: PublicApi;
  readonly console: ConsoleSite;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful, projectRoot } = props;
    const fnName = config.names.fn;
    const fnArn = (h: HandlerName) =>
      this.formatArn({
        service: 'lambda',
        resource: 'function',
        resourceName: fnName(h),
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });

    // The API resource first: its URL goes into every function's environment (links in mails).
    this.api = new apigw.HttpApi(this, 'HttpApi', {
      apiName: `${config.prefix}-api`,
      description:
        'Gazette admin (/admin: IAM; /console-api/admin: Cognito JWT) and legacy public /v1 routes',
      createDefaultStage: false,
    });
    this.apiUrl = this.api.apiEndpoint;
    this.publicApi = new PublicApi(this, 'PublicApi', { config });
    this.publicUrl = config.publicUrl ?? this.publicApi.url;

    this.console = new ConsoleSite(this, 'ConsoleSite', {
      config,
      userPool: stateful.userPool,
      userPoolDomainUrl: stateful.userPoolDomainUrl,
      apiOrigin: this.api.apiEndpoint,
      apiUrl: `${this.api.apiEndpoint}${CONSOLE_API_PREFIX}`,
      logBucket: stateful.accessLogs,
      distDir: resolve(projectRoot, 'console', 'dist'),
    });
    // The console (another origin) calls the API with a bearer token, never cookies, so CORS guards nothing
    // here: "*" (naming the console's origin would be a cycle, since its CSP names this API's origin).
    (this.api.node.defaultChild as apigw.CfnApi).corsConfiguration = {
      allowOrigins: ['*'],
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowHeaders: ['authorization', 'content-type'],
      allowCredentials: false,
      maxAge: 600,
    };

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to invoke the compile and reminder functions',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: config.names.scheduleGroup,
            }),
          },
        },
      }),
    });

    const environment: Record<string, string> = {
      ...config.lambdaEnv,
      GAZETTE_TABLE: stateful.table.tableName,
      GAZETTE_RAW_BUCKET: stateful.rawBucket.bucketName,
      GAZETTE_CONTENT_BUCKET: stateful.contentBucket.bucketName,
      GAZETTE_ARCHIVE_BUCKET: stateful.archiveBucket.bucketName,
      GAZETTE_FROM: config.fromAddress,
      GAZETTE_UPDATES_ADDRESS: config.updatesAddress,
      GAZETTE_UNSUBSCRIBE_MAILTO: config.unsubscribeAddress,
      GAZETTE_PUBLIC_URL: this.publicUrl,
      GAZETTE_ARCHIVE_URL: stateful.archiveUrl,
      // Edition attachments link here (the archive's distribution serves media/), unless the operator
      // names another origin (context mediaUrl).
      GAZETTE_MEDIA_URL: config.mediaUrl ?? stateful.mediaUrl,
      GAZETTE_TOKEN_SECRET_ARN: stateful.tokenSecret.secretArn,
      GAZETTE_SES_CONFIGURATION_SET: config.names.configurationSet,
      GAZETTE_SEND_QUEUE_URL: stateful.sendQueue.queueUrl,
      GAZETTE_EDITION_SCHEDULE: config.editionSchedule,
      GAZETTE_EDITION_TIMEZONE: config.editionTimezone,
      GAZETTE_SCHEDULE_GROUP: config.names.scheduleGroup,
      // Names and ARNs built from fixed function names: no reference cycles between the functions.
      GAZETTE_REMINDER_TARGET_ARN: fnArn('reminder'),
      GAZETTE_SCHEDULER_ROLE_ARN: schedulerRole.roleArn,
      GAZETTE_SCHEDULER_DLQ_ARN: stateful.jobsDlq.queueArn,
      GAZETTE_NEWSLETTER_NAME: config.newsletterName,
      GAZETTE_LOG_LEVEL: config.logLevel,
      [LAMBDA_ENV.compileFunction]: fnName('compile-edition'),
      [LAMBDA_ENV.dispatchFunction]: fnName('dispatch'),
      [LAMBDA_ENV.ingestFunction]: fnName('ingest'),
      [SEND_WORKER_CONCURRENCY_ENV]: String(config.sendWorkerConcurrency),
    };

    const tableArns = [stateful.table.tableArn, `${stateful.table.tableArn}/index/${TABLE_KEYS.gsi1.name}`];
    const sesArns = [
      this.formatArn({ service: 'ses', resource: 'identity', resourceName: config.domain }),
      this.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: config.names.configurationSet,
      }),
    ];

    const fns = {} as Record<HandlerName, nodejs.NodejsFunction>;
    for (const name of HANDLERS) {
      const spec = HANDLER_SPECS[name];
      const entry = resolve(projectRoot, config.functionsDir, `${name}.ts`);
      if (!existsSync(entry))
        throw new Error(`Lambda handler ${entry} is missing (every HANDLERS entry needs one)`);
      const functionName = fnName(name);
      const logGroup = new logs.LogGroup(this, `${name}-logs`, {
        logGroupName: `/aws/lambda/${functionName}`,
        retention: config.logRetentionDays as logs.RetentionDays,
        // A retained log group with a fixed name would block the next deploy of this stack.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // An own role per function instead of AWSLambdaBasicExecutionRole: logs only to its own group.
      const role = new iam.Role(this, `${name}-role`, {
        description: `Gazette ${name} function`,
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
      const fn = new nodejs.NodejsFunction(this, name, {
        functionName,
        description: spec.description,
        entry,
        handler: 'handler',
        projectRoot,
        depsLockFilePath: join(projectRoot, 'package-lock.json'),
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        role,
        logGroup,
        tracing: config.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
        // Stack traces point at the TypeScript sources.
        environment: { ...environment, NODE_OPTIONS: '--enable-source-maps' },
        bundling: bundlingFor(name),
      });
      fns[name] = fn;
      grantAccess(this, name, role, {
        tableArns,
        sesArns,
        stateful,
        fnArn,
        schedulerRole,
        scheduleGroup: config.names.scheduleGroup,
      });
      if (spec.async) {
        fn.configureAsyncInvoke({
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
          onFailure: new destinations.SqsDestination(stateful.jobsDlq),
        });
      }
      const errors = new cloudwatch.Alarm(this, `${name}-errors`, {
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 3,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${functionName} failed 3+ times in 5 minutes: see its log group.`,
      });
      errors.addAlarmAction(new cwActions.SnsAction(stateful.alarmTopic));
      // A failure a handler settles and logs (a reminder refused for good, an acknowledgement not sent) never
      // reaches the Errors metric: count error-level log lines too, so the operator still hears of it.
      const loggedErrors = new logs.MetricFilter(this, `${name}-logged-errors`, {
        logGroup,
        filterPattern: logs.FilterPattern.stringValue('$.level', '=', 'error'),
        metricNamespace: 'Gazette',
        metricName: `LoggedErrors-${name}`,
        metricValue: '1',
      });
      const logged = new cloudwatch.Alarm(this, `${name}-logged-errors-alarm`, {
        metric: loggedErrors.metric({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${functionName} logged an error (level "error"): see its log group.`,
      });
      logged.addAlarmAction(new cwActions.SnsAction(stateful.alarmTopic));
      suppressFunctionFindings(fn, role, name, config.tracing);
    }
    this.functions = fns;

    // --- Public REST API (WAF, per-method throttles) → the public function.
    this.publicApi.connect(fns['public-api']);

    // --- HTTP API: legacy public routes (public function), admin routes with SigV4 or the console's JWT.
    const integration = new HttpLambdaIntegration('ApiIntegration', fns.api, {
      payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
    });
    const publicIntegration = new HttpLambdaIntegration('PublicIntegration', fns['public-api'], {
      payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
    });
    const publicRoutes: apigw.HttpRoute[] = [];
    for (const r of PUBLIC_ROUTES) {
      for (const route of this.api.addRoutes({
        path: r.path,
        methods: [r.method],
        integration: publicIntegration,
      })) {
        publicRoutes.push(route);
        NagSuppressions.addResourceSuppressions(route, [
          {
            id: 'AwsSolutions-APIG4',
            reason:
              'Public by design (health, subscribe, confirm, preferences, unsubscribe): protected by signed expiring tokens, a honeypot and stage/route throttling; admin data is only under /admin with IAM.',
          },
        ]);
      }
    }
    this.api.addRoutes({
      path: ADMIN_ROUTE.path,
      methods: [ADMIN_ROUTE.method],
      integration,
      authorizer: new HttpIamAuthorizer(),
    });
    // Cognito access tokens of the console's app client; the function maps cognito:groups to roles.
    this.api.addRoutes({
      path: CONSOLE_ADMIN_ROUTE.path,
      methods: [CONSOLE_ADMIN_ROUTE.method],
      integration,
      authorizer: new HttpJwtAuthorizer(
        'ConsoleJwt',
        `https://cognito-idp.${this.region}.amazonaws.com/${stateful.userPool.userPoolId}`,
        {
          jwtAudience: [this.console.client.userPoolClientId],
          identitySource: ['$request.header.Authorization'],
        },
      ),
    });
    // Attach to the secretariat's IAM users/roles (or SSO permission set) so `npx gazette --api` works.
    const adminPolicy = new iam.ManagedPolicy(this, 'AdminApiPolicy', {
      description: 'Call the Gazette admin API (/admin/*) with SigV4, e.g. from the gazette CLI',
      statements: [
        new iam.PolicyStatement({
          actions: ['execute-api:Invoke'],
          resources: [this.api.arnForExecuteApi('*', '/admin/*', '$default')],
        }),
      ],
    });
    NagSuppressions.addResourceSuppressions(adminPolicy, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Grants exactly the admin routes of this API (any method under /admin/); public routes need no grant.',
        appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:execute-api:.*\\/admin\\/\\*$/g' }],
      },
    ]);
    new CfnOutput(this, 'AdminApiPolicyArn', {
      value: adminPolicy.managedPolicyArn,
      description: 'Attach to operators who use the gazette CLI against this stack',
    });

    const accessLogGroup = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.apiRateLimit, burstLimit: config.apiBurstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogGroup),
        // routeKey, not the raw path: paths and query strings may carry tokens.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            caller: '$context.identity.userArn',
            time: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            length: '$context.responseLength',
          }),
        ),
      },
    });
    const cfnStage = stage.node.defaultChild as apigw.CfnStage;
    // RouteSettings is an untyped JSON map in CloudFormation: CDK does not rename its keys for us.
    const limit = (rate: number, burst: number) => ({
      ThrottlingRateLimit: rate,
      ThrottlingBurstLimit: burst,
    });
    cfnStage.routeSettings = {
      // Sign-up, and the token-gated confirm/preferences/erase POSTs, each in their own bucket.
      'POST /v1/subscribe': limit(config.publicPostRateLimit, config.publicPostBurstLimit),
      'POST /v1/{proxy+}': limit(config.publicPostRateLimit, config.publicPostBurstLimit),
      // RFC 8058 one-click unsubscribe: its own, higher limit; never behind sign-ups (issue 12 item 5).
      'POST /v1/unsubscribe': limit(config.unsubscribeRateLimit, config.unsubscribeBurstLimit),
    };
    // Route settings name routes by key: they must exist before the stage is updated.
    for (const route of publicRoutes) stage.node.addDependency(route);

    // --- SES inbound: store raw MIME under inbound/, then invoke ingest asynchronously.
    const ruleSet = new ses.ReceiptRuleSet(this, 'ReceiptRuleSet', {
      receiptRuleSetName: config.names.receiptRuleSet,
    });
    // Added before the rule so the SES action uses it (its own would name only the account): only our rule may
    // invoke ingest (confused deputy; issue 12 item 8).
    fns.ingest.addPermission('AllowSes', {
      action: 'lambda:InvokeFunction',
      principal: new iam.ServicePrincipal('ses.amazonaws.com'),
      sourceAccount: this.account,
      sourceArn: this.formatArn({
        service: 'ses',
        resource: 'receipt-rule-set',
        resourceName: `${config.names.receiptRuleSet}:receipt-rule/${config.names.receiptRule}`,
      }),
    });
    ruleSet.addRule('UpdatesRule', {
      receiptRuleName: config.names.receiptRule,
      // Member updates and List-Unsubscribe mailto replies take the same path; ingest tells them apart.
      recipients: [config.updatesAddress, config.unsubscribeAddress],
      scanEnabled: true,
      // Mail that does not arrive over TLS is bounced (issue 12 item 8).
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      actions: [
        s3Action(stateful.rawBucket.bucketName, INBOUND_RAW_PREFIX),
        new sesActions.Lambda({
          function: fns.ingest,
          invocationType: sesActions.LambdaInvocationType.EVENT,
        }),
      ],
    });

    if (config.activateReceiptRuleSet) {
      // CloudFormation cannot activate a rule set; only one is active per account and region, so opt-in.
      const activation = new cr.AwsCustomResource(this, 'ActivateReceiptRuleSet', {
        onUpdate: {
          service: 'SES',
          action: 'setActiveReceiptRuleSet',
          parameters: { RuleSetName: ruleSet.receiptRuleSetName },
          physicalResourceId: cr.PhysicalResourceId.of(`${ruleSet.receiptRuleSetName}-active`),
        },
        // No name = deactivate: an active rule set cannot be deleted with the stack.
        onDelete: { service: 'SES', action: 'setActiveReceiptRuleSet', parameters: {} },
        policy: cr.AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({ actions: ['ses:SetActiveReceiptRuleSet'], resources: ['*'] }),
        ]),
        installLatestAwsSdk: false,
      });
      activation.node.addDependency(ruleSet);
      NagSuppressions.addResourceSuppressionsByPath(
        this,
        `/${this.stackName}/AWS679f53fac002430cb0da5b7982bd2287`,
        [
          {
            id: 'AwsSolutions-IAM4',
            reason:
              'CDK-provided AwsCustomResource handler (runs once per deploy) logs with AWSLambdaBasicExecutionRole.',
            appliesTo: [
              'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
            ],
          },
          {
            id: 'AwsSolutions-L1',
            reason: 'Runtime of the CDK-provided AwsCustomResource handler is chosen by aws-cdk-lib.',
          },
        ],
        true,
      );
      NagSuppressions.addResourceSuppressions(
        activation,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason: 'ses:SetActiveReceiptRuleSet has no resource-level permissions: AWS requires "*".',
            appliesTo: ['Resource::*'],
          },
        ],
        true,
      );
    }

    // --- SES sending events → ses-events.
    stateful.sesEventsTopic.addSubscription(new snsSubs.LambdaSubscription(fns['ses-events']));

    // --- EventBridge Scheduler: the quarterly compile, and the group reminders are created in at runtime.
    const group = new scheduler.ScheduleGroup(this, 'ScheduleGroup', {
      scheduleGroupName: config.names.scheduleGroup,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    schedulerRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [fns['compile-edition'].functionArn, fns.reminder.functionArn],
      }),
    );
    schedulerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [stateful.jobsDlq.queueArn] }),
    );
    const quarterly = new scheduler.CfnSchedule(this, 'QuarterlyCompile', {
      name: `${config.prefix}-compile-edition`,
      groupName: group.scheduleGroupName,
      description: 'Compile the next edition from approved updates (draft; a human approves the send)',
      scheduleExpression: config.editionSchedule,
      scheduleExpressionTimezone: config.editionTimezone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: fns['compile-edition'].functionArn,
        roleArn: schedulerRole.roleArn,
        input: JSON.stringify(COMPILE_SCHEDULE_INPUT),
        retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 6 * 3600 },
        deadLetterConfig: { arn: stateful.jobsDlq.queueArn },
      },
    });
    // The group is referenced by name, which carries no dependency of its own.
    quarterly.node.addDependency(group);

    // The secretariat's daily digest of quarantined and rejected mail (docs/inbound.md): only when
    // lambdaEnv names GAZETTE_DIGEST_EMAIL; run by the dispatch function (table read, ledger, SES send).
    const digestTo = config.lambdaEnv.GAZETTE_DIGEST_EMAIL;
    if (digestTo) {
      schedulerRole.addToPolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [fns.dispatch.functionArn],
        }),
      );
      const digest = new scheduler.CfnSchedule(this, 'InboundDigest', {
        name: `${config.prefix}-inbound-digest`,
        groupName: group.scheduleGroupName,
        description: 'Daily digest of quarantined and rejected member mail to the secretariat',
        scheduleExpression: `cron(0 ${Number(config.lambdaEnv.GAZETTE_DIGEST_HOUR ?? 8)} * * ? *)`,
        scheduleExpressionTimezone: config.editionTimezone,
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: fns.dispatch.functionArn,
          roleArn: schedulerRole.roleArn,
          input: JSON.stringify(DIGEST_SCHEDULE_INPUT),
          retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 6 * 3600 },
          deadLetterConfig: { arn: stateful.jobsDlq.queueArn },
        },
      });
      digest.node.addDependency(group);
    }

    // Member notices whose send failed (SES throttled or down) are tried again with backoff (issue 15):
    // every 15 minutes the dispatch function sends those due. Always on, as the notices are.
    schedulerRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fns.dispatch.functionArn] }),
    );
    const retries = new scheduler.CfnSchedule(this, 'NoticeRetries', {
      name: `${config.prefix}-notice-retries`,
      groupName: group.scheduleGroupName,
      description: 'Retry member notices (approved, rejected, published) whose send failed',
      scheduleExpression: NOTICE_RETRY_SCHEDULE,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: fns.dispatch.functionArn,
        roleArn: schedulerRole.roleArn,
        input: JSON.stringify(NOTICE_RETRY_SCHEDULE_INPUT),
        // The next fire retries anyway: a missed one need not be kept for long.
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 600 },
        deadLetterConfig: { arn: stateful.jobsDlq.queueArn },
      },
    });
    retries.node.addDependency(group);

    // --- Send fan-out consumer.
    fns['send-worker'].addEventSource(
      new SqsEventSource(stateful.sendQueue, {
        batchSize: SEND_WORKER_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: config.sendWorkerConcurrency,
      }),
    );

    // --- What the operator watches: the dashboard and the SES reputation alarms (infra/operations.ts).
    this.operations = new Operations(this, 'Operations', { prefix: config.prefix, stateful, functions: fns });

    new CfnOutput(this, 'ApiUrl', { value: this.apiUrl, description: 'npx gazette --api <ApiUrl> …' });
    new CfnOutput(this, 'PublicUrl', { value: this.publicUrl, description: 'Base of the links in mails' });
    new CfnOutput(this, 'ConsoleUrl', {
      value: `${this.console.url}/console/`,
      description: 'The secretariat console (sign in with a Cognito user in editors or approvers)',
    });
    new CfnOutput(this, 'ReceiptRuleSetName', {
      value: config.names.receiptRuleSet,
      description: 'Activate once: aws ses set-active-receipt-rule-set --rule-set-name <name>',
    });
    new CfnOutput(this, 'ScheduleGroupName', { value: group.scheduleGroupName });
  }
}

/**
 * SES S3 action without the L2's bucket-policy side effect: the stateful stack owns the bucket policy
 * (aws:SourceAccount + aws:SourceArn of this very rule), so no reference points back at this stack.
 */
function s3Action(bucketName: string, objectKeyPrefix: string): ses.IReceiptRuleAction {
  return { bind: () => ({ s3Action: { bucketName, objectKeyPrefix } }) };
}

interface GrantContext {
  tableArns: string[];
  sesArns: string[];
  stateful: StatefulStack;
  fnArn: (h: HandlerName) => string;
  schedulerRole: iam.Role;
  scheduleGroup: string;
}

const TABLE_READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];
const TABLE_WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/** Turns HANDLER_SPECS[name].access into IAM statements: item-level actions on named resources only. */
function grantAccess(stack: Stack, name: HandlerName, role: iam.Role, g: GrantContext) {
  const a = HANDLER_SPECS[name].access;
  const allow = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
    role.addToPolicy(new iam.PolicyStatement({ actions, resources, conditions }));

  allow(a.table === 'readWrite' ? [...TABLE_READ, ...TABLE_WRITE] : TABLE_READ, g.tableArns);
  if (a.raw) {
    const objects = (prefixes: string[]) => prefixes.map((p) => g.stateful.rawBucket.arnForObjects(`${p}*`));
    allow(['s3:GetObject'], objects(a.raw.read));
    if (a.raw.write?.length) allow(['s3:PutObject'], objects(a.raw.write));
  }
  for (const [level, bucket] of [
    [a.content, g.stateful.contentBucket],
    [a.archive, g.stateful.archiveBucket],
  ] as const) {
    if (!level) continue;
    // ListBucket lets a missing key answer 404 rather than 403 (BlobStore.exists/list).
    allow(['s3:ListBucket'], [bucket.bucketArn]);
    allow(level === 'readWrite' ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] : ['s3:GetObject'], [
      bucket.arnForObjects('*'),
    ]);
  }
  if (a.tokenSecret) allow(['secretsmanager:GetSecretValue'], [g.stateful.tokenSecret.secretArn]);
  if (a.sendMail) allow(['ses:SendEmail'], g.sesArns);
  // GetAccount has no resource type: AWS requires "*".
  if (a.sesAccount) allow(['ses:GetAccount'], ['*']);
  if (a.enqueueSends) allow(['sqs:SendMessage'], [g.stateful.sendQueue.queueArn]);
  if (a.invokes?.length) allow(['lambda:InvokeFunction'], a.invokes.map(g.fnArn));
  if (a.manageSchedules) {
    allow(
      ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
      [stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${g.scheduleGroup}/*` })],
    );
    allow(['iam:PassRole'], [g.schedulerRole.roleArn], {
      StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
  }
}

/** Each suppression names the exact finding it covers and why it is the least privilege possible. */
function suppressFunctionFindings(
  fn: nodejs.NodejsFunction,
  role: iam.Role,
  name: HandlerName,
  tracing: boolean,
) {
  const a = HANDLER_SPECS[name].access;
  NagSuppressions.addResourceSuppressions(fn, [
    {
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs24.x, the newest runtime CDK offers (Node 20 is past end of life; the AWS SDK requires Node >= 22 from January 2027): the code is built for it (esbuild target node24); move runtimes deliberately, not on each CDK upgrade.',
    },
  ]);
  const wildcards: { id: string; reason: string; appliesTo: (string | { regex: string })[] }[] = [];
  if (a.content || a.archive)
    wildcards.push({
      id: 'AwsSolutions-IAM5',
      reason:
        'Object keys are generated at runtime (attachment, edition and archive page ids); access is limited to the objects of the named bucket.',
      appliesTo: [{ regex: '/^Resource::.*(Content|Archive)Bucket.*\\/\\*$/g' }],
    });
  if (a.raw)
    wildcards.push({
      id: 'AwsSolutions-IAM5',
      reason:
        'Raw objects are named by SES (inbound/<messageId>) and by ingest (withheld/<updateId>/<file>); access is limited to those prefixes of the private raw bucket.',
      appliesTo: [{ regex: '/^Resource::.*RawInboundBucket.*\\/(inbound|withheld)\\/\\*$/g' }],
    });
  if (a.manageSchedules)
    wildcards.push({
      id: 'AwsSolutions-IAM5',
      reason:
        'One-time reminder schedules are named per deadline at runtime; limited to the Gazette schedule group.',
      appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:scheduler:.*:schedule\\/.*\\/\\*$/g' }],
    });
  if (a.sesAccount || tracing)
    wildcards.push({
      id: 'AwsSolutions-IAM5',
      reason:
        'ses:GetAccount (send rate quota) and, with tracing on, xray:PutTraceSegments/PutTelemetryRecords support no resource-level permissions: AWS requires "*".',
      appliesTo: ['Resource::*'],
    });
  if (wildcards.length) NagSuppressions.addResourceSuppressions(role, wildcards, true);
}
