import { timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalisePath } from '../../http/path.ts';
import type { HttpRequest, HttpResponse } from '../../http/types.ts';
import type { Logger } from '../../ports/logger.ts';

/** Public forms (subscribe, preferences, confirm) and anything unauthenticated: a form is a few hundred bytes. */
export const PUBLIC_BODY_LIMIT = 16 * 1024;

export interface LocalHttpOptions {
  host: string;
  port: number;
  adminToken: string;
  handle: (req: HttpRequest) => Promise<HttpResponse>;
  /** Extra static routes of the embedded runtime only (archive, inbox), tried first. */
  extra?: (req: HttpRequest) => Promise<HttpResponse | undefined>;
  /** Other bearer tokens accepted for admin routes (console sessions): the actor, or undefined. */
  authenticate?: (token: string) => string | undefined;
  /** Largest body an authenticated admin may upload (.eml, CSV import): GAZETTE_MAX_MESSAGE_BYTES. */
  maxUploadBytes?: number;
  /** Where failed sign-ins (a wrong bearer credential) are logged. */
  logger?: Logger;
}

/** Wrong bearer credentials one address may present per window before it is locked out for the window. */
export const FAILED_SIGN_INS_PER_WINDOW = 20;
export const SIGN_IN_WINDOW_MS = 60_000;

class TooManySignIns extends Error {
  readonly status = 429;
}

class BadPath extends Error {
  readonly status = 400;
}

/** Normalised here too, so the archive and console routes tried before the router see the canonical path. */
function canonical(rawPath: string): string {
  try {
    return normalisePath(rawPath);
  } catch (e) {
    throw new BadPath((e as Error).message);
  }
}

class TooLarge extends Error {
  readonly status = 413;
}

/** node:http → the same router the API Lambda uses. Admin routes need `Authorization: Bearer <token>`. */
export async function startHttpServer(
  o: LocalHttpOptions,
): Promise<{ server: Server; url: string; stats: { bodyBytesRead: number }; stop(): Promise<void> }> {
  const stats = { bodyBytesRead: 0 };
  const guard = signInGuard(o.logger);
  const server = createServer(async (req, res) => {
    try {
      const request = await toRequest(req, o, stats, guard);
      const response = (await o.extra?.(request)) ?? (await o.handle(request));
      res.writeHead(response.status, response.headers);
      res.end(req.method === 'HEAD' ? undefined : response.body);
    } catch (e) {
      const status = (e as { status?: number }).status ?? 500;
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
      // The rest of an oversized body is never read: answer, then drop the connection.
      if (status === 413) headers.connection = 'close';
      if (status === 429) headers['retry-after'] = String(Math.ceil(SIGN_IN_WINDOW_MS / 1000));
      res.writeHead(status, headers);
      res.end(
        JSON.stringify({
          error:
            status === 413
              ? 'too_large'
              : status === 429
                ? 'rate_limited'
                : status === 400
                  ? 'bad_request'
                  : 'internal',
          message: String((e as Error).message),
        }),
      );
      if (status === 413) res.once('finish', () => req.destroy());
    }
  });
  server.listen(o.port, o.host);
  await once(server, 'listening');
  const url = `http://${o.host}:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url,
    stats,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Counts wrong bearer credentials per address in fixed windows: past the limit every credential from that
 * address (even the right one, so guessing learns nothing) is answered 429 until the window ends. One process
 * serves the embedded runtime, so memory is the right place; on AWS, IAM and Cognito do this job.
 */
function signInGuard(logger?: Logger) {
  const failures = new Map<string, { windowStart: number; count: number }>();
  const current = (ip: string) => {
    const t = Date.now();
    const f = failures.get(ip);
    if (f && t - f.windowStart < SIGN_IN_WINDOW_MS) return f;
    const fresh = { windowStart: t, count: 0 };
    failures.set(ip, fresh);
    return fresh;
  };
  return {
    lockedOut: (ip: string) => current(ip).count >= FAILED_SIGN_INS_PER_WINDOW,
    failed(ip: string, path: string) {
      const f = current(ip);
      f.count++;
      logger?.warn('failed admin sign-in: wrong bearer credential', {
        sourceIp: ip,
        path,
        failures: f.count,
      });
      for (const [k, v] of failures) if (Date.now() - v.windowStart >= SIGN_IN_WINDOW_MS) failures.delete(k);
    },
  };
}

function actorOf(
  req: IncomingMessage,
  o: LocalHttpOptions,
  guard: ReturnType<typeof signInGuard>,
): string | undefined {
  const auth = req.headers.authorization ?? '';
  const given = Buffer.from(auth.startsWith('Bearer ') ? auth.slice(7) : '');
  if (!given.length) return undefined;
  const ip = req.socket.remoteAddress ?? 'unknown';
  if (guard.lockedOut(ip))
    throw new TooManySignIns('too many failed sign-ins from this address; wait a minute');
  const expected = Buffer.from(o.adminToken);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return 'local-admin';
  const actor = o.authenticate?.(given.toString());
  if (!actor) guard.failed(ip, (req.url ?? '/').split('?')[0] ?? '/');
  return actor;
}

/**
 * Authenticate first, then read at most the route's limit: an unauthenticated caller (every public route,
 * and admin routes without a valid credential) may send PUBLIC_BODY_LIMIT bytes; an admin, maxUploadBytes.
 */
async function toRequest(
  req: IncomingMessage,
  o: LocalHttpOptions,
  stats: { bodyBytesRead: number },
  guard: ReturnType<typeof signInGuard>,
): Promise<HttpRequest> {
  const actor = actorOf(req, o, guard);
  const limit = actor ? (o.maxUploadBytes ?? 50 * 1024 * 1024) : PUBLIC_BODY_LIMIT;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new TooLarge(`request body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    stats.bodyBytesRead += (c as Buffer).length;
    if (size > limit) throw new TooLarge(`request body over ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  // Split by hand: `new URL('//x/admin', base)` would read `x` as a host and route the rest as /admin.
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const u = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return {
    method: req.method ?? 'GET',
    // Still percent-encoded, as API Gateway's rawPath: the router decodes each parameter exactly once.
    path: canonical(rawPath),
    params: {},
    query: Object.fromEntries(u),
    headers,
    body: Buffer.concat(chunks),
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    actor,
  };
}
