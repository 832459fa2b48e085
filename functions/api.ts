/** HTTP API (public + admin routes). Thin: event → router (the same one the embedded runtime serves). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildApp } from '../src/app/container.ts';
import { fromApiGateway, toApiGateway } from '../src/runtimes/lambda/http-event.ts';
import { lambdaInfra } from '../src/runtimes/lambda/infra.ts';

const app = buildApp(lambdaInfra());

export const handler = async (event: APIGatewayProxyEventV2) =>
  toApiGateway(await app.handle(fromApiGateway(event)));
