import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { HttpRequest, HttpResponse, Role } from '../../http/types.ts';

type AuthorizedEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: {
      iam?: { userArn?: string };
      jwt?: { claims?: Record<string, string | number | boolean | string[]>; scopes?: string[] | null };
    };
  };
};

/**
 * The console's calls reach the same admin routes under this prefix, behind the Cognito JWT authorizer
 * (infra/stateless-stack.ts); the CLI's SigV4 calls use /admin directly.
 */
export const CONSOLE_API_PREFIX = '/console-api';

/** Cognito group → role (issue 13: editors moderate and compile, approvers also approve and send). */
const GROUP_ROLES: Record<string, Role> = { editors: 'editor', approvers: 'approver' };

/**
 * API Gateway HTTP API (payload v2) → HttpRequest. /admin routes use AWS_IAM auth: the caller ARN is the
 * actor, with every role. /console-api/admin routes use the JWT authorizer: the token's e-mail or username
 * is the actor and its `cognito:groups` are the roles.
 */
export function fromApiGateway(event: AuthorizedEvent): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  if (event.cookies?.length) headers.cookie = event.cookies.join('; ');
  const body = event.body
    ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
    : Buffer.alloc(0);
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  const stage = event.requestContext.stage;
  const path =
    stage && stage !== '$default' && event.rawPath.startsWith(`/${stage}/`)
      ? event.rawPath.slice(stage.length + 1)
      : event.rawPath;
  const base = {
    method: event.requestContext.http.method,
    params: {},
    query,
    headers,
    body,
    sourceIp: event.requestContext.http.sourceIp,
  };
  const auth = event.requestContext.authorizer;
  const claims = auth?.jwt?.claims;
  if (claims && (path === CONSOLE_API_PREFIX || path.startsWith(`${CONSOLE_API_PREFIX}/`))) {
    return {
      ...base,
      path: path.slice(CONSOLE_API_PREFIX.length) || '/',
      actor: actorOf(claims),
      roles: rolesOf(claims['cognito:groups']),
    };
  }
  // A /console-api path without verified claims (never routed so by the stack) reaches no admin handler.
  if (path.startsWith(`${CONSOLE_API_PREFIX}/`)) return { ...base, path };
  return { ...base, path, actor: auth?.iam?.userArn };
}

type Claims = Record<string, string | number | boolean | string[]>;

function actorOf(claims: Claims): string | undefined {
  for (const key of ['email', 'username', 'cognito:username', 'sub']) {
    const v = claims[key];
    if (typeof v === 'string' && v) return v;
  }
  return undefined;
}

/** HTTP APIs hand a list claim over as "[editors approvers]"; tests and other issuers may give an array. */
export function rolesOf(groups: Claims[string] | undefined): Role[] {
  const names = Array.isArray(groups)
    ? groups
    : typeof groups === 'string'
      ? groups.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  const roles = new Set<Role>();
  for (const n of names) {
    const role = GROUP_ROLES[n.trim()];
    if (role) roles.add(role);
  }
  // An approver does everything an editor does.
  if (roles.has('approver')) roles.add('editor');
  return [...roles].sort();
}

export function toApiGateway(res: HttpResponse): APIGatewayProxyResultV2 {
  const binary = Buffer.isBuffer(res.body);
  return {
    statusCode: res.status,
    headers: res.headers,
    body:
      res.body === undefined ? '' : binary ? (res.body as Buffer).toString('base64') : (res.body as string),
    isBase64Encoded: binary,
  };
}
