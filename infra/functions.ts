/**
 * One entry per Lambda handler in functions/: sizing and exactly what each may touch. The stateless
 * stack turns `access` into IAM statements, so least privilege is reviewable in this one table.
 */

import { INBOUND_RAW_PREFIX } from '../src/domain/update.ts';

export const HANDLERS = [
  'public-api',
  'api',
  'ingest',
  'ses-events',
  'compile-edition',
  'dispatch',
  'send-worker',
  'reminder',
] as const;
export type HandlerName = (typeof HANDLERS)[number];

type BucketAccess = 'read' | 'readWrite';

/**
 * Key prefixes of the raw bucket: SES stores each received message under `inbound/` (INBOUND_RAW_PREFIX);
 * ingest keeps attachments it will not publish under `withheld/<updateId>/` (src/use-cases/inbound/ingest.ts).
 */
export const RAW_PREFIXES = { inbound: INBOUND_RAW_PREFIX, withheld: 'withheld/' } as const;
type RawPrefix = (typeof RAW_PREFIXES)[keyof typeof RAW_PREFIXES];

export interface Access {
  /** Item-level reads (Get/Query/BatchGet); `readWrite` adds Put/Update/Delete/BatchWrite. Never table admin. */
  table: 'read' | 'readWrite';
  /** Private raw bucket, by key prefix: SES (and api's admin upload) write under inbound/, ingest withholds attachments. */
  raw?: { read: RawPrefix[]; write?: RawPrefix[] };
  content?: BucketAccess;
  archive?: BucketAccess;
  /** Reads the token HMAC key (anything that builds or checks unsubscribe/opt-in links). */
  tokenSecret?: boolean;
  /** ses:SendEmail, scoped to the domain identity and the configuration set. */
  sendMail?: boolean;
  /** ses:GetAccount (max send rate) for the send engine. */
  sesAccount?: boolean;
  /** sqs:SendMessage on the send queue (fan-out, re-queueing missed recipients, daily-quota checks). */
  enqueueSends?: boolean;
  /** lambda:InvokeFunction on these handlers (async background jobs; api → ingest is synchronous). */
  invokes?: HandlerName[];
  /** Create/update/delete one-time reminder schedules in the schedule group (+ PassRole of its role). */
  manageSchedules?: boolean;
}

export interface HandlerSpec {
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  /**
   * Invoked asynchronously (SES, SNS, Scheduler, other functions): gets retries and an on-failure
   * destination (the jobs DLQ) so a failed event is kept, never silently dropped.
   */
  async: boolean;
  /** Only the edition compiler carries mjml; everyone else must stay small for cold starts. */
  bundlesMjml?: boolean;
  /** Only ingest parses MIME (hostile input, heavy parser); the api hands uploads to it. */
  parsesMime?: boolean;
  /**
   * Only the api reads subscriber imports (.xlsx, CSV in any encoding): their readers are left out of every
   * other bundle, where the import route is composed but never served.
   */
  readsSpreadsheets?: boolean;
  /** Repository folders copied next to the bundle (found at runtime under LAMBDA_TASK_ROOT). */
  assets?: string[];
  /**
   * Packages with a native binary esbuild cannot bundle: left external and installed for the Lambda's
   * platform (linux arm64, glibc) in the asset's node_modules (infra/bundling.ts).
   */
  nativeModules?: string[];
  access: Access;
}

