/**
 * Public API (/health and /v1: subscribe, confirm, preferences, erase, unsubscribe). Its own function and
 * role (issue 12 item 8): nothing admin is composed here, so a flaw in a public handler cannot reach buckets,
 * schedules, queues or the admin routes. Served by the WAF-fronted REST API and the HTTP API's /v1 routes.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildPublicApp } from '../src/app/container.ts';
import { onFirstUse } from '../src/runtimes/lambda/first-use.ts';
import { toApiGateway } from '../src/runtimes/lambda/http-event.ts';
import { lambdaInfra } from '../src/runtimes/lambda/infra.ts';
import { fromEitherApi } from '../src/runtimes/lambda/rest-event.ts';

// Composed by the first request, not at load.
const app = onFirstUse(() => buildPublicApp(lambdaInfra()));

export const handler = async (event: APIGatewayProxyEvent | APIGatewayProxyEventV2) =>
  toApiGateway(await app().handle(fromEitherApi(event)));
