import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { HttpRequest, HttpResponse } from '../../http/types.ts';

type IamAuthorizedEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { iam?: { userArn?: string } };
  };
};

/** API Gateway HTTP API (payload v2) → HttpRequest. Admin routes use AWS_IAM auth: the caller ARN is the actor. */
export function fromApiGateway(event: IamAuthorizedEvent): HttpRequest {
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
  return {
    method: event.requestContext.http.method,
    path,
    params: {},
    query,
    headers,
    body,
    sourceIp: event.requestContext.http.sourceIp,
    actor: event.requestContext.authorizer?.iam?.userArn,
  };
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
