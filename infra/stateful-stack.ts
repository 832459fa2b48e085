/**
 * Everything that holds data or identity and must survive a redeploy of the code: the table, buckets,
 * the archive distribution, the token secret, queues and DLQs, SES identity and configuration set,
 * alarm topic. Nothing here references the stateless stack, so the dependency points one way only.
 */

import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { TABLE_KEYS } from '../src/adapters/dynamodb/keys.ts';
import { INBOUND_RAW_PREFIX } from '../src/domain/update.ts';
import { ARCHIVE_CSP } from '../src/http/types.ts';
import { MEDIA_PREFIX } from '../src/use-cases/editions/media.ts';
import type { InfraConfig } from './config.ts';
import { RAW_PREFIXES, SEND_QUEUE_VISIBILITY_SECONDS } from './functions.ts';

export interface StatefulStackProps extends StackProps {
  config: InfraConfig;
}

/** SES sending events Gazette maps to delivery status and stats (issue: subscribers and deliverability). */
export const SES_EVENTS = [
  ses.EmailSendingEvent.SEND,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.DELIVERY,
  ses.EmailSendingEvent.OPEN,
  ses.EmailSendingEvent.CLICK,
  ses.EmailSendingEvent.DELIVERY_DELAY,
  ses.EmailSendingEvent.RENDERING_FAILURE,
];

