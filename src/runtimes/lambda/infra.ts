/**
 * Composition root of the Lambda runtime: adapters pointed at AWS, built lazily and once per container
 * so each function pays only for the clients it touches (cold start), and parsed config fails fast.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Table } from '../../adapters/dynamodb/table.ts';
import { LambdaJobRunner } from '../../adapters/lambda/lambda-job-runner.ts';
import { S3BlobStore } from '../../adapters/s3/s3-blob-store.ts';
import { EventBridgeScheduler } from '../../adapters/scheduler/eventbridge-scheduler.ts';
import { SesMailer } from '../../adapters/ses/ses-mailer.ts';
import { SqsQueue } from '../../adapters/sqs/sqs-queue.ts';
import type { Infra } from '../../app/infra.ts';
import { type LambdaConfig, LambdaConfigSchema, loadConfig } from '../../config/config.ts';
import { ConfigError } from '../../domain/errors.ts';
import { systemClock } from '../../ports/clock.ts';
import { jsonLogger } from '../../ports/logger.ts';
import type { SendBatchMessage } from '../../ports/queue.ts';
import type { EditionRenderer } from '../../ports/renderer.ts';

let cached: Infra | undefined;

/** Environment variables set by the stateless stack (infra/stateless-stack.ts) besides the shared config. */
export const LAMBDA_ENV = {
  compileFunction: 'GAZETTE_COMPILE_FUNCTION',
  dispatchFunction: 'GAZETTE_DISPATCH_FUNCTION',
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
  const logger = jsonLogger({ fn: env.AWS_LAMBDA_FUNCTION_NAME }, { level: config.GAZETTE_LOG_LEVEL });
  const region = config.AWS_REGION;
  const lazy = <T>(make: () => T) => {
    let v: T | undefined;
    return () => (v ??= make());
  };
  const s3 = lazy(() => new S3Client({ region }));
  const ses = lazy(() => new SESv2Client({ region }));
  const sqs = lazy(() => new SQSClient({ region }));
  const lambda = lazy(() => new LambdaClient({ region }));
  const scheduler = lazy(
    () =>
      new EventBridgeScheduler(new SchedulerClient({ region }), {
        group: config.GAZETTE_SCHEDULE_GROUP,
        targetArn: required(config.GAZETTE_REMINDER_TARGET_ARN, 'GAZETTE_REMINDER_TARGET_ARN'),
        roleArn: required(config.GAZETTE_SCHEDULER_ROLE_ARN, 'GAZETTE_SCHEDULER_ROLE_ARN'),
      }),
  );
  const mailer = lazy(() => new SesMailer(ses(), { configurationSet: config.GAZETTE_SES_CONFIGURATION_SET }));
  const sendQueue = lazy(
    () =>
      new SqsQueue<SendBatchMessage>(
        sqs(),
        required(config.GAZETTE_SEND_QUEUE_URL, 'GAZETTE_SEND_QUEUE_URL'),
      ),
  );
  // compile-edition runs in the (mjml-carrying) compile function; every other job in the dispatch function.
  const jobs = lazy(
    () =>
      new LambdaJobRunner(lambda(), (job) => {
        const name =
          job.type === 'compile-edition' ? LAMBDA_ENV.compileFunction : LAMBDA_ENV.dispatchFunction;
        return required(env[name], name);
      }),
  );
  const blob = (bucket: string) => lazy(() => new S3BlobStore(s3(), bucket));
  const raw = blob(config.GAZETTE_RAW_BUCKET);
  const content = blob(config.GAZETTE_CONTENT_BUCKET);
  const archive = blob(config.GAZETTE_ARCHIVE_BUCKET);
  let secret: Promise<string> | undefined;
  let renderer: Promise<EditionRenderer> | undefined;

  const infra: Infra = {
    config,
    table: new Table(new DynamoDBClient({ region }), config.GAZETTE_TABLE),
    blobs: {
      get raw() {
        return raw();
      },
      get content() {
        return content();
      },
      get archive() {
        return archive();
      },
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
    tokenSecret: () => {
      secret ??= new SecretsManagerClient({ region })
        .send(new GetSecretValueCommand({ SecretId: config.GAZETTE_TOKEN_SECRET_ARN }))
        .then((out) => {
          if (!out.SecretString || out.SecretString.length < 32) {
            throw new ConfigError(
              'GAZETTE_TOKEN_SECRET_ARN: secret is missing or shorter than 32 characters',
            );
          }
          return out.SecretString;
        });
      return secret;
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

function required(v: string | undefined, name: string): string {
  if (!v) throw new ConfigError(`${name}: required in this function but not set`);
  return v;
}
