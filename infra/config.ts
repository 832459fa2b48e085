/**
 * Deploy-time settings of the CDK app, read from CDK context (`cdk.json` "context" or `-c key=value`).
 * Every key has a default that synthesises offline, so `npx cdk synth` works on a fresh clone; a real
 * deploy passes at least `domain` and `alarmEmail`. Parsed with zod: a bad value fails naming its key.
 */
import * as z from 'zod';
import { ConfigSchema } from '../src/config/config.ts';

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653];

/** Environment variables the stacks set themselves; `lambdaEnv` may not override them. */
export const MANAGED_ENV = new Set([
  'GAZETTE_TABLE',
  'GAZETTE_RAW_BUCKET',
  'GAZETTE_CONTENT_BUCKET',
  'GAZETTE_ARCHIVE_BUCKET',
  'GAZETTE_FROM',
  'GAZETTE_UPDATES_ADDRESS',
  'GAZETTE_UNSUBSCRIBE_MAILTO',
  'GAZETTE_PUBLIC_URL',
  'GAZETTE_ARCHIVE_URL',
  'GAZETTE_MEDIA_URL',
  'GAZETTE_TOKEN_SECRET',
  'GAZETTE_TOKEN_SECRET_ARN',
  'GAZETTE_SES_CONFIGURATION_SET',
  'GAZETTE_SEND_QUEUE_URL',
  'GAZETTE_EDITION_SCHEDULE',
  'GAZETTE_EDITION_TIMEZONE',
  'GAZETTE_SCHEDULE_GROUP',
  'GAZETTE_REMINDER_TARGET_ARN',
  'GAZETTE_SCHEDULER_ROLE_ARN',
  'GAZETTE_SCHEDULER_DLQ_ARN',
  'GAZETTE_NEWSLETTER_NAME',
  'GAZETTE_LOG_LEVEL',
  'GAZETTE_SEND_WORKER_CONCURRENCY',
  'AWS_REGION',
]);

// Values from `-c key=value` arrive as strings; values from cdk.json keep their JSON type.
const int = (min: number, max: number, def: number) => z.coerce.number().int().min(min).max(max).default(def);
const bool = (def: boolean) =>
  z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')])
    .default(def);
const hostname = z
  .string()
  .toLowerCase()
  .regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a DNS domain name');
const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
/** `-c lambdaEnv='{"K":"v"}'` arrives as a string; a non-JSON string is left for zod to reject. */
const parseJsonString = (v: unknown) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};
/** Address part of `Name <addr@domain>` or a bare address. */
export const addressOf = (from: string) => (from.match(/<([^>]+)>\s*$/)?.[1] ?? from).trim().toLowerCase();
const atDomain = (address: string, domain: string) => {
  const host = address.split('@')[1] ?? '';
  return host === domain || host.endsWith(`.${domain}`);
};

