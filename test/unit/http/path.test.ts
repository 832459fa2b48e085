/** The router (shared by the API Lambdas and the embedded server) routes one canonical form of each path. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';
import { normalisePath } from '../../../src/http/path.ts';
import { makeRouter } from '../../../src/http/router.ts';
import { type HttpRequest, json } from '../../../src/http/types.ts';
import { silentLogger } from '../../../src/ports/logger.ts';

describe('normalisePath', () => {
  it('collapses repeated slashes and keeps percent-encoding for the router to decode once', () => {
    expect(normalisePath('//admin//members')).toBe('/admin/members');
    expect(normalisePath('/v1/preferences/a%2Fb')).toBe('/v1/preferences/a%2Fb');
    expect(normalisePath('/')).toBe('/');
    expect(normalisePath('/archive/')).toBe('/archive/');
  });

  it('refuses dot segments in every spelling, and backslashes', () => {
    for (const p of [
      '/v1/../admin',
      '/v1/%2e%2e/admin',
      '/v1/%2E%2e/admin',
      '/v1/.%2e/admin',
      '/./admin',
      '/v1\\..\\admin',
    ])
      expect(() => normalisePath(p), p).toThrow(ValidationError);
  });
});

describe('the router on API Gateway paths', () => {
  const hits: string[] = [];
  const handle = makeRouter(
    [
      {
        method: 'GET',
        path: '/admin/members',
        access: 'admin',
        handler: async () => {
          hits.push('admin');
          return json(200, {});
        },
      },
      {
        method: 'GET',
        path: '/v1/x',
        access: 'public',
        handler: async () => {
          hits.push('public');
          return json(200, {});
        },
      },
    ],
    silentLogger,
  );
  const req = (path: string): HttpRequest => ({
    method: 'GET',
    path,
    params: {},
    query: {},
    headers: {},
    body: Buffer.alloc(0),
    sourceIp: '203.0.113.9',
    actor: 'iam-caller',
  });

  it('answers 400 for an encoded dot-dot path and never calls the admin handler', async () => {
    const r = await handle(req('/v1/%2e%2e/admin/members'));
    expect(r.status).toBe(400);
    expect(hits).toEqual([]);
  });

  it('routes //v1//x to /v1/x', async () => {
    expect((await handle(req('//v1//x'))).status).toBe(200);
    expect(hits).toEqual(['public']);
  });
});
