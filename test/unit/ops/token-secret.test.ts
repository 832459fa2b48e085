/**
 * The token HMAC key on AWS is read through Powertools' Parameters utility (issue 17), over the real AWS SDK
 * client against a small Secrets Manager stand-in speaking its JSON protocol: a read is cached, and a failed
 * read is not, so one throttled first read does not break a container for its whole life.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretReader } from '../../../src/adapters/secrets/secret-reader.ts';

const KEY = 'k'.repeat(48);
let server: Server | undefined;
afterEach(() => server?.close());

/** Answers GetSecretValue; `failures` first calls get a 500 (as a throttled or broken endpoint would). */
async function secretsManager(value: string, failures = 0) {
  const calls: string[] = [];
  const stub = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      calls.push(`${req.headers['x-amz-target']} ${JSON.parse(body).SecretId}`);
      if (calls.length <= failures) {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'InternalServiceError', message: 'try again' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:t',
          Name: 't',
          SecretString: value,
        }),
      );
    });
  });
  server = stub;
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  const aws = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  return { calls, aws };
}

describe('the token secret on AWS', () => {
  it('reads the secret once and serves it from the cache afterwards', async () => {
    const { calls, aws } = await secretsManager(KEY);
    const read = createSecretReader(aws);
    expect(await read('gazette/token')).toBe(KEY);
    expect(await read('gazette/token')).toBe(KEY);
    expect(calls).toEqual(['secretsmanager.GetSecretValue gazette/token']);
  });

  it('does not remember a failed read: the next call reads again and succeeds', async () => {
    // The SDK retries a 500 itself (3 attempts); four failures make the first call fail as a whole.
    const { calls, aws } = await secretsManager(KEY, 4);
    const read = createSecretReader(aws);
    await expect(read('gazette/token')).rejects.toThrow();
    expect(await read('gazette/token')).toBe(KEY);
    expect(calls.length).toBe(5);
  }, 20_000);
});
