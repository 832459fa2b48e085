/**
 * Composition root of the Lambda runtime: adapters pointed at AWS, built lazily and once per container
 * so each function pays only for the clients it touches (cold start), and parsed config fails fast.
 */
import type { AwsClientOptions } from '../../adapters/aws-options.ts';
import { Table } from '../../adapters/dynamodb/table.ts';
import { LambdaIngestGateway } from '../../adapters/lambda/lambda-ingest-gateway.ts';
import { LambdaJobRunner } from '../../adapters/lambda/lambda-job-runner.ts';
import { powertoolsLogger } from '../../adapters/powertools/logger.ts';
import { powertoolsMetrics } from '../../adapters/powertools/metrics.ts';
import { S3BlobStore } from '../../adapters/s3/s3-blob-store.ts';
import { EventBridgeScheduler } from '../../adapters/scheduler/eventbridge-scheduler.ts';
import { createSecretReader } from '../../adapters/secrets/secret-reader.ts';
import { SesMailer } from '../../adapters/ses/ses-mailer.ts';
import { SqsQueue } from '../../adapters/sqs/sqs-queue.ts';
import type { Infra } from '../../app/infra.ts';
import { type LambdaConfig, LambdaConfigSchema, loadConfig } from '../../config/config.ts';
import { ConfigError } from '../../domain/errors.ts';
import { systemClock } from '../../ports/clock.ts';
import type { IngestGateway } from '../../ports/inbound.ts';
import type { Metrics } from '../../ports/metrics.ts';
import type { SendBatchMessage } from '../../ports/queue.ts';
import type { EditionRenderer } from '../../ports/renderer.ts';

let cached: Infra | undefined;

/** Environment variables set by the stateless stack (infra/stateless-stack.ts) besides the shared config. */
export const LAMBDA_ENV = {
  compileFunction: 'GAZETTE_COMPILE_FUNCTION',
  dispatchFunction: 'GAZETTE_DISPATCH_FUNCTION',
  ingestFunction: 'GAZETTE_INGEST_FUNCTION',
} as const;

/**
 * `renderer` is passed only by the compile function: importing mjml anywhere else would put ~40 MB
 * of dependencies and half a second of cold start into every Lambda.
 */
export function lambdaInfra(
  env: Record<string, string | undefined> = process.env,
  opts: { renderer?: () => Promise<EditionRenderer> } = {},
): Infra {
  if (cached) return cached;
  const config: LambdaConfig = loadConfig(LambdaConfigSchema, env);
  const logger = powertoolsLogger({
    level: config.GAZETTE_LOG_LEVEL,
    keys: { fn: env.AWS_LAMBDA_FUNCTION_NAME },
  });
  const region = config.AWS_REGION;
  const lazy = <T>(make: () => T) => {
    let v: T | undefined;
    return () => (v ??= make());
  };
  // Region only: endpoints and credentials come from the Lambda environment (AWS_ENDPOINT_URL_* also works).
  const aws: AwsClientOptions = { region };
  const scheduler = lazy(() =>
    EventBridgeScheduler.connect(aws, {
      group: config.GAZETTE_SCHEDULE_GROUP,
      targetArn: required(config.GAZETTE_REMINDER_TARGET_ARN, 'GAZETTE_REMINDER_TARGET_ARN'),
      roleArn: required(config.GAZETTE_SCHEDULER_ROLE_ARN, 'GAZETTE_SCHEDULER_ROLE_ARN'),
      deadLetterArn: config.GAZETTE_SCHEDULER_DLQ_ARN,
    }),
  );
  const mailer = lazy(() =>
    SesMailer.connect(aws, { configurationSet: config.GAZETTE_SES_CONFIGURATION_SET }),
  );
  const sendQueue = lazy(() =>
    SqsQueue.connect<SendBatchMessage>(
      aws,
      required(config.GAZETTE_SEND_QUEUE_URL, 'GAZETTE_SEND_QUEUE_URL'),
    ),
  );
  // compile-edition runs in the (mjml-carrying) compile function; every other job in the dispatch function.
  const jobs = lazy(() =>
    LambdaJobRunner.connect(aws, (job) => {
      const name = job.type === 'compile-edition' ? LAMBDA_ENV.compileFunction : LAMBDA_ENV.dispatchFunction;
      return required(env[name], name);
    }),
  );
  const blobs = lazy(() =>
    S3BlobStore.forBuckets(aws, {
      raw: config.GAZETTE_RAW_BUCKET,
      content: config.GAZETTE_CONTENT_BUCKET,
      archive: config.GAZETTE_ARCHIVE_BUCKET,
    }),
  );
  const readSecret = createSecretReader(aws);
  let renderer: Promise<EditionRenderer> | undefined;

  const infra: Infra = {
    config,
    table: Table.create(config.GAZETTE_TABLE, aws),
    get blobs() {
      return blobs();
    },
    get mailer() {
      return mailer();
    },
    get scheduler() {
      return scheduler();
    },
    get sendQueue() {
      return sendQueue();
    },
    get jobs() {
      return jobs();
    },
    clock: systemClock,
    logger,
    // Cached by the reader; a failed read is retried on the next call, never remembered.
    tokenSecret: async () => {
      const value = await readSecret(config.GAZETTE_TOKEN_SECRET_ARN);
      if (!value || value.length < 32) {
        throw new ConfigError('GAZETTE_TOKEN_SECRET_ARN: secret is missing or shorter than 32 characters');
      }
      return value;
    },
    renderer: () => {
      renderer ??= opts.renderer
        ? opts.renderer()
        : Promise.reject(
            new ConfigError('this function has no template renderer (only compile-edition does)'),
          );
      return renderer;
    },
  };
  cached = infra;
  return infra;
}

let metrics: Metrics | undefined;

/** Operator metrics as CloudWatch EMF records (one instance per container; stdout is the transport). */
export function lambdaMetrics(): Metrics {
  metrics ??= powertoolsMetrics();
  return metrics;
}

/** The API function's way to the ingest function (POST /admin/inbound), built on first use. */
export function lambdaIngestGateway(env: Record<string, string | undefined> = process.env): IngestGateway {
  let gateway: IngestGateway | undefined;
  return {
    ingestStored(messageId, verdicts) {
      gateway ??= LambdaIngestGateway.connect(
        { region: lambdaInfra(env).config.AWS_REGION },
        required(env[LAMBDA_ENV.ingestFunction], LAMBDA_ENV.ingestFunction),
      );
      return gateway.ingestStored(messageId, verdicts);
    },
  };
}

function required(v: string | undefined, name: string): string {
  if (!v) throw new ConfigError(`${name}: required in this function but not set`);
  return v;
}
