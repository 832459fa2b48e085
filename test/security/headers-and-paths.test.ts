/**
 * Issue 12, item 9: archive responses carry CSP, nosniff and frame refusal; JSON carries nosniff; a path is
 * normalised once, so `//x/admin/…` and `/v1/%2e%2e/admin/…` never reach an admin handler by another name;
 * failed admin sign-ins are rate-limited and logged.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/ports/logger.ts';
import { FAILED_SIGN_INS_PER_WINDOW, startHttpServer } from '../../src/runtimes/local/http-server.ts';
import { startTestStack, TEST_ADMIN_TOKEN } from '../support/local-stack.ts';

/** A raw request: fetch() would resolve `..` and `//` itself before sending, hiding what an attacker sends. */
function raw(base: string, path: string, headers: Record<string, string> = {}) {
  const u = new URL(base);
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('headers and paths on the embedded runtime', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack();
    await stack.infra.blobs.archive.put('2027-q1/index.html', '<h1>Q1</h1>', 'text/html; charset=utf-8');
  });
  afterAll(() => stack?.stop({ drain: false }));
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

  it('serves archive pages with a CSP that forbids scripts and framing, nosniff and X-Frame-Options', async () => {
    const r = await raw(stack.urls.api, '/archive/2027-q1/');
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
  });

  it('marks JSON answers nosniff', async () => {
    const r = await raw(stack.urls.api, '/admin/members', admin);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/json');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('does not read //x/admin/… as host x and path /admin/…', async () => {
    const r = await raw(stack.urls.api, '//x/admin/members', admin);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('"members"');
  });

  it('refuses dot segments, plain or percent-encoded, instead of resolving them to an admin route', async () => {
    for (const path of [
      '/v1/%2e%2e/admin/members',
      '/v1/%2E./admin/members',
      '/v1/../admin/members',
      '/v1/./x',
    ]) {
      const r = await raw(stack.urls.api, path, admin);
      expect(r.status, path).toBe(400);
      expect(r.body, path).not.toContain('"members"');
    }
    // The same archive object is not reachable through a dot segment either.
    expect((await raw(stack.urls.api, '/archive/x/%2e%2e/2027-q1/index.html')).status).toBe(400);
  });

  it('collapses repeated slashes to the one canonical route', async () => {
    const r = await raw(stack.urls.api, '//admin//members', admin);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toHaveProperty('members');
  });
});

describe('failed admin sign-ins', () => {
  const ADMIN = 'the-right-admin-token-for-this-test';
  const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (msg, fields) => void warnings.push({ msg, fields }),
    error() {},
    child: () => logger,
  };
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  beforeAll(async () => {
    http = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      adminToken: ADMIN,
      logger,
      handle: async (req) => ({
        status: req.actor ? 200 : 401,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ actor: req.actor ?? null }),
      }),
    });
  });
  afterAll(() => http?.stop());

  it('are logged, and past the limit lock the address out (even with the right token) with 429 and Retry-After', async () => {
    for (let i = 0; i < FAILED_SIGN_INS_PER_WINDOW; i++)
      expect((await raw(http.url, '/admin/members', { authorization: `Bearer guess-${i}` })).status).toBe(
        401,
      );
    expect(warnings).toHaveLength(FAILED_SIGN_INS_PER_WINDOW);
    expect(warnings[0]?.msg).toMatch(/failed admin sign-in/);
    expect(warnings[0]?.fields).toMatchObject({ sourceIp: expect.any(String), path: '/admin/members' });
    expect(JSON.stringify(warnings)).not.toContain('guess-');

    const locked = await raw(http.url, '/admin/members', { authorization: `Bearer ${ADMIN}` });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Requests without a credential (public routes) are not affected.
    expect((await raw(http.url, '/v1/health')).status).toBe(401);
  });
});
