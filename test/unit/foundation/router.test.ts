import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../../src/domain/errors.ts';
import { makeRouter } from '../../../src/http/router.ts';
import { type HttpRequest, json } from '../../../src/http/types.ts';
import { silentLogger } from '../../../src/ports/logger.ts';

const req = (method: string, path: string, actor?: string): HttpRequest => ({
  method,
  path,
  params: {},
  query: {},
  headers: {},
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  actor,
});

const router = makeRouter(
  [
    { method: 'GET', path: '/v1/things/:id', access: 'public', handler: async (r) => json(200, r.params) },
    {
      method: 'POST',
      path: '/admin/things',
      access: 'admin',
      handler: async (r) => json(201, { by: r.actor }),
    },
    {
      method: 'GET',
      path: '/v1/fail/:kind',
      access: 'public',
      handler: async (r) => {
        if (r.params.kind === 'missing') throw new NotFoundError('no such thing');
        if (r.params.kind === 'bad') throw new ValidationError('bad input', { field: 'x' });
        throw new Error('secret internal detail');
      },
    },
  ],
  silentLogger,
);

describe('HTTP router', () => {
  it('decodes path parameters', async () => {
    const res = await router(req('GET', '/v1/things/%E7%BB%BF%E8%89%B2'));
    expect(JSON.parse(String(res.body))).toEqual({ id: '绿色' });
  });

  it('answers 400 (not a crash) for a path parameter with a malformed percent escape', async () => {
    for (const path of ['/v1/things/%E0%A4%A', '/v1/things/50%', '/v1/things/%ZZ']) {
      const res = await router(req('GET', path));
      expect(res.status).toBe(400);
      expect(JSON.parse(String(res.body))).toMatchObject({ error: 'validation' });
    }
  });

  it('refuses admin routes without an authenticated actor and passes the actor on', async () => {
    expect((await router(req('POST', '/admin/things'))).status).toBe(401);
    const ok = await router(req('POST', '/admin/things', 'arn:aws:iam::1:user/sec'));
    expect(ok.status).toBe(201);
    expect(JSON.parse(String(ok.body))).toEqual({ by: 'arn:aws:iam::1:user/sec' });
  });

  it('answers 405 for a known path with the wrong method and 404 for unknown paths', async () => {
    expect((await router(req('DELETE', '/v1/things/1'))).status).toBe(405);
    expect((await router(req('GET', '/v2/none'))).status).toBe(404);
  });

  it('maps domain errors to 4xx with their message and hides internal errors behind a 500', async () => {
    const missing = await router(req('GET', '/v1/fail/missing'));
    expect(missing.status).toBe(404);
    const bad = await router(req('GET', '/v1/fail/bad'));
    expect(bad.status).toBe(400);
    expect(JSON.parse(String(bad.body))).toMatchObject({ error: 'validation', details: { field: 'x' } });
    const boom = await router(req('GET', '/v1/fail/boom'));
    expect(boom.status).toBe(500);
    expect(String(boom.body)).not.toContain('secret internal detail');
  });
});
