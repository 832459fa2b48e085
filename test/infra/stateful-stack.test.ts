import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TABLE_KEYS } from '../../src/adapters/dynamodb/keys.ts';
import { resources, synth } from './support.ts';

describe('stateful stack', () => {
  const { statefulT: t, config } = synth({ alarmEmail: 'ops@gazette.example.org', rawRetentionDays: '30' });

  it('defines the single table exactly as src/adapters/dynamodb/keys.ts describes it', () => {
    t.resourceCountIs('AWS::DynamoDB::Table', 1);
    t.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: TABLE_KEYS.gsi1.name,
            KeySchema: [
              { AttributeName: TABLE_KEYS.gsi1.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE_KEYS.gsi1.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    });
  });

  it('encrypts, blocks public access and keeps every bucket on stack deletion', () => {
    const buckets = resources(t, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(4);
    for (const [id, b] of buckets) {
      expect(b.DeletionPolicy, id).toBe('Retain');
      expect(b.Properties.BucketEncryption, id).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect(b.Properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('versions and access-logs the raw, content and archive buckets', () => {
    for (const prefix of ['RawInboundBucket', 'ContentBucket', 'ArchiveBucket']) {
      const [[id, b] = []] = resources(t, 'AWS::S3::Bucket').filter(([id]) => id.startsWith(prefix));
      expect(id, prefix).toBeDefined();
      expect(b!.Properties.VersioningConfiguration, id).toEqual({ Status: 'Enabled' });
      expect(b!.Properties.LoggingConfiguration, id).toEqual({
        DestinationBucketName: { Ref: expect.stringMatching(/^AccessLogBucket/) },
        LogFilePrefix: `s3/${prefix}/`,
      });
    }
  });

  it('denies every non-TLS request to every bucket', () => {
    const policies = resources(t, 'AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(4);
    for (const [id, p] of policies) {
      const doc = p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] };
      expect(doc.Statement, id).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('expires raw inbound mail and withheld attachments after the configured retention', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'inbound/', ExpirationInDays: 30, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'withheld/', ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('lets only our own SES receipt rule write raw mail, and only under inbound/', () => {
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^RawInboundBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: {
              'Fn::Join': [
                '',
                [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^RawInboundBucket'), 'Arn'] }, '/inbound/*'],
              ],
            },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    Match.arrayWith([
                      `:receipt-rule-set/${config.names.receiptRuleSet}:receipt-rule/${config.names.receiptRule}`,
                    ]),
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('serves the archive through CloudFront with Origin Access Control, not a public bucket', () => {
    t.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        // The second origin is media/ of the content bucket (test/infra/media.test.ts).
        Origins: Match.arrayWith([
          Match.objectLike({
            DomainName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ArchiveBucket'), 'RegionalDomainName'] },
            OriginAccessControlId: { 'Fn::GetAtt': [Match.anyValue(), 'Id'] },
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ]),
        Logging: Match.objectLike({ Prefix: 'cloudfront/archive/' }),
      }),
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^ArchiveBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('generates the token HMAC key in Secrets Manager (long enough for the runtime check)', () => {
    t.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
      }),
    });
  });

  it('sends failed send batches to a DLQ after 5 receives, with TLS-only encrypted queues', () => {
    t.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SendDlq'), 'Arn'] },
        maxReceiveCount: 5,
      },
      VisibilityTimeout: 1800,
    });
    for (const [id, q] of resources(t, 'AWS::SQS::Queue')) {
      expect(q.Properties.SqsManagedSseEnabled, id).toBe(true);
    }
    expect(resources(t, 'AWS::SQS::QueuePolicy')).toHaveLength(3);
  });

  it('alarms on any message in either DLQ and mails the operator', () => {
    for (const dlq of ['SendDlq', 'JobsDlq']) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${dlq}`), 'QueueName'] } },
        ],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
      });
    }
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@gazette.example.org',
      TopicArn: { Ref: Match.stringLikeRegexp('^AlarmTopic') },
    });
  });

  it('lets CloudWatch alarms of this account publish to the alarm topic (its policy replaces the SNS default)', () => {
    // enforceSSL gives the topic a policy of its own, and a topic policy replaces SNS's default one (which let
    // the account's services publish): without an Allow, every alarm action fails with "not authorized to
    // perform SNS:Publish" on AWS, and the operator hears of nothing.
    const [[, policy] = []] = resources(t, 'AWS::SNS::TopicPolicy').filter(([id]) =>
      id.startsWith('AlarmTopic'),
    );
    const stmts = (policy!.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    const allow = stmts.filter((s) => s.Effect === 'Allow');
    expect(allow).toHaveLength(1);
    expect(allow[0]).toMatchObject({
      Action: 'sns:Publish',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Resource: { Ref: expect.stringMatching(/^AlarmTopic/) },
    });
    const sourceArn = JSON.stringify(
      (allow[0]!.Condition as Record<string, Record<string, unknown>>).ArnLike!['aws:SourceArn'],
    );
    expect(sourceArn).toContain(':cloudwatch:');
    expect(sourceArn).toContain('AWS::AccountId');
    expect(sourceArn).toMatch(/:alarm:\*"/);
  });

  it('verifies the sending domain with Easy DKIM and a custom MAIL FROM, defaulting to the configuration set', () => {
    t.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: config.domain,
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      MailFromAttributes: {
        MailFromDomain: `mail.${config.domain}`,
        BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      },
      ConfigurationSetAttributes: {
        ConfigurationSetName: { Ref: Match.stringLikeRegexp('^ConfigurationSet') },
      },
    });
  });

  it('publishes every SES sending event Gazette maps to the SES events topic', () => {
    t.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: config.names.configurationSet,
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    const [[, dest] = []] = resources(t, 'AWS::SES::ConfigurationSetEventDestination');
    const ed = dest!.Properties.EventDestination as Record<string, unknown>;
    expect(ed.Enabled).toBe(true);
    expect([...(ed.MatchingEventTypes as string[])].sort()).toEqual(
      [
        'bounce',
        'click',
        'complaint',
        'delivery',
        'deliveryDelay',
        'open',
        'reject',
        'renderingFailure',
        'send',
      ].sort(),
    );
    expect(ed.SnsDestination).toEqual({ TopicARN: { Ref: expect.stringMatching(/^SesEventsTopic/) } });
  });

  it('outputs the table and bucket names and the archive URL', () => {
    for (const name of ['TableName', 'RawBucketName', 'ContentBucketName', 'ArchiveBucketName', 'ArchiveUrl'])
      t.hasOutput(name, {});
  });
});
