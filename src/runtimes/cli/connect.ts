import type { LocalConfig } from '../../config/config.ts';
import { silentLogger } from '../../ports/logger.ts';
import { readStoredSecrets } from '../local/secrets.ts';
import type { LocalStack } from '../local/stack.ts';
import { ApiClient } from './api-client.ts';

let embedded: LocalStack | undefined;

/**
 * Find the API: --api (deployed, SigV4) → a running `npm start` → an embedded stack started in-process
 * on the same data folder (stopped again when the command ends).
 */
export async function connect(o: { api?: string; region?: string; config: LocalConfig }): Promise<ApiClient> {
  if (o.api) {
    const isLocal = /^http:\/\/(127\.|localhost|\[::1\])/.test(o.api);
    return new ApiClient(
      o.api,
      isLocal
        ? { kind: 'bearer', token: localAdminToken(o.config) }
        : { kind: 'sigv4', region: o.region ?? o.config.AWS_REGION },
    );
  }
  const local = `http://${o.config.GAZETTE_HOST}:${o.config.GAZETTE_HTTP_PORT}`;
  if (await reachable(local))
    return new ApiClient(local, { kind: 'bearer', token: localAdminToken(o.config) });
  const { startLocalStack } = await import('../local/stack.ts');
  embedded = await startLocalStack({
    config: {
      ...o.config,
      GAZETTE_HTTP_PORT: 0,
      GAZETTE_DYNAMODB_PORT: 0,
      GAZETTE_SES_PORT: 0,
      GAZETTE_S3_PORT: 0,
      GAZETTE_SMTP_PORT: 0,
    },
    logger: silentLogger,
    schedulerLoop: false,
  });
  return new ApiClient(embedded.urls.api, { kind: 'bearer', token: embedded.secrets.adminToken });
}

/**
 * The admin token of a running `npm start`: GAZETTE_ADMIN_TOKEN, else the one it generated in its data
 * folder (same GAZETTE_DATA_DIR), so `npx gazette …` works with no variable set.
 */
function localAdminToken(c: LocalConfig): string {
  const token = c.GAZETTE_ADMIN_TOKEN ?? readStoredSecrets(c.GAZETTE_DATA_DIR)?.adminToken;
  // No token anywhere: the server's first start has not happened in this folder; the API will answer 401.
  return token ?? '';
}

/** The in-process stack, if this command started one (for commands that must wait for background work). */
export const embeddedStack = () => embedded;

export async function closeEmbedded() {
  if (!embedded) return;
  await embedded.idle();
  await embedded.stop();
  embedded = undefined;
}

async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(500) });
    return res.status < 500;
  } catch {
    return false;
  }
}