export class StatefulStack extends Stack {
  readonly table: dynamodb.Table;
  readonly rawBucket: s3.Bucket;
  readonly contentBucket: s3.Bucket;
  readonly archiveBucket: s3.Bucket;
  readonly archiveUrl: string;
  /** Public base of edition images and documents: media/ of the content bucket, on the archive's domain. */
  readonly mediaUrl: string;
  readonly tokenSecret: secretsmanager.Secret;
  readonly sendQueue: sqs.Queue;
  readonly sendDlq: sqs.Queue;
  readonly jobsDlq: sqs.Queue;
  readonly alarmTopic: sns.Topic;
  readonly sesEventsTopic: sns.Topic;
  readonly configurationSet: ses.ConfigurationSet;
  readonly identity: ses.EmailIdentity;
  /** Access-log bucket (S3 server access logs and CloudFront standard logs, ACL-enabled). */
  readonly accessLogs: s3.Bucket;
  /** Secretariat console users (issue 13): no self sign-up; groups `editors` and `approvers`. */
  readonly userPool: cognito.UserPool;
  /** Hosted UI base URL (https://<prefix>.auth.<region>.amazoncognito.com). */
  readonly userPoolDomainUrl: string;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.gsi1.name,
      partitionKey: { name: TABLE_KEYS.gsi1.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.gsi1.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    // --- Buckets. All: SSE-S3, TLS only, no public access, access-logged, retained on stack deletion.
    const accessLogs = new s3.Bucket(this, 'AccessLogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs; S3 server access logging uses the bucket policy.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        { expiration: Duration.days(365), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.accessLogs = accessLogs;
    NagSuppressions.addResourceSuppressions(accessLogs, [
      {
        id: 'AwsSolutions-S1',
        reason: 'This is the access-log bucket itself; logging it into itself would loop.',
      },
    ]);
    const bucket = (id: string, extra: Partial<s3.BucketProps>) =>
      new s3.Bucket(this, id, {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: `s3/${id}/`,
        removalPolicy: RemovalPolicy.RETAIN,
        ...extra,
      });

    this.rawBucket = bucket('RawInboundBucket', {
      // Raw mail and withheld attachments are personal data: kept only as long as moderation and audits need.
      lifecycleRules: [
        ...Object.values(RAW_PREFIXES).map((prefix) => ({
          prefix,
          expiration: Duration.days(config.rawRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
        })),
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    // SES writes received mail here; the conditions pin the writer to our own receipt rule (confused deputy).
    this.rawBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesReceiptRulePut',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.rawBucket.arnForObjects(`${INBOUND_RAW_PREFIX}*`)],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'ses',
              resource: 'receipt-rule-set',
              resourceName: `${config.names.receiptRuleSet}:receipt-rule/${config.names.receiptRule}`,
            }),
          },
        },
      }),
    );

    this.contentBucket = bucket('ContentBucket', {
      lifecycleRules: [
        {
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    // The archive holds published editions only (no personal data) and is public through CloudFront.
    this.archiveBucket = bucket('ArchiveBucket', {
      lifecycleRules: [
        {
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    const directoryIndex = new cloudfront.Function(this, 'ArchiveIndexRewrite', {
      comment: 'Serve <dir>/index.html for directory URLs of the static archive',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        [
          'function handler(event) {',
          '  var r = event.request;',
          "  if (r.uri.endsWith('/')) r.uri += 'index.html';",
          "  else if (!r.uri.split('/').pop().includes('.')) r.uri += '/index.html';",
          '  return r;',
          '}',
        ].join('\n'),
      ),
    });
    const headers = archiveHeaders(this);
    // One signing configuration for both S3 origins (the archive bucket, media/ of the content bucket).
    const oac = new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
      description: 'Gazette archive distribution: signed reads of the archive bucket and edition media',
      signing: cloudfront.Signing.SIGV4_ALWAYS,
    });
    const distribution = new cloudfront.Distribution(this, 'ArchiveDistribution', {
      comment: `${config.prefix} newsletter archive`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.archiveBucket, {
          originAccessControl: oac,
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          { function: directoryIndex, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: 'cloudfront/archive/',
    });
    NagSuppressions.addResourceSuppressions(distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason: 'The archive is a public newsletter for a worldwide membership; no country is excluded.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Static, cached, read-only pages without personal data; a WAF web ACL (>= USD 5/month) buys nothing here.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Uses the default *.cloudfront.net certificate, where CloudFront does not honour a minimum TLS version; set a custom domain with its ACM certificate to enforce TLSv1.2_2021.',
      },
    ]);
    this.archiveUrl = `https://${distribution.distributionDomainName}`;
    this.mediaUrl = serveMedia(this, { distribution, oac, headers, bucket: this.contentBucket });

    this.tokenSecret = new secretsmanager.Secret(this, 'TokenSecret', {
      description: 'HMAC key for Gazette opt-in, preference and unsubscribe tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(this.tokenSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotating the HMAC key would invalidate every List-Unsubscribe link in mail already delivered (RFC 8058 links must keep working); rotate manually as documented in docs/deploy.md.',
      },
    ]);

    // --- Queues. Send fan-out with its DLQ; one DLQ for failed asynchronous invocations (jobs, SES, SNS).
    const queue = (id: string, extra: Partial<sqs.QueueProps>) =>
      new sqs.Queue(this, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, ...extra });
    this.sendDlq = queue('SendDlq', { retentionPeriod: Duration.days(14) });
    this.sendQueue = queue('SendQueue', {
      visibilityTimeout: Duration.seconds(SEND_QUEUE_VISIBILITY_SECONDS),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.sendDlq, maxReceiveCount: 5 },
    });
    this.jobsDlq = queue('JobsDlq', { retentionPeriod: Duration.days(14) });
    NagSuppressions.addResourceSuppressions(this.jobsDlq, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of asynchronous invocations (alarmed on depth).',
      },
    ]);

    // --- Alarms: anything landing in a DLQ needs a human; an operator gets mail.
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `${config.prefix} alarms`,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy, and a topic policy replaces SNS's default one (which let the account's
    // services publish): CloudWatch alarms need an explicit Allow, limited to this account's alarms.
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (config.alarmEmail) this.alarmTopic.addSubscription(new snsSubs.EmailSubscription(config.alarmEmail));
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string, threshold = 1) => {
      const a = new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      a.addOkAction(new cwActions.SnsAction(this.alarmTopic));
      return a;
    };
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM };
    alarm(
      'SendDlqAlarm',
      this.sendDlq.metricApproximateNumberOfMessagesVisible(fiveMinutes),
      'Send batches failed 5 times and reached the send DLQ: check the send-worker logs, then redrive.',
    );
    alarm(
      'JobsDlqAlarm',
      this.jobsDlq.metricApproximateNumberOfMessagesVisible(fiveMinutes),
      'An asynchronous invocation (ingest, SES event, compile, dispatch, reminder) failed all retries.',
    );
    alarm(
      'SendQueueStuckAlarm',
      this.sendQueue.metricApproximateAgeOfOldestMessage(fiveMinutes),
      'A send batch has waited over an hour: is sending paused, throttled or failing?',
      3600,
    );

    // --- SES: domain identity with Easy DKIM, custom MAIL FROM, configuration set publishing to SNS.
    this.sesEventsTopic = new sns.Topic(this, 'SesEventsTopic', {
      displayName: `${config.prefix} SES sending events`,
      enforceSSL: true,
    });
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: config.names.configurationSet,
      reputationMetrics: true,
      sendingEnabled: true,
      // Belt and braces: SES' account-level list as well as Gazette's own suppression table.
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('ToSns', {
      destination: ses.EventDestination.snsTopic(this.sesEventsTopic),
      events: SES_EVENTS,
    });
    this.identity = new ses.EmailIdentity(this, 'DomainIdentity', {
      identity: ses.Identity.domain(config.domain),
      dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
      dkimSigning: true,
      configurationSet: this.configurationSet,
      mailFromDomain: `${config.mailFromSubdomain}.${config.domain}`,
      mailFromBehaviorOnMxFailure: ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
    });

    // --- Console sign-in (issue 13): kept here because its users are state; the client lives with the site.
    this.userPool = new cognito.UserPool(this, 'ConsoleUserPool', {
      userPoolName: `${config.prefix}-console`,
      // The secretariat is a handful of named people: an administrator creates each account.
      selfSignUpEnabled: false,
      // A username (we suggest the person's e-mail address) and e-mail as an alias: the username is what the
      // access token carries, so it names the person in the audit trail.
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const [id, groupName, description] of [
      ['EditorsGroup', 'editors', 'Moderate member updates, compile and preview editions, manage deadlines'],
      ['ApproversGroup', 'approvers', 'Everything editors do, plus approve and send editions and reminders'],
    ] as const)
      new cognito.CfnUserPoolGroup(this, id, {
        userPoolId: this.userPool.userPoolId,
        groupName,
        description,
      });
    const domain = this.userPool.addDomain('ConsoleUserPoolDomain', {
      // Globally unique per region: the prefix plus the account id.
      cognitoDomain: { domainPrefix: `${config.prefix}-console-${this.account}` },
    });
    this.userPoolDomainUrl = domain.baseUrl();
    NagSuppressions.addResourceSuppressions(this.userPool, [
      {
        id: 'AwsSolutions-COG2',
        reason:
          'Issue 13 asks for MFA optional: TOTP is offered to every user and can be made required later without a new pool.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan (threat protection) costs per monthly active user; the secretariat is a few named users without self sign-up.',
      },
      {
        id: 'AwsSolutions-COG3',
        reason:
          'Threat protection (advanced security) needs the Cognito Plus plan; a few named users, no self sign-up and a strong password policy carry the risk.',
      },
    ]);

    const out = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    out('TableName', this.table.tableName, 'DynamoDB single table');
    out('RawBucketName', this.rawBucket.bucketName, 'Raw inbound mail (SES receipt rule target)');
    out('ContentBucketName', this.contentBucket.bucketName, 'Attachments and compiled editions');
    out('ArchiveBucketName', this.archiveBucket.bucketName, 'Static public archive (served by CloudFront)');
    out('ArchiveUrl', this.archiveUrl, 'Public newsletter archive');
    out('MediaUrl', this.mediaUrl, 'Edition images and documents (media/ of the content bucket)');
    out('TokenSecretArn', this.tokenSecret.secretArn, 'HMAC key for tokens (generated)');
    out('AlarmTopicArn', this.alarmTopic.topicArn, 'Operator alarms');
    out('ConsoleUserPoolId', this.userPool.userPoolId, 'Console users: aws cognito-idp admin-create-user …');
    out('ConsoleSignInUrl', this.userPoolDomainUrl, 'Cognito hosted UI of the console');
    out('ConfigurationSetName', config.names.configurationSet, 'SES configuration set');
    for (const [i, r] of this.identity.dkimRecords.entries()) {
      out(`DkimRecord${i + 1}`, `${r.name} CNAME ${r.value}`, 'Easy DKIM: publish as a CNAME record');
    }
  }
}

