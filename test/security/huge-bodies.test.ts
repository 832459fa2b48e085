import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../src/http/types.ts';
import { PUBLIC_BODY_LIMIT, startHttpServer } from '../../src/runtimes/local/http-server.ts';

/**
 * Issue 12, item 6: the local HTTP server read up to 50 MB of any request before checking its size or its
 * credentials (six concurrent 48 MB POSTs held 370 MB). It now stops at the route's limit and answers 413.
 */
describe('the local HTTP server refuses huge bodies without reading them', () => {
  const ADMIN = 'an-admin-token-for-body-limits';
  const seen: HttpRequest[] = [];
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  beforeAll(async () => {
    http = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      adminToken: ADMIN,
      maxUploadBytes: 1024 * 1024,
      handle: async (req) => {
        seen.push(req);
        return { status: 200, headers: { 'content-type': 'text/plain' }, body: `got ${req.body.length}` };
      },
    });
  });
  afterAll(() => http?.stop());

  /** Streams `total` bytes (chunked, no Content-Length unless given) and resolves with the status. */
  const post = (path: string, total: number, headers: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${http.url}${path}`, { method: 'POST', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
          sent += part.length;
          if (!req.write(part)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });

  it('answers a 48 MB POST to a public route with 413 after reading no more than the 16 KB limit', async () => {
    const before = http.stats.bodyBytesRead;
    const status = await post('/v1/subscribe', 48 * 1024 * 1024);
    expect(status).toBe(413);
    const read = http.stats.bodyBytesRead - before;
    expect(read).toBeGreaterThan(0);
    // One socket read past the limit at most, never megabytes.
    expect(read).toBeLessThan(PUBLIC_BODY_LIMIT + 128 * 1024);
    expect(seen).toHaveLength(0);
  });

  it('refuses a declared oversized body before reading any of it', async () => {
    const before = http.stats.bodyBytesRead;
    const status = await post('/v1/subscribe', 256 * 1024, { 'content-length': String(256 * 1024) });
    expect(status).toBe(413);
    expect(http.stats.bodyBytesRead - before).toBeLessThan(128 * 1024);
  });

  it('reads only 16 KB of an admin route without valid credentials, and an admin’s upload up to its cap', async () => {
    expect(
      await post('/admin/inbound', 2 * 1024 * 1024, { authorization: 'Bearer wrong-token-of-some-length' }),
    ).toBe(413);
    expect(await post('/admin/inbound', 512 * 1024, { authorization: `Bearer ${ADMIN}` })).toBe(200);
    expect(seen.at(-1)?.body.length).toBeGreaterThanOrEqual(512 * 1024);
    expect(await post('/admin/inbound', 2 * 1024 * 1024, { authorization: `Bearer ${ADMIN}` })).toBe(413);
  });

  it('still accepts a normal public form', async () => {
    expect(await post('/v1/subscribe', 1024)).toBe(200);
  });
});
