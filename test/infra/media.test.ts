/**
 * Edition attachments on AWS (issue 15): media/ of the content bucket served read-only over HTTPS by the
 * archive's distribution, the compile function told where, and sharp installed for linux arm64 in its bundle.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { bundlingFor, esbuildOptionsFor, lockedVersion } from '../../infra/bundling.ts';
import { HANDLERS } from '../../infra/functions.ts';
import { resources, synth } from './support.ts';

/** CloudFront's managed CachingOptimized policy (honours the origin's Cache-Control up to a year). */
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

type Json = Record<string, unknown>;

describe('edition media through CloudFront', () => {
  const { statefulT: t, statelessT } = synth();
  const distribution = () => {
    const ds = resources(t, 'AWS::CloudFront::Distribution');
    expect(ds).toHaveLength(1);
    return ds[0]![1].Properties.DistributionConfig as Json & {
      Origins: (Json & { Id: string; DomainName: Json; OriginAccessControlId?: Json })[];
      CacheBehaviors?: (Json & { PathPattern: string; TargetOriginId: string })[];
    };
  };
  const contentBucketId = () => {
    const ids = resources(t, 'AWS::S3::Bucket')
      .map(([id]) => id)
      .filter((id) => id.startsWith('ContentBucket'));
    expect(ids).toHaveLength(1);
    return ids[0]!;
  };
  const contentPolicy = () => {
    const p = resources(t, 'AWS::S3::BucketPolicy').filter(
      ([, r]) => (r.Properties.Bucket as Json).Ref === contentBucketId(),
    );
    expect(p).toHaveLength(1);
    return (p[0]![1].Properties.PolicyDocument as { Statement: Json[] }).Statement;
  };

  it('adds a media/* behaviour to the archive distribution: GET/HEAD only, HTTPS, cached, the archive headers', () => {
    const d = distribution();
    const media = d.CacheBehaviors?.filter((b) => b.PathPattern === 'media/*') ?? [];
    expect(media).toHaveLength(1);
    const b = media[0]!;
    expect(b).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      CachedMethods: ['GET', 'HEAD'],
      CachePolicyId: CACHING_OPTIMIZED,
      Compress: true,
    });
    expect(b.ResponseHeadersPolicyId).toEqual((d.DefaultCacheBehavior as Json).ResponseHeadersPolicyId);
    expect(b.FunctionAssociations).toBeUndefined();
    const origin = d.Origins.find((o) => o.Id === b.TargetOriginId);
    expect(origin?.DomainName).toEqual({
      'Fn::GetAtt': [contentBucketId(), 'RegionalDomainName'],
    });
    expect(Object.keys(origin?.OriginAccessControlId ?? {})).toEqual(['Fn::GetAtt']);
  });

  it('reads the content bucket through an S3 origin access control that signs every request', () => {
    const oacId = distribution()
      .Origins.filter((o) => JSON.stringify(o.DomainName).includes(contentBucketId()))
      .map((o) => (o.OriginAccessControlId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    expect(oacId).toHaveLength(1);
    t.hasResource('AWS::CloudFront::OriginAccessControl', {
      Properties: {
        OriginAccessControlConfig: Match.objectLike({
          OriginAccessControlOriginType: 's3',
          SigningBehavior: 'always',
          SigningProtocol: 'sigv4',
        }),
      },
    });
    expect(t.toJSON().Resources[oacId[0]!].Type).toBe('AWS::CloudFront::OriginAccessControl');
  });

  it('lets only the archive distribution read only media/ of the content bucket, never a manifest', () => {
    const cf = contentPolicy().filter(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudfront.amazonaws.com' }),
    );
    const distributionId = resources(t, 'AWS::CloudFront::Distribution')[0]![0];
    const objects = (suffix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [contentBucketId(), 'Arn'] }, suffix]],
    });
    expect(cf).toEqual([
      {
        Sid: 'AllowArchiveDistributionReadMedia',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: objects('/media/*'),
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudfront::',
                  { Ref: 'AWS::AccountId' },
                  ':distribution/',
                  { Ref: distributionId },
                ],
              ],
            },
          },
        },
      },
      {
        Sid: 'DenyDistributionReadMediaManifests',
        Effect: 'Deny',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: objects('/media/*.json'),
      },
    ]);
    // Nobody else is granted anything by the bucket policy beyond the TLS-only deny.
    const others = contentPolicy().filter((s) => !cf.includes(s));
    expect(others.map((s) => [s.Effect, s.Action])).toEqual([['Deny', 's3:*']]);
  });

  it('gives every function GAZETTE_MEDIA_URL = <archive distribution>/media', () => {
    const out = t.toJSON().Outputs.MediaUrl as { Value: unknown; Export?: unknown };
    expect(out.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { 'Fn::GetAtt': [resources(t, 'AWS::CloudFront::Distribution')[0]![0], 'DomainName'] },
          '/media',
        ],
      ],
    });
    const fns = resources(statelessT, 'AWS::Lambda::Function').filter(([, r]) =>
      HANDLERS.some((h) => r.Properties.FunctionName === `gazette-${h}`),
    );
    expect(fns).toHaveLength(HANDLERS.length);
    for (const [id, f] of fns) {
      const env = (f.Properties.Environment as { Variables: Json }).Variables;
      // A cross-stack reference to the stateful stack's distribution domain.
      expect(JSON.stringify(env.GAZETTE_MEDIA_URL), id).toMatch(/"https:\/\/".*ImportValue.*"\/media"/);
    }
  });

  it('uses the media origin an operator names (context mediaUrl), and refuses it in lambdaEnv', () => {
    expect(() => synth({ lambdaEnv: '{"GAZETTE_MEDIA_URL":"https://media.igpn.example/m"}' })).toThrow(
      /GAZETTE_MEDIA_URL is set by the stacks; use its context key/,
    );
    const { statelessT: own } = synth({ mediaUrl: 'https://media.igpn.example/m' });
    const compile = resources(own, 'AWS::Lambda::Function').find(
      ([, r]) => r.Properties.FunctionName === 'gazette-compile-edition',
    );
    expect(compile).toBeDefined();
    const env = (compile![1].Properties.Environment as { Variables: Json }).Variables;
    expect(env.GAZETTE_MEDIA_URL).toBe('https://media.igpn.example/m');
  });
});

describe('sharp in the compile-edition bundle', () => {
  const version = lockedVersion('sharp');

  it('leaves sharp out of esbuild and installs it as a node module, the linux arm64 glibc binary, at the locked version', () => {
    const b = bundlingFor('compile-edition');
    expect(b.externalModules).toContain('sharp');
    expect(b.nodeModules).toContain('sharp');
    expect(esbuildOptionsFor('compile-edition').external).toContain('sharp');
    const after = b.commandHooks?.afterBundling('/src', '/asset-output') ?? [];
    expect(after).toEqual([
      'cp -R "/src/templates" "/asset-output/templates"',
      `cd "/asset-output" && rm -rf node_modules/sharp node_modules/@img && npm install --no-save --no-audit --no-fund --omit=dev --os=linux --cpu=arm64 --libc=glibc sharp@${version}`,
    ]);
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('installs sharp in no other function', () => {
    for (const h of HANDLERS.filter((n) => n !== 'compile-edition')) {
      const b = bundlingFor(h);
      expect(b.nodeModules ?? [], h).not.toContain('sharp');
      expect(b.externalModules, h).not.toContain('sharp');
      expect(JSON.stringify(b.commandHooks?.afterBundling('/src', '/out') ?? []), h).not.toContain('sharp');
    }
  });
});
