/**
 * The secretariat console on AWS (issue 13): the Vite build of console/ in a private S3 bucket behind
 * CloudFront with origin access control, strict security headers (the CSP lets the page talk only to itself,
 * the admin API and Cognito), the Cognito app client it signs in with (authorization code + PKCE), and the
 * `config.json` that tells the front end where to sign in and which API to call.
 */
import { existsSync } from 'node:fs';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { InfraConfig } from './config.ts';

/** Vite's `base` (console/vite.config.ts): the console lives under /console/ on its distribution too. */
export const CONSOLE_BASE = '/console/';

/** The shape of /console/config.json on AWS (the front end's ConsoleConfig, mode "cognito"). */
export interface CognitoConsoleConfig {
  auth: { mode: 'cognito'; domain: string; clientId: string; redirectUri: string; scopes: string[] };
  apiUrl: string;
}

export const CONSOLE_SCOPES = ['openid', 'email', 'profile'];

/** The console's CSP: its own scripts and styles, and connections only to the admin API and Cognito. */
export const consoleCsp = (apiOrigin: string, cognitoOrigin: string) =>
  [
    "default-src 'self'",
    `connect-src 'self' ${apiOrigin} ${cognitoOrigin}`,
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "frame-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    `form-action 'self' ${cognitoOrigin}`,
  ].join('; ');

export interface ConsoleSiteProps {
  config: InfraConfig;
  userPool: cognito.IUserPool;
  /** https://<prefix>.auth.<region>.amazoncognito.com */
  userPoolDomainUrl: string;
  /** Origin of the admin HTTP API (https://<id>.execute-api.<region>.amazonaws.com). */
  apiOrigin: string;
  /** Base the console's calls go to: <apiOrigin>/console-api (JWT-authorised admin routes). */
  apiUrl: string;
  /** CloudFront standard logs (ACL-enabled bucket of the stateful stack). */
  logBucket: s3.IBucket;
  /** The built console (console/dist); deployed only if it exists at synth time. */
  distDir: string;
}

export class ConsoleSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly url: string;
  readonly client: cognito.UserPoolClient;
  readonly siteConfig: CognitoConsoleConfig;
  /** False when console/dist was missing at synth: only config.json is deployed. */
  readonly deploysBuild: boolean;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const { config } = props;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Build output only: redeployed from console/dist, so it goes with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    NagSuppressions.addResourceSuppressions(this.bucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'Holds only the public console build, written by the deployment; every read is through CloudFront, whose standard logs record it.',
      },
    ]);

    const cognitoOrigin = props.userPoolDomainUrl;
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Gazette console: CSP (self, admin API, Cognito), nosniff, no framing, HSTS, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleCsp(props.apiOrigin, cognitoOrigin),
          override: true,
        },
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
    // The console's router owns its paths (/console/sign-in, /console/editions/8): serve the app for them.
    const spa = new cloudfront.Function(this, 'SpaRewrite', {
      comment: 'Serve /console/index.html for the console app routes',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        [
          'function handler(event) {',
          '  var r = event.request;',
          `  if (!r.uri.startsWith('${CONSOLE_BASE}')) return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${CONSOLE_BASE}' } } };`,
          "  if (!r.uri.split('/').pop().includes('.')) r.uri = '/console/index.html';",
          '  return r;',
          '}',
        ].join('\n'),
      ),
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${config.prefix} secretariat console`,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: spa, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/console/',
    });
    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'The secretariat works from several countries; sign-in (Cognito) guards the data, not geography.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Static build files without data; every API call is authorised by the Cognito JWT at API Gateway, so a WAF here guards nothing.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Uses the default *.cloudfront.net certificate, where CloudFront does not honour a minimum TLS version; set a custom domain with its ACM certificate to enforce TLSv1.2_2021.',
      },
    ]);
    this.url = `https://${this.distribution.distributionDomainName}`;
    const redirectUri = `${this.url}${CONSOLE_BASE}sign-in`;

    this.client = new cognito.UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: `${config.prefix}-console`,
      // A browser app: no secret; the authorization code flow with PKCE (S256) is what the console runs.
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [redirectUri],
        logoutUrls: [`${this.url}${CONSOLE_BASE}`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(8),
    });

    this.siteConfig = {
      auth: {
        mode: 'cognito',
        domain: cognitoOrigin,
        clientId: this.client.userPoolClientId,
        redirectUri,
        scopes: CONSOLE_SCOPES,
      },
      apiUrl: props.apiUrl,
    };

    // --- Deployment: the build (if present) and config.json, by CDK's BucketDeployment with its own role.
    const logGroup = new logs.LogGroup(this, 'DeployLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'DeployRole', {
      description:
        'Gazette console deployment (CDK BucketDeployment): copies the build into the console bucket',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    this.deploysBuild = existsSync(props.distDir);
    const sources = [s3deploy.Source.jsonData('config.json', this.siteConfig)];
    if (this.deploysBuild) {
      const build = new s3assets.Asset(this, 'Build', { path: props.distDir });
      sources.unshift(s3deploy.Source.bucket(build.bucket, build.s3ObjectKey));
    }
    // Exact actions, granted here: CDK's own grants (s3:GetObject*, s3:List*, …) are wildcard actions.
    const stack = Stack.of(this);
    // The CDK bootstrap asset bucket (cdk-<qualifier>-assets-<account>-<region>).
    const assetBucketArn = `arn:${stack.partition}:s3:::cdk-*-assets-${stack.account}-${stack.region}`;
    const statements = [
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`${assetBucketArn}/*`] }),
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects('console/*')],
      }),
      new iam.PolicyStatement({
        actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        resources: [
          stack.formatArn({
            service: 'cloudfront',
            region: '',
            resource: 'distribution',
            resourceName: this.distribution.distributionId,
          }),
        ],
      }),
    ];
    for (const s of statements) role.addToPolicy(s);
    const deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources,
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_BASE.slice(1),
      // Grants CDK would add go nowhere: the role above already says exactly what the copy needs.
      role: role.withoutPolicyUpdates(),
      logGroup,
      memoryLimit: 256,
      prune: true,
      distribution: this.distribution,
      distributionPaths: [`${CONSOLE_BASE}index.html`, `${CONSOLE_BASE}config.json`],
    });
    deployment.node.addDependency(role);
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The deployment reads its source zip from the CDK bootstrap asset bucket (keys are content hashes) and writes the build under console/ of the console bucket.',
          appliesTo: [
            { regex: '/^Resource::arn:<AWS::Partition>:s3:::cdk-\\*-assets-.*\\/\\*$/g' },
            { regex: '/^Resource::.*ConsoleSiteBucket.*\\/console\\/\\*$/g' },
          ],
        },
      ],
      true,
    );
    // The CDK-provided handler is a stack-level singleton (its id carries a hash): found by its prefix.
    for (const c of stack.node.children.filter((x) => x.node.id.startsWith('Custom::CDKBucketDeployment')))
      NagSuppressions.addResourceSuppressions(
        c,
        [
          {
            id: 'AwsSolutions-L1',
            reason: 'Runtime of the CDK-provided BucketDeployment handler is chosen by aws-cdk-lib.',
          },
        ],
        true,
      );
  }
}
