import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { fromApiGateway, toApiGateway } from '../../../src/runtimes/lambda/http-event.ts';

const event = (over: Partial<APIGatewayProxyEventV2> & { iamArn?: string } = {}) =>
  ({
    version: '2.0',
    routeKey: 'ANY /admin/{proxy+}',
    rawPath: '/admin/members',
    rawQueryString: 'status=active',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.9' },
    queryStringParameters: { status: 'active' },
    body: Buffer.from('{"a":1}').toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'x.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'x',
      http: {
        method: 'POST',
        path: '/admin/members',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 'ua',
      },
      requestId: 'r',
      routeKey: 'ANY /admin/{proxy+}',
      stage: '$default',
      time: '',
      timeEpoch: 0,
      authorizer: over.iamArn ? { iam: { userArn: over.iamArn } } : undefined,
    },
    ...over,
  }) as unknown as APIGatewayProxyEventV2;

describe('API Gateway HTTP API mapping', () => {
  it('lower-cases headers, decodes base64 bodies and takes the actor from the IAM authorizer', () => {
    const r = fromApiGateway(event({ iamArn: 'arn:aws:iam::123456789012:user/secretariat' }));
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/admin/members');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body.toString()).toBe('{"a":1}');
    expect(r.query).toEqual({ status: 'active' });
    expect(r.actor).toBe('arn:aws:iam::123456789012:user/secretariat');
  });

  it('has no actor when the route is public (no IAM authorizer)', () => {
    expect(fromApiGateway(event()).actor).toBeUndefined();
  });

  it('base64-encodes binary responses and passes text through', () => {
    expect(toApiGateway({ status: 200, body: Buffer.from([0xff, 0x00]) })).toMatchObject({
      isBase64Encoded: true,
      body: '/wA=',
    });
    expect(toApiGateway({ status: 201, body: 'hi' })).toMatchObject({
      statusCode: 201,
      body: 'hi',
      isBase64Encoded: false,
    });
  });
});
