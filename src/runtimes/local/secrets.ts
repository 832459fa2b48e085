/**
 * The embedded runtime's two secrets: the HMAC key of every link in mails (and of subscriber ids) and the
 * admin API's bearer token. Never derived from a default: generated at random on the first start, kept in
 * the data folder (secrets.json, mode 0600) and reused on later starts; GAZETTE_TOKEN_SECRET and
 * GAZETTE_ADMIN_TOKEN override each. A stack with state in memory (tests) gets fresh random values.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { LocalConfig } from '../../config/config.ts';
import { ConfigError } from '../../domain/errors.ts';

const Stored = z.object({ tokenSecret: z.string().min(32), adminToken: z.string().min(16) });

export interface LocalSecrets {
  tokenSecret: string;
  adminToken: string;
  /** 'env': GAZETTE_ADMIN_TOKEN; 'data-folder': read from secrets.json; 'generated': made on this start. */
  adminTokenSource: 'env' | 'data-folder' | 'generated';
  /** The file the generated secrets live in (undefined for a stack with state in memory). */
  file?: string;
}

export const secretsFile = (dataDir: string) => join(dataDir, 'secrets.json');

const random = () => randomBytes(32).toString('base64url');

export function localSecrets(c: LocalConfig, dataDir: string | undefined): LocalSecrets {
  const fromEnv = (generated: { tokenSecret: string; adminToken: string }, stored: boolean) => ({
    tokenSecret: c.GAZETTE_TOKEN_SECRET ?? generated.tokenSecret,
    adminToken: c.GAZETTE_ADMIN_TOKEN ?? generated.adminToken,
    adminTokenSource: c.GAZETTE_ADMIN_TOKEN
      ? ('env' as const)
      : stored
        ? ('data-folder' as const)
        : ('generated' as const),
  });
  if (!dataDir) return fromEnv({ tokenSecret: random(), adminToken: random() }, false);
  const file = secretsFile(dataDir);
  const existing = readStoredSecrets(dataDir);
  if (existing) return { ...fromEnv(existing, true), file };
  const fresh = { tokenSecret: random(), adminToken: random() };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': a second process starting at the same moment must not overwrite the first one's secrets.
    writeFileSync(file, `${JSON.stringify({ ...fresh, createdAt: new Date().toISOString() }, null, 2)}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const raced = readStoredSecrets(dataDir);
    if (raced) return { ...fromEnv(raced, true), file };
    throw e;
  }
  return { ...fromEnv(fresh, false), file };
}

/** The stored secrets of a data folder, or undefined before its first start (the CLI reads the admin token). */
export function readStoredSecrets(dataDir: string): z.infer<typeof Stored> | undefined {
  const file = secretsFile(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const parsed = Stored.safeParse(safeJson(text));
  if (!parsed.success)
    throw new ConfigError(
      `GAZETTE_DATA_DIR: ${file} is not a Gazette secrets file (delete it to make new ones)`,
      {
        variable: 'GAZETTE_DATA_DIR',
      },
    );
  // Copied or restored folders lose their modes: keep the file readable by its owner only.
  chmodSync(file, 0o600);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** 127.0.0.0/8, ::1 and localhost: the only hosts whose listeners nobody else on the network can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h)
  );
}

/** Where the stand-ins (dynalite, s3rver, the SES API and its web inbox) listen, whatever GAZETTE_HOST says. */
export const LOOPBACK = '127.0.0.1';

/**
 * Off loopback the admin API is reachable from the network: refuse a generated (printed once, kept in a
 * file) admin token there; only one the operator chose and set is acceptable.
 */
export function assertSafeHost(c: LocalConfig, secrets: LocalSecrets): void {
  if (isLoopbackHost(c.GAZETTE_HOST) || secrets.adminTokenSource === 'env') return;
  throw new ConfigError(
    `GAZETTE_HOST=${c.GAZETTE_HOST} is not a loopback address: set GAZETTE_ADMIN_TOKEN (a long random value) to serve the API and SMTP on it (DynamoDB, S3 and the SES inbox stay on ${LOOPBACK})`,
    { variable: 'GAZETTE_HOST' },
  );
}
