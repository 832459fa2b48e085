import type { LocalConfig } from '../../config/config.ts';
import { silentLogger } from '../../ports/logger.ts';
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
        ? { kind: 'bearer', token: o.config.GAZETTE_ADMIN_TOKEN }
        : { kind: 'sigv4', region: o.region ?? o.config.AWS_REGION },
    );
  }
  const local = `http://${o.config.GAZETTE_HOST}:${o.config.GAZETTE_HTTP_PORT}`;
  if (await reachable(local))
    return new ApiClient(local, { kind: 'bearer', token: o.config.GAZETTE_ADMIN_TOKEN });
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
  return new ApiClient(embedded.urls.api, { kind: 'bearer', token: o.config.GAZETTE_ADMIN_TOKEN });
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
