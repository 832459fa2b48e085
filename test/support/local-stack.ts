import { randomBytes } from 'node:crypto';
import type { DnsResolver } from '../../src/adapters/mailauth/mail-authenticator.ts';
import { EPHEMERAL_PORTS, type LocalConfig, LocalConfigSchema, loadConfig } from '../../src/config/config.ts';
import type { Clock } from '../../src/ports/clock.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { type LocalStack, startLocalStack } from '../../src/runtimes/local/stack.ts';

import { fakeDns } from './fake-dns.ts';

// Random per test run: no test may pass because a credential was known in advance.
export const TEST_ADMIN_TOKEN = `test-admin-${randomBytes(16).toString('hex')}`;
export const TEST_TOKEN_SECRET = `test-secret-${randomBytes(24).toString('hex')}`;

/**
 * The real embedded stack (dynalite, aws-ses-v2-local, s3rver, SMTP, HTTP API) on ephemeral ports with
 * state in memory. Integration tests talk to it over the real AWS SDK clients and real HTTP.
 */
export async function startTestStack(
  opts: {
    env?: Record<string, string>;
    clock?: Clock;
    sesEndpoint?: (real: string) => string;
    /** DNS for SPF/DKIM/DMARC of mail sent to the stack's SMTP (default: an empty zone, see fake-dns.ts). */
    dns?: DnsResolver;
    /** Run the local scheduler's own loop (default: off, tests tick it). */
    schedulerLoop?: boolean;
  } = {},
): Promise<
  LocalStack & {
    config: LocalConfig;
    admin: (path: string, init?: RequestInit) => Promise<Response>;
    /** An admin request with a JSON body; the answer's status and body (parsed JSON, else the text). */
    call: <T = unknown>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;
    sentMail: () => Promise<SentMail[]>;
  }
> {
  const config = loadConfig(LocalConfigSchema, {
    ...EPHEMERAL_PORTS,
    GAZETTE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    GAZETTE_TOKEN_SECRET: TEST_TOKEN_SECRET,
    GAZETTE_LOCAL_SES_MAX_RATE: '1000',
    // CI's second pass runs against AWS's DynamoDB Local instead of dynalite (see .ci/run).
    GAZETTE_DYNAMODB_ENDPOINT: process.env.GAZETTE_DYNAMODB_ENDPOINT,
    ...opts.env,
  });
  const stack = await startLocalStack({
    config,
    persist: false,
    logger: silentLogger,
    schedulerLoop: opts.schedulerLoop ?? false,
    clock: opts.clock,
    sesEndpoint: opts.sesEndpoint,
    dnsResolver: opts.dns ?? fakeDns(),
  });
  // Point links in mails at this stack's API.
  Object.assign(config, {
    GAZETTE_PUBLIC_URL: stack.urls.api,
    GAZETTE_ARCHIVE_URL: `${stack.urls.api}/archive`,
  });
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.urls.api}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
  return {
    ...stack,
    config,
    admin,
    call: async <T>(method: string, path: string, body?: unknown) => {
      const res = await admin(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      const json = res.headers.get('content-type')?.includes('json');
      return { status: res.status, body: (json ? await res.json() : await res.text()) as T };
    },
    sentMail: async () => {
      const res = await fetch(`${stack.endpoints.ses}/store`);
      const body = (await res.json()) as { emails: SentMail[] };
      return body.emails;
    },
  };
}

/** Shape of one mail in aws-ses-v2-local's GET /store. */
export interface SentMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename: string; size: number }[];
  headers?: { name: string; value: string }[];
  at: number;
}