const RawContextSchema = z.object({
  /** Short name used for stack names, function names, the schedule group and SES resources. */
  prefix: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,19}$/, 'lowercase letters, digits and dashes, 2-20 characters')
    .default('gazette'),
  /** Pin the stacks to an account/region (otherwise environment-agnostic, or the CLI's credentials). */
  account: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1')
    .optional(),
  /** Sending and receiving domain: the SES identity (Easy DKIM) and the MX target. */
  domain: hostname.default('gazette.example.org'),
  /** From: of every mail, e.g. "IGPN Gazette <news@igpn.org>". Defaults to news@<domain>. */
  fromAddress: z.string().min(3).optional(),
  updatesAddress: z.email().toLowerCase().optional(),
  unsubscribeAddress: z.email().toLowerCase().optional(),
  /** Subdomain for the custom MAIL FROM (bounce) domain, e.g. "mail" → mail.<domain>. */
  mailFromSubdomain: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a single DNS label')
    .default('mail'),
  /** Operator address subscribed to the alarm topic (confirm the subscription mail once). */
  alarmEmail: z.email().optional(),
  newsletterName: z.string().min(1).max(100).default('IGPN Gazette'),
  editionSchedule: z
    .string()
    .regex(
      /^cron\(\S+( \S+){5}\)$/,
      'must be an EventBridge cron expression: cron(min hour dom month dow year)',
    )
    .default('cron(0 9 1 1,4,7,10 ? *)'),
  editionTimezone: z.string().refine(isTimeZone, 'must be an IANA time zone').default('Asia/Shanghai'),
  /** Days raw inbound mail is kept (it holds personal data; parsed updates live on in the table). */
  rawRetentionDays: int(1, 3650, 90),
  logRetentionDays: z.coerce
    .number()
    .refine((d) => LOG_RETENTION_DAYS.includes(d), `must be one of ${LOG_RETENTION_DAYS.join(', ')}`)
    .default(90),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** AWS X-Ray active tracing on every function and the HTTP API. */
  tracing: bool(false),
  /** Upper bound of concurrent send-worker invocations (SQS event source maxConcurrency). */
  sendWorkerConcurrency: int(2, 1000, 4),
  /** Stage-wide API Gateway limits (requests/s, burst). */
  apiRateLimit: int(1, 10_000, 50),
  apiBurstLimit: int(1, 5_000, 100),
  /** Tighter limits on public POSTs (subscribe, one-click unsubscribe): bots hit these first. */
  publicPostRateLimit: int(1, 10_000, 5),
  publicPostBurstLimit: int(1, 5_000, 10),
  /**
   * RFC 8058 one-click unsubscribe (POST /v1/unsubscribe) has its own, higher route limit: mailbox providers
   * post these in bursts, and a flood of sign-ups must never make them fail with 429 (issue 12 item 5).
   */
  unsubscribeRateLimit: int(1, 10_000, 100),
  unsubscribeBurstLimit: int(1, 5_000, 200),
  /** `production` turns on the protections that cost money by default (the public API's WAF). */
  stage: z.enum(['production', 'development']).default('production'),
  /** AWS WAF per-client (IP) rate limits in front of the public API; default: on in production. */
  publicWaf: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')])
    .optional(),
  /** Requests per client IP per 5 minutes to /v1/subscribe (WAF rate-based rule; minimum 10). */
  wafSubscribeLimit: int(10, 2_000_000_000, 100),
  /** Requests per client IP per 5 minutes to the other public routes except one-click unsubscribe. */
  wafPublicLimit: int(10, 2_000_000_000, 1000),
  /** Base URL in mails when a custom domain fronts the public API (default: its execute-api URL). */
  publicUrl: z.url().optional(),
  /** Base URL of edition images and documents; default the archive distribution's /media. */
  mediaUrl: z.url().optional(),
  /** Activate the SES receipt rule set on deploy (only one can be active per account and region). */
  activateReceiptRuleSet: bool(false),
  /** Extra GAZETTE_* settings for every function, e.g. {"GAZETTE_SOFT_BOUNCE_THRESHOLD":"5"}. */
  lambdaEnv: z.preprocess(parseJsonString, z.record(z.string(), z.coerce.string())).default({}),
  /** Where the handler sources live, relative to the repository root. */
  functionsDir: z.string().default('functions'),
});

export const InfraConfigSchema = RawContextSchema.superRefine((c, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (c.fromAddress && !atDomain(addressOf(c.fromAddress), c.domain))
    issue('fromAddress', `must be an address at ${c.domain} (the verified SES identity)`);
  for (const key of ['updatesAddress', 'unsubscribeAddress'] as const) {
    const v = c[key];
    if (v && !atDomain(v, c.domain))
      issue(key, `must be an address at ${c.domain} (SES receives only there)`);
  }
  const shape = ConfigSchema.shape as Record<string, z.ZodType>;
  for (const [key, value] of Object.entries(c.lambdaEnv)) {
    const schema = shape[key];
    if (!schema) issue('lambdaEnv', `${key} is not a Gazette setting (see src/config/config.ts)`);
    else if (MANAGED_ENV.has(key)) issue('lambdaEnv', `${key} is set by the stacks; use its context key`);
    else if (!schema.safeParse(value).success)
      issue('lambdaEnv', `${key}: invalid value ${JSON.stringify(value)}`);
  }
}).transform((c) => ({
  ...c,
  fromAddress: c.fromAddress ?? `${c.newsletterName} <news@${c.domain}>`,
  updatesAddress: c.updatesAddress ?? `updates@${c.domain}`,
  publicWaf: c.publicWaf ?? c.stage === 'production',
  unsubscribeAddress: c.unsubscribeAddress ?? `unsubscribe@${c.domain}`,
  /** Names fixed here because two stacks (and IAM conditions) must agree on them. */
  names: {
    scheduleGroup: c.prefix,
    configurationSet: c.prefix,
    receiptRuleSet: `${c.prefix}-inbound`,
    receiptRule: `${c.prefix}-updates`,
    /** Lambda function name of a handler: fixed so env vars and schedule targets need no references. */
    fn: (handler: string) => `${c.prefix}-${handler}`,
  },
}));
export type InfraConfig = z.infer<typeof InfraConfigSchema>;

export const CONTEXT_KEYS = Object.keys(RawContextSchema.shape);

export class InfraConfigError extends Error {
  override name = 'InfraConfigError';
}

/** Reads the context keys this app knows (unknown keys such as `@aws-cdk/*` flags are ignored). */
export function readInfraConfig(getContext: (key: string) => unknown): InfraConfig {
  const raw = Object.fromEntries(
    CONTEXT_KEYS.map((k) => [k, getContext(k)]).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = InfraConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(context)'}: ${i.message}`);
    throw new InfraConfigError(
      `Invalid CDK context (set with -c key=value or in cdk.json "context"): ${problems.join('; ')}`,
    );
  }
  return parsed.data;
}
