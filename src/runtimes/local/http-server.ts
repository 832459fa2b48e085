import { timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequest, HttpResponse } from '../../http/types.ts';

const MAX_BODY = 50 * 1024 * 1024;

export interface LocalHttpOptions {
  host: string;
  port: number;
  adminToken: string;
  handle: (req: HttpRequest) => Promise<HttpResponse>;
  /** Extra static routes of the embedded runtime only (archive, inbox), tried first. */
  extra?: (req: HttpRequest) => Promise<HttpResponse | undefined>;
  /** Other bearer tokens accepted for admin routes (console sessions): the actor, or undefined. */
  authenticate?: (token: string) => string | undefined;
}

/** node:http → the same router the API Lambda uses. Admin routes need `Authorization: Bearer <token>`. */
export async function startHttpServer(
  o: LocalHttpOptions,
): Promise<{ server: Server; url: string; stop(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    try {
      const request = await toRequest(req, o.adminToken, o.authenticate);
      const response = (await o.extra?.(request)) ?? (await o.handle(request));
      res.writeHead(response.status, response.headers);
      res.end(req.method === 'HEAD' ? undefined : response.body);
    } catch (e) {
      const status = (e as { status?: number }).status ?? 500;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: status === 413 ? 'too_large' : 'internal',
          message: String((e as Error).message),
        }),
      );
    }
  });
  server.listen(o.port, o.host);
  await once(server, 'listening');
  const url = `http://${o.host}:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function toRequest(
  req: IncomingMessage,
  adminToken: string,
  authenticate?: (token: string) => string | undefined,
): Promise<HttpRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(c as Buffer);
  }
  const u = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const auth = headers.authorization ?? '';
  const given = Buffer.from(auth.startsWith('Bearer ') ? auth.slice(7) : '');
  const expected = Buffer.from(adminToken);
  const isAdmin = given.length === expected.length && timingSafeEqual(given, expected);
  return {
    method: req.method ?? 'GET',
    // Still percent-encoded, as API Gateway's rawPath: the router decodes each parameter exactly once.
    path: u.pathname,
    params: {},
    query: Object.fromEntries(u.searchParams),
    headers,
    body: Buffer.concat(chunks),
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    actor: isAdmin ? 'local-admin' : given.length ? authenticate?.(given.toString()) : undefined,
  };
}
