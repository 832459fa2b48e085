import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import * as z from 'zod';
import { parseJsonBody } from '../../http/body.ts';
import { errorResponse } from '../../http/error-map.ts';
import type { HttpRequest, HttpResponse } from '../../http/types.ts';
import type { Clock } from '../../ports/clock.ts';

/** Where `vite build` puts the console (console/vite.config.ts). */
export const CONSOLE_DIST = resolve(import.meta.dirname, '../../../console/dist');

/** A one-time code is short-lived and single-use; the session it buys lasts a working day. */
const CODE_TTL_MS = 5 * 60_000;
const SESSION_TTL_MS = 8 * 3600_000;
/** Exchange attempts per source address per minute (codes are 128-bit: this stops log-filling, not guessing). */
const EXCHANGES_PER_MINUTE = 10;

/** What the console fetches at start (`/console/config.json`): which sign-in to use. See docs/console.md. */
export type ConsoleConfig =
  | { auth: { mode: 'local-code'; exchangeUrl: string }; apiUrl: string }
  | {
      auth: { mode: 'cognito'; domain: string; clientId: string; redirectUri: string; scopes?: string[] };
      apiUrl: string;
    };

const IssueBody = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .regex(/^[\p{L}\p{N} ._@-]+$/u)
      .optional(),
  })
  .strict();
const ExchangeBody = z.object({ code: z.string().min(1).max(200) }).strict();

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

const jsonResponse = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/**
 * The console on the embedded runtime: its static build under /console/, its config.json, and the local
 * sign-in (a one-time code issued to the admin, exchanged once for a session token that the HTTP server
 * accepts as a bearer like the admin token). Sessions live in memory: a restart signs everyone out.
 */
export function makeConsoleServing(o: { clock: Clock; distDir?: string }) {
  const dist = o.distDir ?? CONSOLE_DIST;
  const codes = new Map<string, { actor: string; expires: number }>();
  const sessions = new Map<string, { actor: string; expires: number }>();
  const attempts = new Map<string, { windowStart: number; count: number }>();
  const now = () => o.clock.now().getTime();
  const sweep = () => {
    const t = now();
    for (const m of [codes, sessions]) for (const [k, v] of m) if (v.expires <= t) m.delete(k);
    for (const [k, v] of attempts) if (t - v.windowStart > 60_000) attempts.delete(k);
  };

  /** Issue a code (POST /admin/console/sign-in-codes, admin only); answers the sign-in URL. */
  function issue(actor: string, base: string) {
    sweep();
    const code = randomBytes(16).toString('base64url');
    const expires = now() + CODE_TTL_MS;
    codes.set(code, { actor, expires });
    return { url: `${base}/console/sign-in#code=${code}`, code, expiresAt: new Date(expires).toISOString() };
  }

  function exchange(code: string, ip: string): HttpResponse {
    sweep();
    const a = attempts.get(ip) ?? { windowStart: now(), count: 0 };
    a.count++;
    attempts.set(ip, a);
    if (a.count > EXCHANGES_PER_MINUTE)
      return jsonResponse(429, {
        error: 'rate_limited',
        message: 'too many sign-in attempts; wait a minute',
      });
    const entry = codes.get(code);
    codes.delete(code);
    if (!entry || entry.expires <= now())
      return jsonResponse(400, {
        error: 'invalid_token',
        message: 'this sign-in link was already used or has expired: run `npx gazette console` again',
      });
    const token = randomBytes(32).toString('base64url');
    const expires = now() + SESSION_TTL_MS;
    sessions.set(token, { actor: entry.actor, expires });
    return jsonResponse(200, { token, actor: entry.actor, expiresAt: new Date(expires).toISOString() });
  }

  /** The actor of a live session token, for the HTTP server's `authenticate` hook. */
  function authenticate(token: string): string | undefined {
    const s = sessions.get(token);
    if (!s) return undefined;
    if (s.expires <= now()) {
      sessions.delete(token);
      return undefined;
    }
    return s.actor;
  }

  async function serveStatic(path: string): Promise<HttpResponse> {
    let rel = path.replace(/^\/console\/?/, '');
    try {
      rel = decodeURIComponent(rel);
    } catch {
      return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'malformed path' };
    }
    const file = normalize(join(dist, rel || 'index.html'));
    if (!file.startsWith(dist))
      return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'bad path' };
    const found = await stat(file).then(
      (s) => s.isFile(),
      () => false,
    );
    // Unknown paths get the app (its router shows "not found"); assets are content-hashed, cached for good.
    const target = found ? file : join(dist, 'index.html');
    try {
      const body = await readFile(target);
      const immutable = found && rel.startsWith('assets/');
      return {
        status: 200,
        headers: {
          'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
          'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
          'x-content-type-options': 'nosniff',
          ...(target.endsWith('.html')
            ? {
                'content-security-policy':
                  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
                'referrer-policy': 'no-referrer',
              }
            : {}),
        },
        body,
      };
    } catch {
      return {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'The console is not built yet: run `npm run console:build` (npm start does it for you).',
      };
    }
  }

  /** The `extra` route of the local HTTP server: undefined when the request is not the console's. */
  async function handle(req: HttpRequest, apiUrl: string): Promise<HttpResponse | undefined> {
    try {
      return await route(req, apiUrl);
    } catch (e) {
      return errorResponse(e);
    }
  }

  async function route(req: HttpRequest, apiUrl: string): Promise<HttpResponse | undefined> {
    if (req.method === 'POST' && req.path === '/admin/console/sign-in-codes') {
      if (!req.actor) return jsonResponse(401, { error: 'unauthorized', message: 'admin token required' });
      // Only the admin token issues codes: a console session cannot mint further sessions.
      if (req.actor !== 'local-admin')
        return jsonResponse(403, {
          error: 'forbidden',
          message: 'only the admin token issues sign-in codes',
        });
      const { name } = parseJsonBody(req, IssueBody);
      return jsonResponse(201, issue(name ? `console:${name}` : 'console:local-admin', apiUrl));
    }
    if (req.method === 'POST' && req.path === '/console/api/session') {
      const { code } = parseJsonBody(req, ExchangeBody);
      return exchange(code, req.sourceIp);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    if (req.path === '/console') return { status: 301, headers: { location: '/console/' } };
    if (req.path === '/console/config.json') {
      const config: ConsoleConfig = {
        auth: { mode: 'local-code', exchangeUrl: '/console/api/session' },
        apiUrl: '',
      };
      return jsonResponse(200, config);
    }
    if (req.path.startsWith('/console/')) return serveStatic(req.path);
    return undefined;
  }

  return { handle, authenticate, issue };
}
export type ConsoleServing = ReturnType<typeof makeConsoleServing>;
