import * as z from 'zod';
import { TimeZone } from '../domain/common.ts';
import { ConfigError } from '../domain/errors.ts';

const int = (def: number) => z.coerce.number().int().positive().default(def);

/**
 * Every setting Gazette reads, with its environment variable name. Parsed once at start-up in each runtime;
 * a missing or malformed variable fails fast with its name (see loadConfig). Documented in README.md.
 */
export const ConfigSchema = z.object({
  GAZETTE_TABLE: z.string().min(3).default('gazette'),
  GAZETTE_RAW_BUCKET: z.string().min(3).default('gazette-raw'),
  GAZETTE_CONTENT_BUCKET: z.string().min(3).default('gazette-content'),
  GAZETTE_ARCHIVE_BUCKET: z.string().min(3).default('gazette-archive'),
  /** From: of every bulk mail, e.g. "IGPN Gazette <news@igpn.example>". Must be a verified SES identity. */
  GAZETTE_FROM: z.string().min(3).default('IGPN Gazette <news@gazette.local>'),
  /** Address members write to; the SES receipt rule's recipient. */
  GAZETTE_UPDATES_ADDRESS: z.email().default('updates@gazette.local'),
  /** mailto: target for List-Unsubscribe (handled by the inbound path). */
  GAZETTE_UNSUBSCRIBE_MAILTO: z.email().default('unsubscribe@gazette.local'),
  /** Public base URL of the HTTP API (links in mails point here). */
  GAZETTE_PUBLIC_URL: z.url().default('http://127.0.0.1:8787'),
  /** Public base URL of the archive (static site). */
  GAZETTE_ARCHIVE_URL: z.url().default('http://127.0.0.1:8787/archive'),
  /** Public base URL of edition images and documents (CloudFront over media/ in the content bucket). */
  GAZETTE_MEDIA_URL: z.url().optional(),
  /**
   * HMAC key for opt-in, preference and unsubscribe tokens and for subscriber ids (at least 32 chars). On AWS
   * read from Secrets Manager; in the embedded runtime generated on the first start and kept in
   * GAZETTE_DATA_DIR/secrets.json unless set. Never derived from another setting.
   */
  GAZETTE_TOKEN_SECRET: z.string().min(32).optional(),
  GAZETTE_TOKEN_SECRET_ARN: z.string().optional(),
  GAZETTE_SES_CONFIGURATION_SET: z.string().optional(),
  GAZETTE_SEND_QUEUE_URL: z.url().optional(),
  /** Max raw message size accepted inbound, bytes (SES's own limit is 40 MB). */
  GAZETTE_MAX_MESSAGE_BYTES: int(40 * 1024 * 1024),
  /** Upper bound on parsing one inbound message (hostile MIME must not hang the ingest function). */
  GAZETTE_INBOUND_PARSE_TIMEOUT_MS: int(20_000),
  /** Zone assumed for `When:`/`Deadline:` lines that name none and mails without a Date offset. */
  GAZETTE_INBOUND_TIMEZONE: TimeZone.default('UTC'),
  /** Consecutive soft (transient) bounces after which an address is suppressed. */
  GAZETTE_SOFT_BOUNCE_THRESHOLD: int(3),
  /** Per-IP limit on POST /v1/subscribe (requests per minute; burst of the same size). */
  GAZETTE_SUBSCRIBE_RATE_PER_MINUTE: int(10),
  /** Per-IP limit on the other public pages (confirm, preferences, unsubscribe page). */
  GAZETTE_PUBLIC_RATE_PER_MINUTE: int(120),
  /**
   * Opt-in, "already subscribed" and erase-confirmation mails per mailbox per UTC day (`+tag` and Gmail dot
   * variants count as one mailbox), counted in the table: shared by every Lambda container.
   */
  GAZETTE_OPTIN_MAILS_PER_MAILBOX_PER_DAY: int(3),
  /**
   * Least time POST /v1/subscribe takes to answer, ms: new, known and suppressed addresses then answer alike
   * (the work behind each differs: a mail or none), so timing tells nothing about an address.
   */
  GAZETTE_SUBSCRIBE_MIN_RESPONSE_MS: int(300),
  /**
   * Origins whose pages may post the public forms (comma-separated, e.g. https://www.igpn.org for an embedded
   * sign-up form), besides GAZETTE_PUBLIC_URL's own. A browser POST from any other origin is refused (403).
   */
  GAZETTE_FORM_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim().replace(/\/$/, ''))
        .filter(Boolean),
    ),
  /** Optional cap below the SES account rate (messages/s); the engine uses min(this, GetAccount). */
  GAZETTE_MAX_SEND_RATE: z.coerce.number().positive().optional(),
  /**
   * How many send workers run at once: on AWS the SQS event source's maximum concurrency (infra sets both
   * from one value). Each worker sends at (account rate / this), so the fleet never exceeds the account rate.
   */
  GAZETTE_SEND_WORKER_CONCURRENCY: int(1),
  /** Recipients per send-queue message (one SQS message = one unit of retry). */
  GAZETTE_SEND_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(50),
  /**
   * A claim older than this without an outcome is reported "uncertain" (its worker died between claim and
   * send confirmation). Must exceed the send worker's timeout; 15 min is Lambda's maximum.
   */
  GAZETTE_SEND_CLAIM_LEASE_SECONDS: int(900),
  /** Sends in flight per worker; default derived from the per-worker rate (rate / 8, between 4 and 64). */
  GAZETTE_SEND_PARALLELISM: z.coerce.number().int().min(1).max(256).optional(),
  /**
   * Reputation guard (docs/sending.md): a send pauses itself when hard bounces exceed this percentage of its
   * SES outcomes, judged over at least GAZETTE_REPUTATION_BOUNCE_SAMPLE outcomes (100 turns it off).
   */
  GAZETTE_REPUTATION_MAX_BOUNCE_PERCENT: z.coerce.number().positive().max(100).default(5),
  GAZETTE_REPUTATION_BOUNCE_SAMPLE: int(500),
  /** …or complaints this percentage, over at least GAZETTE_REPUTATION_COMPLAINT_SAMPLE outcomes. */
  GAZETTE_REPUTATION_MAX_COMPLAINT_PERCENT: z.coerce.number().positive().max(100).default(0.1),
  GAZETTE_REPUTATION_COMPLAINT_SAMPLE: int(1000),
  /** Where operational alerts go (a send paused by the reputation guard); default: GAZETTE_FROM's address. */
  GAZETTE_ALERT_EMAIL: z.email().optional(),
  /** EventBridge cron of the edition compile (default: first day of each quarter, 09:00). */
  GAZETTE_EDITION_SCHEDULE: z.string().default('cron(0 9 1 1,4,7,10 ? *)'),
  GAZETTE_EDITION_TIMEZONE: TimeZone.default('Asia/Shanghai'),
  /** Number of the first edition Gazette compiles (IGPN's previous newsletters were numbered up to 5). */
  GAZETTE_FIRST_EDITION_NUMBER: int(1),
  /** Language variants rendered for each edition, comma-separated; the first is the fallback. */
  GAZETTE_EDITION_LANGUAGES: z
    .string()
    .default('en,zh')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)).min(1)),
  /** Organisation and postal address printed in every newsletter footer (anti-spam laws require it). */
  GAZETTE_POSTAL_ADDRESS: z
    .string()
    .default('International Green Purchasing Network (IGPN) Secretariat, Beijing, China'),
  /** Folder with the MJML templates (default: ./templates, or templates/ next to the Lambda bundle). */
  GAZETTE_TEMPLATES_DIR: z.string().optional(),
  GAZETTE_SCHEDULE_GROUP: z.string().default('gazette'),
  GAZETTE_REMINDER_TARGET_ARN: z.string().optional(),
  GAZETTE_SCHEDULER_ROLE_ARN: z.string().optional(),
  /** Dead-letter queue for reminder schedules whose target still fails after Scheduler's retries (alarmed). */
  GAZETTE_SCHEDULER_DLQ_ARN: z.string().optional(),
  GAZETTE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  GAZETTE_NEWSLETTER_NAME: z.string().default('IGPN Gazette'),
  /** The secretariat's daily digest of quarantined and rejected member mail (docs/inbound.md); off when unset. */
  GAZETTE_DIGEST_EMAIL: z.email().optional(),
  /** Hour of the day (0–23, in GAZETTE_EDITION_TIMEZONE) the digest is sent. */
  GAZETTE_DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(8),
  AWS_REGION: z.string().default('us-east-1'),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Extra settings of the embedded runtime and the CLI. */
