import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Table } from '../../adapters/dynamodb/table.ts';
import { LocalJobRunner } from '../../adapters/local/local-jobs.ts';
import { LocalQueue } from '../../adapters/local/local-queue.ts';
import { LocalScheduler } from '../../adapters/local/local-scheduler.ts';
import { LocalTtlSweeper } from '../../adapters/local/local-ttl-sweeper.ts';
import { createMailAuthenticator, type DnsResolver } from '../../adapters/mailauth/mail-authenticator.ts';
import { powertoolsLogger } from '../../adapters/powertools/logger.ts';
import { S3BlobStore } from '../../adapters/s3/s3-blob-store.ts';
import { SesMailer } from '../../adapters/ses/ses-mailer.ts';
import { buildApp } from '../../app/container.ts';
import type { Infra } from '../../app/infra.ts';
import { composeIngest } from '../../app/ingest.ts';
import { digestSchedule, NOTICE_RETRY_SCHEDULE } from '../../app/notices.ts';
import type { LocalConfig } from '../../config/config.ts';
import { ConfigError } from '../../domain/errors.ts';
import { ARCHIVE_HEADERS, type HttpRequest, type HttpResponse } from '../../http/types.ts';
import { type Clock, systemClock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { SendBatchMessage } from '../../ports/queue.ts';
import type { EditionRenderer } from '../../ports/renderer.ts';
import { makeConsoleServing } from './console-serving.ts';
import { startHttpServer } from './http-server.ts';
import { assertSafeHost, LOOPBACK, type LocalSecrets, localSecrets } from './secrets.ts';
import { startServers } from './servers.ts';

// The AWS SDK warns about Node 20 on every start; the Lambdas run Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** s3rver accepts only this key pair; the other local servers accept any. */
/** The whole application in one process, with the ingest (MIME) half in-process. */
export type LocalApp = ReturnType<typeof buildApp<ReturnType<typeof composeIngest>>>;

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalStackOptions {
  config: LocalConfig;
  /** false: keep state in memory (tests). Default: persist under config.GAZETTE_DATA_DIR. */
  persist?: boolean;
  clock?: Clock;
  logger?: Logger;
  /** Start the scheduler loop (default true). Tests drive `scheduler.tick()` themselves. */
  schedulerLoop?: boolean;
  /** Wrap or replace the mailer (fault injection, throttling proxy endpoints). */
  sesEndpoint?: (real: string) => string;
  /** DNS for SPF/DKIM/DMARC of mail received over SMTP (default: the system's). Tests pass a fake zone. */
  dnsResolver?: DnsResolver;
}

export interface LocalStack {
  app: LocalApp;
  infra: Infra;
  queue: LocalQueue<SendBatchMessage>;
  jobs: LocalJobRunner;
  scheduler: LocalScheduler;
  /** The admin token in force and where it came from (main.ts prints a generated one once). */
  secrets: Pick<LocalSecrets, 'adminToken' | 'adminTokenSource' | 'file'>;
  urls: {
    api: string;
    archive: string;
    /** The secretariat console (docs/console.md). */
    console: string;
    inbox: string;
    dynamodb: string;
    ses: string;
    s3: string;
    smtp: string;
  };
  endpoints: { dynamodb: string; ses: string; s3: string; smtp: { host: string; port: number } };
  /** Wait until queued sends and background jobs are done. */
  idle(): Promise<void>;
  /**
   * Stop: by default after queued sends and background jobs finish. `drain: false` stops at once (a second
   * Ctrl-C): what was queued is lost from memory, and the next start re-plans those sends.
   */
  stop(opts?: { drain?: boolean }): Promise<void>;
}

/** Starts the embedded default: local AWS stand-ins + the same use cases + HTTP API + scheduler + SMTP inbound. */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const c = opts.config;
  // Logs on stderr as before: stdout carries the human-readable URLs and status lines of `npm start`.
  const logger =
    opts.logger ??
    powertoolsLogger({
      level: c.GAZETTE_LOG_LEVEL,
      keys: { runtime: 'local' },
      write: (line) => process.stderr.write(`${line}\n`),
    });
  const clock = opts.clock ?? systemClock;
  let app: LocalApp | undefined;

  const secrets = localSecrets(c, opts.persist === false ? undefined : c.GAZETTE_DATA_DIR);
  assertSafeHost(c, secrets);
  await assertPortsFree(c);
  const mailAuth = createMailAuthenticator({ resolver: opts.dnsResolver });
  const servers = await startServers({
    host: c.GAZETTE_HOST,
    dataDir: opts.persist === false ? undefined : c.GAZETTE_DATA_DIR,
    dynamodbPort: c.GAZETTE_DYNAMODB_PORT,
    dynamodbEndpoint: c.GAZETTE_DYNAMODB_ENDPOINT,
    sesPort: c.GAZETTE_SES_PORT,
    s3Port: c.GAZETTE_S3_PORT,
    smtpPort: c.GAZETTE_SMTP_PORT,
    buckets: [c.GAZETTE_RAW_BUCKET, c.GAZETTE_CONTENT_BUCKET, c.GAZETTE_ARCHIVE_BUCKET],
    sesMaxSendRate: c.GAZETTE_LOCAL_SES_MAX_RATE,
    maxMessageBytes: c.GAZETTE_MAX_MESSAGE_BYTES,
    onInboundMail: async (raw, envelope) => {
      if (!app) throw new Error('not ready');
      const auth = await mailAuth.verify(raw, { ...envelope, mailFrom: envelope.from });
      // No spam or virus scanner runs locally: DISABLED, as SES reports a rule that did not scan.
      await app.ingest.receiveSmtp(raw, envelope, { ...auth, spam: 'DISABLED', virus: 'DISABLED' });
    },
  });

  try {
    const aws = { region: c.AWS_REGION, credentials: LOCAL_CREDENTIALS };
    // A shared external DynamoDB (DynamoDB Local in CI) holds many in-memory stacks at once: one table each.
    const tableName =
      c.GAZETTE_DYNAMODB_ENDPOINT && opts.persist === false
        ? `${c.GAZETTE_TABLE}-${randomBytes(6).toString('hex')}`
        : c.GAZETTE_TABLE;
    const table = Table.create(tableName, { ...aws, endpoint: servers.endpoints.dynamodb });
    await table.ensureExists();
    const sesEndpoint = opts.sesEndpoint ? opts.sesEndpoint(servers.endpoints.ses) : servers.endpoints.ses;
    const queue = new LocalQueue<SendBatchMessage>(logger);
    const jobs = new LocalJobRunner(logger);
    const scheduler = new LocalScheduler(table, clock, logger);
    let renderer: Promise<EditionRenderer> | undefined;
    const infra: Infra = {
      config: c,
      table,
      blobs: S3BlobStore.forBuckets(
        { ...aws, endpoint: servers.endpoints.s3 },
        { raw: c.GAZETTE_RAW_BUCKET, content: c.GAZETTE_CONTENT_BUCKET, archive: c.GAZETTE_ARCHIVE_BUCKET },
      ),
      mailer: SesMailer.connect(
        { ...aws, endpoint: sesEndpoint },
        { configurationSet: c.GAZETTE_SES_CONFIGURATION_SET },
      ),
      scheduler,
      sendQueue: queue,
      jobs,
      clock,
      logger,
      tokenSecret: async () => secrets.tokenSecret,
      renderer: () => {
        renderer ??= import('../../adapters/mjml/mjml-renderer.ts').then((m) => m.createMjmlRenderer());
        return renderer;
      },
      templateTools: () => import('../../adapters/mjml/mjml-validator.ts').then((m) => m.templateToolsFor()),
    };
    // One process: the API's POST /admin/inbound reaches ingest in-process.
    app = buildApp(infra, (deps) => composeIngest(infra, deps));
    const built = app;
    queue.setConsumer((m) => built.sending.processBatch(m));
    jobs.setHandler((job) => built.runJob(job));
    scheduler.setTarget((job) =>
      built.runJob(job.type === 'compile-edition' ? { ...job, requestedBy: 'system:scheduler' } : job),
    );
    // The quarterly compile, evaluated like the EventBridge cron schedule it mirrors on AWS.
    scheduler.addRecurring('edition-compile', c.GAZETTE_EDITION_SCHEDULE, c.GAZETTE_EDITION_TIMEZONE, {
      type: 'compile-edition',
    });
    // The secretariat's daily digest (issue 15), when GAZETTE_DIGEST_EMAIL names where it goes.
    const digestCron = digestSchedule(c);
    if (digestCron)
      scheduler.addRecurring('inbound-digest', digestCron, c.GAZETTE_EDITION_TIMEZONE, {
        type: 'inbound-digest',
      });
    if (opts.schedulerLoop !== false) {
      // Member notices whose send failed are tried again (issue 15), as the AWS schedule does. Only with
      // the loop: tests that tick the scheduler by hand run the job themselves.
      scheduler.addRecurring('notice-retries', NOTICE_RETRY_SCHEDULE, c.GAZETTE_EDITION_TIMEZONE, {
        type: 'notice-retries',
      });
      scheduler.start();
    }
    // What DynamoDB's TTL does on AWS (dynalite has none): expired sign-ups, histories and counters go.
    const ttlSweeper = new LocalTtlSweeper(table, clock, logger);
    if (opts.schedulerLoop !== false) ttlSweeper.start();

    // The send queue and background jobs live in this process: a stop mid-send (a forced quit, a crash, a
    // closed laptop) loses the queued batches, and those sends would stay 'running' for good. Re-plan them:
    // a plan queues only recipients without a delivery record, and a claim left in flight is reported
    // uncertain at the finish check, never sent twice (what the AWS runtime gets from SQS and its DLQ).
    for (const job of await built.sending.engine.list('running')) {
      logger.info('resuming a send interrupted by the last stop', { campaign: job.campaign });
      await jobs.run({ type: 'plan-send', campaign: job.campaign, requestedBy: 'system:restart' });
    }

    const consoleServing = makeConsoleServing({ clock });
    let apiUrl = '';
    const http = await startHttpServer({
      host: c.GAZETTE_HOST,
      port: c.GAZETTE_HTTP_PORT,
      adminToken: secrets.adminToken,
      handle: built.handle,
      extra: async (req) =>
        (await consoleServing.handle(req, apiUrl)) ?? serveLocalExtras(req, infra, servers.endpoints.ses),
      authenticate: consoleServing.authenticate,
      // A raw .eml may be as large as inbound accepts; a CSV import is far smaller.
      maxUploadBytes: c.GAZETTE_MAX_MESSAGE_BYTES,
      logger,
    });
    apiUrl = http.url;

    return {
      app: built,
      infra,
      queue,
      jobs,
      scheduler,
      secrets: {
        adminToken: secrets.adminToken,
        adminTokenSource: secrets.adminTokenSource,
        file: secrets.file,
      },
      endpoints: servers.endpoints,
      urls: {
        api: http.url,
        archive: `${http.url}/archive/`,
        console: `${http.url}/console/`,
        inbox: `${servers.endpoints.ses}/`,
        dynamodb: servers.endpoints.dynamodb,
        ses: servers.endpoints.ses,
        s3: servers.endpoints.s3,
        smtp: `smtp://${servers.endpoints.smtp.host}:${servers.endpoints.smtp.port}`,
      },
      async idle() {
        for (let i = 0; i < 1000; i++) {
          await jobs.idle();
          await queue.idle();
          if (queue.depth === 0) {
            await jobs.idle();
            return;
          }
        }
      },
      async stop(o = {}) {
        await Promise.all([scheduler.stop(), ttlSweeper.stop()]);
        if (o.drain !== false) {
          await jobs.idle().catch(() => {});
          await queue.idle().catch(() => {});
        }
        await http.stop();
        await servers.stop();
      },
    };
  } catch (e) {
    await servers.stop();
    throw e;
  }
}

