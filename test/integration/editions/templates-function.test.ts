import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import { LOCAL_CREDENTIALS } from '../../../src/runtimes/local/stack.ts';
import { startTestStack } from '../../support/local-stack.ts';
import { anUpdate } from '../../unit/editions/fixtures.ts';

type Handler = (event: unknown) => Promise<unknown>;

/**
 * A stand-in for the Lambda Invoke API (POST /2015-03-31/functions/<name>/invocations) running the real
 * compile-edition handler, answering an unhandled error as Lambda does (200 + X-Amz-Function-Error).
 * (The same stand-in as test/integration/inbound/ingest-function.test.ts.)
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
 * Templates on AWS: the api function has no mjml, so it asks the compile-edition function synchronously
 * for the deployed folder and for every check and preview; both real handlers, their real Lambda
 * composition roots and the real SDK clients, pointed at the local stand-ins.
 */
describe('templates through the api and compile-edition functions', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let lambda: Awaited<ReturnType<typeof startLambdaStandIn>>;
  let api: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  let compile: Handler;
  let item = '';

  const call = async <T>(method: string, path: string, body?: unknown) => {
    const [rawPath, query = ''] = path.split('?');
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString: query,
      queryStringParameters: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: {
        stage: '$default',
        http: { method, path: rawPath, sourceIp: '192.0.2.1' },
        authorizer: { iam: { userArn: 'arn:aws:iam::000000000000:user/alice' } },
      },
    } as unknown as APIGatewayProxyEventV2;
    const res = await api(event);
    return { status: res.statusCode, body: JSON.parse(String(res.body)) as T };
  };

  beforeAll(async () => {
    stack = await startTestStack();
    lambda = await startLambdaStandIn({
      'gazette-compile': async () =>
        (await import('../../../functions/compile-edition.ts')).handler as Handler,
    });
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
      GAZETTE_TABLE: stack.infra.table.name,
      AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
      AWS_ENDPOINT_URL_SESV2: stack.endpoints.ses,
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      GAZETTE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:unused',
      GAZETTE_SES_CONFIGURATION_SET: 'gazette',
      GAZETTE_COMPILE_FUNCTION: 'gazette-compile',
    });
    const u = anUpdate({ title: 'Lambda news', receivedAt: new Date(Date.now() - 86_400_000).toISOString() });
    await stack.infra.table.put({
      ...keys.update(u.updateId),
      gsi1pk: 'UPDATES#approved',
      gsi1sk: `${u.receivedAt}#${u.updateId}`,
      ...u,
    });
    ({ handler: api } = (await import('../../../functions/api.ts')) as unknown as { handler: typeof api });
    compile = (await import('../../../functions/compile-edition.ts')).handler as Handler;
  });
  afterAll(async () => {
    await lambda?.stop();
    await stack?.stop();
  });

  it('lists the deployed folder, read by the compile function', async () => {
    const res = await call<{ version: number; files: { name: string }[] }>('GET', '/admin/templates');
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(0);
    expect(res.body.files.map((f) => f.name)).toContain('partials/item.mjml');
    expect(lambda.calls.at(-1)).toMatchObject({
      name: 'gazette-compile',
      invocationType: 'RequestResponse',
      payload: { gazetteTemplates: { op: 'folder' } },
    });
    item = (await call<{ content: string }>('GET', '/admin/templates/file?name=partials/item.mjml')).body
      .content;
    expect(item).toContain('<mj-section');
  });

  it("refuses a broken file with mjml's problems from the compile function (422), saving nothing", async () => {
    const res = await call<{ details: { problems: { file: string; line: number; message: string }[] } }>(
      'PUT',
      '/admin/templates',
      {
        files: { 'partials/item.mjml': item.replace('<mj-column>', '<mj-column padding="lots">') },
        baseVersion: 0,
      },
    );
    expect(res.status).toBe(422);
    expect(res.body.details.problems[0]).toMatchObject({
      file: 'partials/item.mjml',
      line: 3,
      message: expect.stringContaining('padding'),
    });
    expect(lambda.calls.at(-1)?.payload).toMatchObject({ gazetteTemplates: { op: 'check' } });
    expect((await call<{ version: number }>('GET', '/admin/templates')).body.version).toBe(0);
  });

  it('saves a checked set that the compile function then compiles with', async () => {
    const marked = item.replace('{{organisation}}</p>', '{{organisation}} · LAMBDA-MARK</p>');
    const preview = await call<{ html: string }>('POST', '/admin/templates/preview', {
      files: { 'partials/item.mjml': marked },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.html).toContain('LAMBDA-MARK');
    const saved = await call<{ saved: { version: number; savedBy: string } }>('PUT', '/admin/templates', {
      files: { 'partials/item.mjml': marked },
      baseVersion: 0,
    });
    expect(saved.status).toBe(201);
    expect(saved.body.saved).toMatchObject({ version: 1, savedBy: 'arn:aws:iam::000000000000:user/alice' });
    const out = (await compile({ gazetteJob: { type: 'compile-edition', requestedBy: 'api:alice' } })) as {
      ok: boolean;
      number: number;
    };
    expect(out.ok).toBe(true);
    const edition = await stack.app.editions.lifecycle.show(out.number);
    const html = await stack.infra.blobs.content.getText(edition.variants[0]?.htmlKey ?? '');
    expect(html).toContain('Lambda news');
    expect(html).toContain('LAMBDA-MARK');
  });
});