export const LocalConfigSchema = ConfigSchema.extend({
  GAZETTE_DATA_DIR: z.string().default('.gazette/data'),
  GAZETTE_HOST: z.string().default('127.0.0.1'),
  GAZETTE_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  GAZETTE_DYNAMODB_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  /**
   * A DynamoDB API to use instead of starting dynalite, e.g. AWS's DynamoDB Local (stricter: it refuses what
   * real DynamoDB refuses). Stacks with state in memory (tests) each get a table of their own there.
   */
  GAZETTE_DYNAMODB_ENDPOINT: z.url().optional(),
  GAZETTE_SES_PORT: z.coerce.number().int().min(0).max(65535).default(8005),
  GAZETTE_S3_PORT: z.coerce.number().int().min(0).max(65535).default(4569),
  GAZETTE_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  /**
   * Credential for the admin API in the embedded runtime (sent as a bearer token). Unset: a random one is
   * generated on the first start and kept in GAZETTE_DATA_DIR/secrets.json (the CLI reads it from there).
   * Required when GAZETTE_HOST is not a loopback address.
   */
  GAZETTE_ADMIN_TOKEN: z.string().min(16).optional(),
  /** Send rate the local SES stand-in reports from GetAccount. */
  GAZETTE_LOCAL_SES_MAX_RATE: z.coerce.number().positive().default(14),
});
export type LocalConfig = z.infer<typeof LocalConfigSchema>;

