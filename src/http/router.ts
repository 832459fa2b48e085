import { isDomainError, ValidationError } from '../domain/errors.ts';
import type { Logger } from '../ports/logger.ts';
import { errorResponse } from './error-map.ts';
import { normalisePath } from './path.ts';
import { ALL_ROLES, type HttpRequest, type HttpResponse, json, type Route } from './types.ts';

interface Compiled extends Route {
  regex: RegExp;
  names: string[];
}

/**
 * A tiny router shared by the API Lambda and the embedded HTTP server. Admin routes are checked by the
 * transport (IAM/SigV4 on AWS, a bearer credential locally) before they get here: `req.actor` must be set.
 */
export function makeRouter(routes: Route[], logger: Logger) {
  const compiled: Compiled[] = routes.map((r) => {
    const names: string[] = [];
    const pattern = r.path.replace(/:([A-Za-z0-9_]+)/g, (_, n: string) => {
      names.push(n);
      return '([^/]+)';
    });
    return { ...r, regex: new RegExp(`^${pattern}/?$`), names };
  });

  return async function handle(incoming: HttpRequest): Promise<HttpResponse> {
    let req: HttpRequest;
    try {
      req = { ...incoming, path: normalisePath(incoming.path) };
    } catch (e) {
      return errorResponse(e);
    }
    const pathMatches = compiled.filter((r) => r.regex.test(req.path));
    const route = pathMatches.find(
      (r) => r.method === req.method || (req.method === 'HEAD' && r.method === 'GET'),
    );
    if (!route) {
      if (pathMatches.length)
        return json(405, { error: 'method_not_allowed', message: `${req.method} not allowed` });
      return json(404, { error: 'not_found', message: `no route for ${req.method} ${req.path}` });
    }
    if (route.access === 'admin' && !req.actor) {
      return json(401, { error: 'unauthorized', message: 'admin credentials required' });
    }
    if (route.access === 'admin') {
      const denied = roleDenied(route, req);
      if (denied) return json(403, { error: 'forbidden', message: denied });
    }
    const m = route.regex.exec(req.path)!;
    const params: Record<string, string> = {};
    try {
      route.names.forEach((n, i) => {
        params[n] = decodeParam(n, m[i + 1] ?? '');
      });
      return await route.handler({ ...req, params });
    } catch (e) {
      if (!isDomainError(e))
        logger.error('unhandled error', { path: req.path, error: String((e as Error)?.stack ?? e) });
      return errorResponse(e);
    }
  };
}

/**
 * An actor without roles (an IAM caller, the local admin token) may do everything; a console user needs a
 * group, and the approver group for routes that approve or send.
 */
function roleDenied(route: Route, req: HttpRequest): string | undefined {
  const roles = req.roles ?? ALL_ROLES;
  if (!roles.length)
    return 'your account is in neither the editors nor the approvers group: ask an administrator to add you';
  if (route.role && !roles.includes(route.role))
    return `${route.method} ${route.path} needs the ${route.role} role (you have: ${roles.join(', ')})`;
  return undefined;
}

/** A malformed escape (`%E0%A4`, a lone `%`) is the caller's mistake: 400, not a crash. */
function decodeParam(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ValidationError(`path parameter ${name} is not valid percent-encoding`);
  }
}

export type RequestHandler = ReturnType<typeof makeRouter>;