/**
 * A port already taken (most often: `npm start` is already running) must fail with the variable to change,
 * before anything starts: some of the local servers otherwise crash the process on an unhandled 'error'.
 */
async function assertPortsFree(c: LocalConfig): Promise<void> {
  const vars = [
    'GAZETTE_HTTP_PORT',
    'GAZETTE_DYNAMODB_PORT',
    'GAZETTE_SES_PORT',
    'GAZETTE_S3_PORT',
    'GAZETTE_SMTP_PORT',
  ] as const;
  for (const name of vars) {
    const port = c[name];
    if (port === 0 || (name === 'GAZETTE_DYNAMODB_PORT' && c.GAZETTE_DYNAMODB_ENDPOINT)) continue;
    // Only the API and SMTP listen on GAZETTE_HOST; the stand-ins are on loopback (see servers.ts).
    const host = name === 'GAZETTE_HTTP_PORT' || name === 'GAZETTE_SMTP_PORT' ? c.GAZETTE_HOST : LOOPBACK;
    const probe = createServer();
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      probe.once('error', resolve);
      probe.listen(port, host, () => probe.close(() => resolve(undefined)));
    });
    if (!error) continue;
    const why =
      error.code === 'EADDRINUSE'
        ? 'is already in use (is `npm start` already running? stop it, or set another port)'
        : `cannot be opened (${error.code ?? error.message})`;
    throw new ConfigError(`${name}: port ${port} on ${host} ${why}`, { variable: name, port });
  }
}

