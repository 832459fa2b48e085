import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EPHEMERAL_PORTS, LocalConfigSchema, loadConfig } from '../../src/config/config.ts';
import { subscriberIdFor } from '../../src/domain/ids.ts';
import { signToken } from '../../src/domain/tokens.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { connect } from '../../src/runtimes/cli/connect.ts';
import { readStoredSecrets } from '../../src/runtimes/local/secrets.ts';
import { startLocalStack } from '../../src/runtimes/local/stack.ts';

/**
 * Issue 12, item 1: with no GAZETTE_TOKEN_SECRET the HMAC key was derived from the public default admin token
 * and subscriber ids were a plain hash of the address, so anyone knowing an address could forge its links.
 */
describe('links in mails cannot be forged from public defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gazette-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig(LocalConfigSchema, { GAZETTE_DATA_DIR: dir, ...EPHEMERAL_PORTS });
  const start = () => startLocalStack({ config, logger: silentLogger, schedulerLoop: false });
  const OLD_DEFAULT = 'local-admin-token-change-me';

  it('generates a random token secret and admin token on the first start, keeps them (0600) and reuses them', async () => {
    expect(config.GAZETTE_ADMIN_TOKEN).toBeUndefined();
    const first = await start();
    let secret: string;
    try {
      expect(first.secrets.adminTokenSource).toBe('generated');
      expect(first.secrets.adminToken).not.toBe(OLD_DEFAULT);
      expect(first.secrets.adminToken.length).toBeGreaterThanOrEqual(40);
      expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
      secret = await first.infra.tokenSecret();
      expect(secret).not.toContain(OLD_DEFAULT);
      const old = await fetch(`${first.urls.api}/admin/members`, {
        headers: { authorization: `Bearer ${OLD_DEFAULT}` },
      });
      expect(old.status).toBe(401);
    } finally {
      await first.stop();
    }
    const second = await start();
    try {
      expect(second.secrets.adminTokenSource).toBe('data-folder');
      expect(second.secrets.adminToken).toBe(first.secrets.adminToken);
      expect(await second.infra.tokenSecret()).toBe(secret);
    } finally {
      await second.stop();
    }
  });

  it('the CLI finds the admin token of a running embedded runtime in the same data folder', async () => {
    const stack = await start();
    try {
      const client = await connect({ api: stack.urls.api, config });
      await expect(client.request('GET', '/admin/members')).resolves.toMatchObject({ members: [] });
      expect(readStoredSecrets(dir)?.adminToken).toBe(stack.secrets.adminToken);
    } finally {
      await stack.stop();
    }
  });

  it('environment variables still override the stored secrets', async () => {
    const env = loadConfig(LocalConfigSchema, {
      GAZETTE_DATA_DIR: dir,
      ...EPHEMERAL_PORTS,
      GAZETTE_ADMIN_TOKEN: 'an-operator-chosen-admin-token',
      GAZETTE_TOKEN_SECRET: 'an-operator-chosen-token-secret-0123456789',
    });
    const stack = await startLocalStack({ config: env, logger: silentLogger, schedulerLoop: false });
    try {
      expect(stack.secrets).toMatchObject({
        adminToken: 'an-operator-chosen-admin-token',
        adminTokenSource: 'env',
      });
      expect(await stack.infra.tokenSecret()).toBe('an-operator-chosen-token-secret-0123456789');
    } finally {
      await stack.stop();
    }
  });

  it('a subscriber id carries nothing derivable from the address, so the old forgery is refused', async () => {
    const stack = await startLocalStack({
      config,
      persist: false,
      logger: silentLogger,
      schedulerLoop: false,
    });
    try {
      const email = 'victim@example.org';
      const res = await fetch(`${stack.urls.api}/v1/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });
      expect(res.status).toBeLessThan(300);
      const hashId = `s_${createHash('sha256').update(email).digest('hex').slice(0, 24)}`;
      const id = subscriberIdFor(email, await stack.infra.tokenSecret());
      expect(id).not.toContain(hashId.slice(2, 14));
      expect(await stack.app.subscribers.subscriberRepo.get(id)).toMatchObject({ email });
      expect(await stack.app.subscribers.subscriberRepo.get(hashId)).toBeUndefined();
      // What an attacker could compute before: the old derived key and the hash id.
      const forged = signToken(`local-only-secret-${OLD_DEFAULT}-do-not-deploy`, 'confirm', {
        sub: hashId,
        exp: Math.floor(Date.now() / 1000) + 3600,
      });
      const confirm = await fetch(`${stack.urls.api}/v1/confirm?token=${forged}`, { method: 'POST' });
      expect(confirm.status).toBeGreaterThanOrEqual(400);
      expect(await stack.app.subscribers.subscriberRepo.get(id)).toMatchObject({ status: 'unconfirmed' });
    } finally {
      await stack.stop();
    }
  });
});

describe('subscriberIdFor', () => {
  it('is stable per key and differs between keys', () => {
    const a = 'k'.repeat(32);
    const b = 'j'.repeat(32);
    expect(subscriberIdFor('Ana@Example.org', a)).toBe(subscriberIdFor('ana@example.org ', a));
    expect(subscriberIdFor('ana@example.org', a)).not.toBe(subscriberIdFor('ana@example.org', b));
    expect(() => subscriberIdFor('ana@example.org', '')).toThrow(/token secret/);
  });
});
