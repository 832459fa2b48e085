/** Admin API (/admin with IAM for the CLI, /console-api/admin with the Cognito JWT for the console). Thin: event → router. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildApp } from '../src/app/container.ts';
import { onFirstUse } from '../src/runtimes/lambda/first-use.ts';
import { fromApiGateway, toApiGateway } from '../src/runtimes/lambda/http-event.ts';
import { lambdaInfra, lambdaIngestGateway } from '../src/runtimes/lambda/infra.ts';

// POST /admin/inbound is ingested by the ingest function: no MIME parser in this bundle. Composed by the
// first request, not at load.
const app = onFirstUse(() => buildApp(lambdaInfra(), () => ({ gateway: lambdaIngestGateway() })));

export const handler = async (event: APIGatewayProxyEventV2) =>
  toApiGateway(await app().handle(fromApiGateway(event)));