/** The archive bucket served as a static site at /archive/ (S3 website hosting's local twin). */
async function serveLocalExtras(
  req: HttpRequest,
  infra: Infra,
  _ses: string,
): Promise<HttpResponse | undefined> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  if (req.path.startsWith('/media/')) return serveMedia(req.path, infra);
  if (req.path !== '/archive' && !req.path.startsWith('/archive/')) return undefined;
  let key: string;
  try {
    key = decodeURIComponent(req.path.replace(/^\/archive\/?/, ''));
  } catch {
    return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'malformed path' };
  }
  if (key === '' || key.endsWith('/')) key += 'index.html';
  if (key.includes('..')) return { status: 400 };
  try {
    const body = Buffer.from(await infra.blobs.archive.get(key));
    return { status: 200, headers: { 'content-type': contentTypeFor(key), ...ARCHIVE_HEADERS }, body };
  } catch {
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not in the archive yet' };
  }
}

/**
 * Edition images and documents at /media/ (CloudFront over media/ on AWS): only that prefix of the content
 * bucket, so drafts and members' raw attachments stay private; the photos' manifests are not served.
 */
async function serveMedia(path: string, infra: Infra): Promise<HttpResponse> {
  const notFound: HttpResponse = {
    status: 404,
    headers: { 'content-type': 'text/plain' },
    body: 'no such file',
  };
  let key: string;
  try {
    key = `media/${decodeURIComponent(path.slice('/media/'.length))}`;
  } catch {
    return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'malformed path' };
  }
  if (key.includes('..') || key.endsWith('/') || key.endsWith('.json')) return notFound;
  try {
    const body = Buffer.from(await infra.blobs.content.get(key));
    const headers = {
      'content-type': contentTypeFor(key),
      'cache-control': 'public, max-age=31536000, immutable',
    };
    return { status: 200, headers: { ...headers, ...ARCHIVE_HEADERS }, body };
  } catch {
    return notFound;
  }
}

function contentTypeFor(key: string): string {
  if (key.endsWith('.pdf')) return 'application/pdf';
  if (key.endsWith('.webp')) return 'image/webp';
  if (key.endsWith('.html')) return 'text/html; charset=utf-8';
  if (key.endsWith('.xml') || key.endsWith('.atom')) return 'application/atom+xml; charset=utf-8';
  if (key.endsWith('.css')) return 'text/css';
  if (key.endsWith('.png')) return 'image/png';
  if (key.endsWith('.jpg') || key.endsWith('.jpeg')) return 'image/jpeg';
  return 'application/octet-stream';
}
