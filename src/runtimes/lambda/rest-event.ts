import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpRequest } from '../../http/types.ts';
import { fromApiGateway } from './http-event.ts';

/**
 * API Gateway REST API (Lambda proxy, payload v1) → HttpRequest. The public routes are served by a REST API
 * because only REST APIs (not HTTP APIs) take an AWS WAF web ACL in the stack's own region (issue 12 item 5).
 * Never an actor: the public function has no admin routes.
 */
export function fromRestApi(event: APIGatewayProxyEvent): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v != null) headers[k.toLowerCase()] = v;
  // Repeated headers (Cookie on some clients) arrive only in multiValueHeaders.
  for (const [k, vs] of Object.entries(event.multiValueHeaders ?? {}))
    if (vs && vs.length > 1) headers[k.toLowerCase()] = vs.join(k.toLowerCase() === 'cookie' ? '; ' : ', ');
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v != null) query[k] = v;
  return {
    method: event.httpMethod,
    // The resource path without the stage (/v1/subscribe), as the router expects.
    path: event.path,
    params: {},
    query,
    headers,
    body: event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0),
    sourceIp: event.requestContext.identity.sourceIp,
  };
}

/** The public function is behind both the REST API (v1 events) and the HTTP API's legacy /v1 routes (v2). */
export function fromEitherApi(event: APIGatewayProxyEvent | APIGatewayProxyEventV2): HttpRequest {
  if ((event as APIGatewayProxyEventV2).version === '2.0') {
    const req = fromApiGateway(event as APIGatewayProxyEventV2);
    // Public function: whatever an event claims, no caller here is an admin.
    return { ...req, actor: undefined, roles: undefined };
  }
  return fromRestApi(event as APIGatewayProxyEvent);
}
