/**
 * The embedded default's servers: the same AWS APIs Gazette uses in production. The stand-ins accept any
 * credentials and the SES inbox shows live links, so they listen on loopback whatever GAZETTE_HOST says;
 * only inbound SMTP (and the HTTP API, started elsewhere) follow `host`.
 *   dynalite          → DynamoDB API (LevelDB on disk under the data folder, or in memory for tests)
 *   aws-ses-v2-local  → SES v2 API + a web inbox showing every mail sent (GET /store as JSON)
 *   s3rver            → S3 API (files under the data folder)
 *   smtp-server       → inbound mail on loopback, handed on exactly as SES inbound would
 * Tests start the very same servers on ephemeral ports (test/support/local-stack.ts).
 */
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { LOOPBACK } from './secrets.ts';

const require = createRequire(import.meta.url);

export interface ServerOptions {
  /** Where inbound SMTP listens (GAZETTE_HOST); the stand-ins are always on LOOPBACK. */
  host: string;
  /** undefined = keep state in memory / a temp folder (tests). */
  dataDir?: string;
  dynamodbPort: number;
  /** An external DynamoDB API (DynamoDB Local): dynalite is then not started. */
  dynamodbEndpoint?: string;
  sesPort: number;
  s3Port: number;
  smtpPort: number;
  buckets: string[];
  /** Send rate GetAccount reports (the SES stand-in has no throttling of its own). */
  sesMaxSendRate: number;
  maxMessageBytes: number;
  onInboundMail: (raw: Buffer, envelope: InboundEnvelope) => Promise<void>;
}

/** The SMTP transaction around a received message: what SPF checks. */
export interface InboundEnvelope {
  from: string;
  to: string[];
  clientIp: string;
  helo?: string;
}

export interface RunningServers {
  endpoints: { dynamodb: string; ses: string; s3: string; smtp: { host: string; port: number } };
  stop(): Promise<void>;
}

const url = (host: string, server: Server) => `http://${host}:${(server.address() as AddressInfo).port}`;

async function startDynalite(o: ServerOptions, stops: (() => Promise<void>)[]): Promise<string> {
  const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;
  const dynaOpts: Record<string, unknown> = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
  if (o.dataDir) {
    mkdirSync(join(o.dataDir, 'dynamodb'), { recursive: true });
    dynaOpts.path = join(o.dataDir, 'dynamodb');
  }
  const dyna = dynalite(dynaOpts);
  dyna.listen(o.dynamodbPort, LOOPBACK);
  await once(dyna, 'listening');
  stops.push(() => closeServer(dyna));
  return url(LOOPBACK, dyna);
}

export async function startServers(o: ServerOptions): Promise<RunningServers> {
  const stops: (() => Promise<void>)[] = [];
  try {
    // --- DynamoDB (dynalite), unless an external DynamoDB API was given
    const dynamodb = o.dynamodbEndpoint ?? (await startDynalite(o, stops));

    // --- SES v2 (aws-ses-v2-local); GetAccount answers from this env var.
    process.env.AWS_SES_ACCOUNT = JSON.stringify(sesAccount(o.sesMaxSendRate));
    const sesModule = require('aws-ses-v2-local') as {
      default: (c: { host: string; port: number }) => Promise<Server>;
    };
    // Its store is a module-level array (one SES stand-in per process): saved to the data folder on stop,
    // then cleared, so the next start (even in the same process) sees exactly what was persisted.
    const sesStore = require('aws-ses-v2-local/dist/store.js') as {
      getStoreReadonly(): { emails: unknown[] };
      clearStore(): void;
    };
    const outbox = o.dataDir ? join(o.dataDir, 'ses-outbox.json') : undefined;
    if (outbox) loadOutbox(outbox, sesStore.getStoreReadonly().emails);
    const ses = await sesModule.default({ host: LOOPBACK, port: o.sesPort });
    stops.push(async () => {
      if (outbox) writeFileSync(outbox, JSON.stringify(sesStore.getStoreReadonly().emails));
      await closeServer(ses);
      sesStore.clearStore();
    });

    // --- S3 (s3rver)
    const S3rver = require('s3rver') as new (
      opts: Record<string, unknown>,
    ) => {
      run(): Promise<AddressInfo>;
      close(): Promise<void>;
    };
    const s3Dir = o.dataDir ? join(o.dataDir, 's3') : join(tmpBase(), `s3-${process.pid}-${Date.now()}`);
    mkdirSync(s3Dir, { recursive: true });
    const s3 = new S3rver({
      address: LOOPBACK,
      port: o.s3Port,
      directory: s3Dir,
      silent: true,
      configureBuckets: o.buckets.map((name) => ({ name })),
    });
    const s3Addr = await s3.run();
    stops.push(() => s3.close());

    // --- inbound SMTP (on GAZETTE_HOST: a member's mail client may be on another machine)
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: o.maxMessageBytes,
      banner: 'Gazette local inbound',
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
            const err = new Error('552 message exceeds the maximum size') as Error & { responseCode: number };
            err.responseCode = 552;
            return callback(err);
          }
          const envelope = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            clientIp: session.remoteAddress,
            helo: session.hostNameAppearsAs || undefined,
          };
          o.onInboundMail(Buffer.concat(chunks), envelope).then(
            () => callback(),
            (e: Error) => callback(Object.assign(new Error(`451 ${e.message}`), { responseCode: 451 })),
          );
        });
      },
    });
    smtp.listen(o.smtpPort, o.host);
    await once(smtp.server, 'listening');
    stops.push(() => new Promise((r) => smtp.close(() => r())));

    return {
      endpoints: {
        dynamodb,
        ses: url(LOOPBACK, ses),
        s3: `http://${LOOPBACK}:${s3Addr.port}`,
        smtp: { host: o.host, port: (smtp.server.address() as AddressInfo).port },
      },
      async stop() {
        for (const stop of stops.reverse()) await stop().catch(() => {});
      },
    };
  } catch (e) {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    throw e;
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

function tmpBase() {
  return join(process.env.TMPDIR ?? '/tmp', 'gazette');
}

function loadOutbox(file: string, into: unknown[]) {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
    into.push(...saved);
  } catch {
    // first start: nothing saved yet
  }
}

function sesAccount(maxSendRate: number) {
  return {
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'MARKETING',
      ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
      UseCaseDescription: 'Gazette embedded default',
      WebsiteURL: 'http://127.0.0.1',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { Max24HourSend: 1_000_000, MaxSendRate: maxSendRate, SentLast24Hours: 0 },
    SuppressionAttributes: { SuppressedReasons: [] },
  };
}
