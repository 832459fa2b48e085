import { describe, expect, it } from 'vitest';
import { EPHEMERAL_PORTS, LocalConfigSchema, loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/domain/errors.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { isLoopbackHost } from '../../src/runtimes/local/secrets.ts';
import { startLocalStack } from '../../src/runtimes/local/stack.ts';

/**
 * Issue 12, item 2: GAZETTE_HOST=0.0.0.0 put every local server on every interface with the default admin
 * token; dynalite and s3rver accept any credentials and the SES inbox shows live confirmation links.
 */
describe('the embedded runtime off loopback', () => {
  const config = (env: Record<string, string>) =>
    loadConfig(LocalConfigSchema, { ...EPHEMERAL_PORTS, ...env });
  const start = (env: Record<string, string>) =>
    startLocalStack({ config: config(env), persist: false, logger: silentLogger, schedulerLoop: false });

  it('refuses to start on a non-loopback address without an admin token set, naming GAZETTE_HOST', async () => {
    const refused = start({ GAZETTE_HOST: '0.0.0.0' });
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(
      /^GAZETTE_HOST=0\.0\.0\.0 is not a loopback address: set GAZETTE_ADMIN_TOKEN/,
    );
  });

  it('with an admin token set, serves the API and SMTP on GAZETTE_HOST but keeps the stand-ins on loopback', async () => {
    const stack = await start({
      GAZETTE_HOST: '0.0.0.0',
      GAZETTE_ADMIN_TOKEN: 'an-operator-chosen-admin-token',
    });
    try {
      expect(stack.urls.api).toMatch(/^http:\/\/0\.0\.0\.0:/);
      expect(stack.endpoints.smtp.host).toBe('0.0.0.0');
      for (const u of [stack.endpoints.dynamodb, stack.endpoints.s3, stack.endpoints.ses, stack.urls.inbox])
        expect(u).toMatch(/^http:\/\/127\.0\.0\.1:/);
    } finally {
      await stack.stop();
    }
  });

  it('starts on loopback with a generated admin token', async () => {
    const stack = await start({ GAZETTE_HOST: '127.0.0.1' });
    expect(stack.secrets.adminTokenSource).toBe('generated');
    await stack.stop();
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'gazette.example.org', '127.0.0.1.nip.io'])
      expect(isLoopbackHost(h)).toBe(false);
  });
});