/**
 * Edition images and documents (issue 15): `media/*` of the content bucket through the archive's
 * distribution, read-only over origin access control. CDK's OAC origin would grant the distribution every
 * object of the bucket (drafts, members' raw attachments); this origin gets no grant of its own, and the
 * bucket policy lets the distribution read media/ only, never a photo's manifest (media/…/*.json), as the
 * embedded runtime's /media/ serves it. Keys are content-derived and stored `immutable`: CloudFront keeps
 * the origin's Cache-Control (CachingOptimized honours it up to a year).
 */
function serveMedia(
  scope: Stack,
  p: {
    distribution: cloudfront.Distribution;
    oac: cloudfront.IOriginAccessControl;
    headers: cloudfront.IResponseHeadersPolicy;
    bucket: s3.Bucket;
  },
): string {
  const { distribution, oac, headers, bucket } = p;
  distribution.addBehavior(
    `${MEDIA_PREFIX}*`,
    origins.S3BucketOrigin.withBucketDefaults(bucket, { originAccessControlId: oac.originAccessControlId }),
    {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: headers,
      compress: true,
    },
  );
  const principal = new iam.ServicePrincipal('cloudfront.amazonaws.com');
  const fromThisDistribution = {
    StringEquals: {
      'AWS:SourceArn': scope.formatArn({
        service: 'cloudfront',
        region: '',
        resource: 'distribution',
        resourceName: distribution.distributionId,
      }),
    },
  };
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowArchiveDistributionReadMedia',
      principals: [principal],
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${MEDIA_PREFIX}*`)],
      conditions: fromThisDistribution,
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyDistributionReadMediaManifests',
      effect: iam.Effect.DENY,
      principals: [principal],
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${MEDIA_PREFIX}*.json`)],
    }),
  );
  return `https://${distribution.distributionDomainName}/${MEDIA_PREFIX.replace(/\/$/, '')}`;
}

/**
 * Archive pages are static newsletter HTML: no script, nothing framed, nothing sniffed (issue 12 item 9).
 * Images may come from anywhere over https (member logos in editions); styles are inline (mail HTML).
 */
/** Shared with the embedded runtime's /archive/ so both serve the same headers. */
export { ARCHIVE_CSP };

function archiveHeaders(scope: Construct) {
  return new cloudfront.ResponseHeadersPolicy(scope, 'ArchiveHeaders', {
    comment: 'Gazette archive: CSP, nosniff, no framing, HSTS, no referrer',
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: ARCHIVE_CSP, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.days(365),
        includeSubdomains: true,
        override: true,
      },
    },
  });
}