export const HANDLER_SPECS: Record<HandlerName, HandlerSpec> = {
  // Public /v1 routes (anyone on the internet): only what subscribe, confirm, preferences, erase and
  // unsubscribe touch. No buckets, no queues, no schedules, no other function.
  'public-api': {
    description: 'Public API: /v1 subscribe, confirm, preferences, erase, unsubscribe (no admin routes)',
    memoryMb: 256,
    timeoutSeconds: 29,
    async: false,
    access: {
      // Subscriber, suppression, ledger and rate-window items (erase deletes the subscriber's items).
      table: 'readWrite',
      // Confirmation, preference and unsubscribe tokens are signed and checked here.
      tokenSecret: true,
      // The opt-in confirmation mail.
      sendMail: true,
    },
  },
  api: {
    description: 'Admin API: /admin routes (IAM for the CLI, Cognito JWT for the console)',
    memoryMb: 512,
    // API Gateway HTTP APIs give up after 30 s.
    timeoutSeconds: 29,
    async: false,
    readsSpreadsheets: true,
    access: {
      table: 'readWrite',
      // POST /admin/inbound stores the uploaded .eml where SES stores received mail.
      raw: { read: [RAW_PREFIXES.inbound, RAW_PREFIXES.withheld], write: [RAW_PREFIXES.inbound] },
      content: 'readWrite',
      archive: 'readWrite',
      tokenSecret: true,
      sendMail: true,
      // `sends status --exact` (GET /admin/sends/:campaign?exact=1) re-queues recipients it finds missed.
      enqueueSends: true,
      // Background jobs: compile on demand, plan a send, remind now; and (synchronously) ingest an
      // uploaded .eml, so the MIME parser lives only in the ingest function.
      invokes: ['dispatch', 'compile-edition', 'ingest'],
      // Deadline create/update/cancel reconciles the one-time reminder schedules.
      manageSchedules: true,
    },
  },
  ingest: {
    description: 'SES inbound: parse raw member mail from S3, classify, store the update',
    // Up to 40 MB of hostile MIME is parsed in memory.
    memoryMb: 1024,
    timeoutSeconds: 120,
    async: true,
    parsesMime: true,
    access: {
      table: 'readWrite',
      raw: { read: [RAW_PREFIXES.inbound], write: [RAW_PREFIXES.withheld] },
      content: 'readWrite',
      // Mail to the List-Unsubscribe mailto carries the signed unsubscribe token in its subject: checked here.
      tokenSecret: true,
      sendMail: true,
    },
  },
  'ses-events': {
    description: 'SES sending events (SNS): delivery status, suppression, stats counters',
    memoryMb: 256,
    timeoutSeconds: 30,
    async: true,
    access: { table: 'readWrite' },
  },
  'compile-edition': {
    description: 'Compile a quarterly edition (MJML → HTML + text) from approved updates',
    memoryMb: 1536,
    timeoutSeconds: 300,
    async: true,
    bundlesMjml: true,
    // MJML layout, partials, text twins and strings, read by src/adapters/mjml/mjml-renderer.ts.
    assets: ['templates'],
    // sharp (libvips) resizes member photos to e-mail widths (src/adapters/images/sharp-resizer.ts).
    nativeModules: ['sharp'],
    access: { table: 'readWrite', content: 'readWrite' },
  },
  dispatch: {
    description: 'Background jobs: plan a send (fan-out to the send queue), remind now',
    memoryMb: 512,
    timeoutSeconds: 300,
    async: true,
    access: {
      table: 'readWrite',
      content: 'read',
      archive: 'readWrite',
      tokenSecret: true,
      sendMail: true,
      sesAccount: true,
      enqueueSends: true,
      // A reminder job starts its send as a plan-send job; a stale one re-plans its schedules.
      invokes: ['dispatch'],
      manageSchedules: true,
    },
  },
  'send-worker': {
    description: 'Send queue consumer: claim, personalise and send each recipient exactly once',
    memoryMb: 512,
    // One message (GAZETTE_SEND_BATCH_SIZE recipients) paced at the per-worker share of the SES rate; stays
    // below GAZETTE_SEND_CLAIM_LEASE_SECONDS (900) so a live claim is never taken for a dead one.
    timeoutSeconds: 300,
    async: false,
    access: {
      table: 'readWrite',
      content: 'read',
      archive: 'readWrite',
      tokenSecret: true,
      sendMail: true,
      sesAccount: true,
      // Its finish check re-queues recipients it finds missed; a daily-quota pause queues its resume checks.
      enqueueSends: true,
    },
  },
  reminder: {
    description: 'Scheduled deadline/event reminders (EventBridge Scheduler one-time schedules)',
    memoryMb: 512,
    timeoutSeconds: 300,
    async: true,
    // Starts the send (a plan-send job in dispatch); re-plans schedules when it fires for a stale version.
    access: { table: 'readWrite', invokes: ['dispatch'], manageSchedules: true },
  },
};

/** SQS visibility must outlast a worker invocation several times over (AWS: 6 × the function timeout). */
export const SEND_QUEUE_VISIBILITY_SECONDS = HANDLER_SPECS['send-worker'].timeoutSeconds * 6;
/** Each message already carries a slice of recipients: one per invocation keeps retries small and paced. */
export const SEND_WORKER_BATCH_SIZE = 1;
