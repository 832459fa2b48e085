import { createServer } from 'node:net';
import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPHEMERAL_PORTS, LocalConfigSchema, loadConfig } from '../../src/config/config.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { startLocalStack } from '../../src/runtimes/local/stack.ts';
import { startTestStack } from '../support/local-stack.ts';

describe('embedded local stack', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the DynamoDB API: a conditional put refuses to overwrite', async () => {
    const t = stack.infra.table;
    expect(await t.putNew({ pk: 'T#1', sk: 'T', v: 1 })).toBe(true);
    expect(await t.putNew({ pk: 'T#1', sk: 'T', v: 2 })).toBe(false);
    expect(await t.get({ pk: 'T#1', sk: 'T' })).toMatchObject({ v: 1 });
  });

  it('serves the S3 API for every bucket', async () => {
    for (const store of Object.values(stack.infra.blobs)) {
      await store.put('probe/a.txt', 'hello 你好', 'text/plain; charset=utf-8');
      expect(await store.getText('probe/a.txt')).toBe('hello 你好');
      expect(await store.exists('probe/missing')).toBe(false);
    }
  });

  it('serves the SES v2 API: GetAccount quota and sent mail in the store with custom headers', async () => {
    const ses = new SESv2Client({
      endpoint: stack.endpoints.ses,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const acct = await ses.send(new GetAccountCommand({}));
    expect(acct.SendQuota?.MaxSendRate).toBe(1000);
    const { messageId } = await stack.infra.mailer.send({
      from: 'news@gazette.local',
      to: 'reader@example.org',
      subject: '绿色采购 news',
      text: 'plain',
      html: '<p>html</p>',
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
    const mail = (await stack.sentMail()).find((m) => m.messageId === messageId);
    expect(mail?.subject).toBe('绿色采购 news');
    expect(mail?.headers).toContainEqual({
      name: 'List-Unsubscribe-Post',
      value: 'List-Unsubscribe=One-Click',
    });
  });

  it('rejects a header value with a line break (header injection) before it reaches SES', async () => {
    await expect(
      stack.infra.mailer.send({
        from: 'a@b.org',
        to: 'c@d.org',
        subject: 's',
        text: 't',
        headers: { 'X-Evil': 'a\r\nBcc: x@y.org' },
      }),
    ).rejects.toThrow(/single-line/);
  });

  it('decodes a path parameter exactly once, like API Gateway (a % in an id is not decoded twice)', async () => {
    for (const id of ['x%41', '50%', '100%25']) {
      const res = await stack.admin(`/admin/subscribers/${encodeURIComponent(id)}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ message: `no subscriber ${id}` });
    }
  });

  it('answers a malformed percent escape in the path with a 4xx, not a 500', async () => {
    for (const path of ['/v1/%E0%A4%A', '/archive/%E0%A4%A', '/admin/subscribers/%ZZ']) {
      const res = await stack.admin(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${stack.urls.api}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('embedded local stack: a port already in use (a second npm start)', () => {
  it('fails with the variable to change, for every port, without crashing the process', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    const port = String((taken.address() as { port: number }).port);
    try {
      for (const name of Object.keys(EPHEMERAL_PORTS)) {
        const config = loadConfig(LocalConfigSchema, { ...EPHEMERAL_PORTS, [name]: port });
        const start = startLocalStack({ config, persist: false, logger: silentLogger, schedulerLoop: false });
        await expect(start, name).rejects.toMatchObject({
          code: 'config',
          message: expect.stringMatching(new RegExp(`^${name}: port ${port} .*already in use`)),
        });
      }
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});
