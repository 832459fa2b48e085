/** Transport-neutral HTTP types: API Gateway (HTTP API, payload v2) and the local node:http server both map to these. */
export interface HttpRequest {
  method: string;
  /** Path without the stage prefix, e.g. /v1/subscribe */
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  sourceIp: string;
  /**
   * Set by the transport for admin routes: IAM principal ARN on AWS (the CLI), the Cognito user's e-mail or
   * username for console calls, "local-admin" in the embedded runtime.
   */
  actor?: string;
  /**
   * What the actor may do (issue 13). Console calls on AWS carry the Cognito groups of the JWT; IAM callers
   * and the local admin token leave it unset, which the router reads as every role.
   */
  roles?: Role[];
}

/** Editors moderate and compile; approvers may also approve and send editions and reminders. */
export type Role = 'editor' | 'approver';
export const ALL_ROLES: readonly Role[] = ['editor', 'approver'];

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type RouteAccess = 'public' | 'admin';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Pattern with :params, e.g. /admin/members/:memberId */
  path: string;
  access: RouteAccess;
  /** Admin routes only: the role the caller needs beyond admin access (default: any role). */
  role?: 'approver';
  handler: (req: HttpRequest) => Promise<HttpResponse>;
}

export const json = (status: number, data: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'x-content-type-options': 'nosniff',
    ...headers,
  },
  body: JSON.stringify(data),
});

export const html = (status: number, body: string, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    ...headers,
  },
  body,
});

/** Parse a JSON body with a zod schema; a bad body becomes a ValidationError (→ 400). */
export { parseJsonBody } from './body.ts';

/**
 * The archive's security headers, the same locally (/archive/) and on CloudFront (infra/stateful-stack.ts):
 * static pages with no script, never framed, never sniffed into another type.
 */
export const ARCHIVE_CSP =
  "default-src 'none'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; font-src 'self' https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
export const ARCHIVE_HEADERS: Record<string, string> = {
  'content-security-policy': ARCHIVE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};