/**
 * A public URL readers open from a mail outside the embedded runtime: https, since its links carry signed
 * tokens (unsubscribe, preferences, confirm) and mailbox providers and link scanners mark http links. Plain
 * http is left only to a loopback host, which no reader can reach (a handler run against the local
 * stand-ins, as the function tests do).
 */
const HttpsUrl = z.url().refine(
  (u) => {
    const url = new URL(u);
    return url.protocol === 'https:' || /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname);
  },
  { message: 'must be an https:// URL outside the embedded runtime (links in mails carry signed tokens)' },
);

/** Settings only the Lambda runtime needs: required there, so a bad deploy fails at cold start. */
export const LambdaConfigSchema = ConfigSchema.extend({
  GAZETTE_TOKEN_SECRET_ARN: z.string().min(1),
  GAZETTE_SES_CONFIGURATION_SET: z.string().min(1),
  GAZETTE_PUBLIC_URL: HttpsUrl.default('http://127.0.0.1:8787'),
  GAZETTE_ARCHIVE_URL: HttpsUrl.default('http://127.0.0.1:8787/archive'),
});
export type LambdaConfig = z.infer<typeof LambdaConfigSchema>;

export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
) {
  // Empty strings mean "unset" (common in .env files and CDK environment maps).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`, { problems });
  }
  return parsed.data as z.infer<S>;
}

/** Every local server on an ephemeral port (tests, benchmarks, a CLI command's in-process stack). */
export const EPHEMERAL_PORTS = {
  GAZETTE_HTTP_PORT: '0',
  GAZETTE_DYNAMODB_PORT: '0',
  GAZETTE_SES_PORT: '0',
  GAZETTE_S3_PORT: '0',
  GAZETTE_SMTP_PORT: '0',
} as const;
