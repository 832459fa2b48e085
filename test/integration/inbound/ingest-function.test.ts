import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaIngestGateway } from '../../../src/adapters/lambda/lambda-ingest-gateway.ts';
import { NotFoundError } from '../../../src/domain/errors.ts';
import type { IngestResult } from '../../../src/domain/index.ts';
import { LOCAL_CREDENTIALS } from '../../../src/runtimes/local/stack.ts';
import { mail } from '../../fixtures/inbound/index.ts';
import { startTestStack } from '../../support/local-stack.ts';

type Handler = (event: unknown) => Promise<unknown>;

/**
 * A stand-in for the Lambda Invoke API (POST /2015-03-31/functions/<name>/invocations) that runs the real
 * ingest handler, so the real SDK client and the gateway's error mapping run: an unhandled error is
 * answered the way Lambda answers it (200 + X-Amz-Function-Error).
 */
async function startLambdaStandIn(functions: Record<string, () => Promise<Handler>>) {
  const calls: { name: string; invocationType: string | undefined; payload: unknown }[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const name = decodeURIComponent(/\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1] ?? '');
    const payload = JSON.parse(Buffer.concat(chunks).toString() || 'null') as unknown;
    calls.push({ name, invocationType: req.headers['x-amz-invocation-type'] as string | undefined, payload });
    const load = functions[name];
    if (!load) {
      res.writeHead(404, {
        'x-amzn-errortype': 'ResourceNotFoundException',
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ Type: 'User', Message: `Function not found: ${name}` }));
      return;
    }
    try {
      const out = await (await load())(payload);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out ?? null));
    } catch (e) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      res.end(JSON.stringify({ errorType: (e as Error).name, errorMessage: (e as Error).message }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, calls, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * POST /admin/inbound on AWS: the api function (no MIME parser in its bundle) stores the upload under
 * inbound/ and invokes the ingest function synchronously; both real handlers, their real Lambda
 * composition roots, the real SDK clients, pointed at the local stand-ins.
 */
describe('admin upload through the api and ingest functions', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let lambda: Awaited<ReturnType<typeof startLambdaStandIn>>;
  let api: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

  const upload = async (raw: Buffer, verdicts = 'pass') => {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/admin/inbound',
      rawQueryString: `verdicts=${verdicts}`,
      queryStringParameters: { verdicts },
      headers: { 'content-type': 'message/rfc822' },
      body: raw.toString('base64'),
      isBase64Encoded: true,
      requestContext: {
        stage: '$default',
        http: { method: 'POST', path: '/admin/inbound', sourceIp: '192.0.2.1' },
        authorizer: { iam: { userArn: 'arn:aws:iam::000000000000:user/alice' } },
      },
    } as unknown as APIGatewayProxyEventV2;
    const res = await api(event);
    return {
      status: res.statusCode,
      body: JSON.parse(String(res.body)) as IngestResult & { error?: string },
    };
  };

  beforeAll(async () => {
    stack = await startTestStack();
    lambda = await startLambdaStandIn({
      'gazette-ingest': async () => (await import('../../../functions/ingest.ts')).handler as Handler,
    });
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
      // The stack's own table (a fresh one per stack when CI runs against DynamoDB Local).
      GAZETTE_TABLE: stack.infra.table.name,
      AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
      AWS_ENDPOINT_URL_SESV2: stack.endpoints.ses,
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      GAZETTE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:unused',
      GAZETTE_SES_CONFIGURATION_SET: 'gazette',
      GAZETTE_INGEST_FUNCTION: 'gazette-ingest',
    });
    const res = await stack.admin('/admin/members', {
      method: 'POST',
      body: JSON.stringify({
        organisation: 'GreenBuy e.V.',
        type: 'network',
        country: 'Germany',
        senders: ['news@greenbuy.example'],
      }),
    });
    expect(res.status).toBe(201);
    ({ handler: api } = (await import('../../../functions/api.ts')) as unknown as { handler: typeof api });
  });
  afterAll(async () => {
    await lambda?.stop();
    await stack?.stop();
  });

  it('stores the upload where SES stores mail and answers with the ingest function’s outcome', async () => {
    const raw = mail({ subject: 'Webinar on green ICT', body: 'Join us on 12 May.' });
    const r = await upload(raw);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ outcome: 'accepted', updateId: expect.any(String) });
    const call = lambda.calls.at(-1)!;
    expect(call).toMatchObject({ name: 'gazette-ingest', invocationType: 'RequestResponse' });
    const { messageId } = (call.payload as { gazetteIngest: { messageId: string } }).gazetteIngest;
    expect(Buffer.from(await stack.infra.blobs.raw.get(`inbound/${messageId}`)).equals(raw)).toBe(true);
    const update = await stack.admin(`/admin/updates/${r.body.updateId}`);
    expect(await update.json()).toMatchObject({ title: 'Webinar on green ICT', status: 'pending' });
  });

  it('passes the chosen verdicts through: a member mail failing authentication is quarantined', async () => {
    const r = await upload(mail({ subject: 'Spoofed?' }), 'fail');
    expect(r.body).toMatchObject({ outcome: 'quarantined', reason: expect.stringMatching(/SPF=FAIL/) });
    expect(lambda.calls.at(-1)!.payload).toMatchObject({ gazetteIngest: { verdicts: 'fail' } });
  });

  it('uploading the same message twice yields one update', async () => {
    const raw = mail({ subject: 'Twice', body: 'once' });
    const first = await upload(raw);
    const second = await upload(raw);
    expect(second.body.updateId).toBe(first.body.updateId);
  });

  it('maps a domain error from the ingest function back to the same error type', async () => {
    const gateway = LambdaIngestGateway.connect(
      { region: 'us-east-1', endpoint: lambda.url, credentials: LOCAL_CREDENTIALS },
      'gazette-ingest',
    );
    await expect(gateway.ingestStored('no-such-message', 'pass')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reports a crashed ingest function as an error, not as an outcome', async () => {
    const gateway = LambdaIngestGateway.connect(
      { region: 'us-east-1', endpoint: lambda.url, credentials: LOCAL_CREDENTIALS },
      'gazette-missing',
    );
    await expect(gateway.ingestStored('x', 'pass')).rejects.toThrow(/not found/i);
  });
});
