import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import { startTestStack } from '../../support/local-stack.ts';
import { anUpdate } from '../../unit/editions/fixtures.ts';

let now = new Date('2026-04-01T01:00:00.000Z');
const clock: Clock = { now: () => now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

describe('branding without a redeploy', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const call = <T>(method: string, path: string, body?: unknown) => stack.call<T>(method, path, body);
  const compiledHtml = async () => {
    const res = await call<{ edition: { number: number } }>('POST', '/admin/editions/compile', {
      from: '2026-01-01',
      to: '2026-03-31',
      wait: true,
    });
    expect(res.status).toBe(201);
    const e = await stack.app.editions.lifecycle.show(res.body.edition.number);
    return stack.infra.blobs.content.getText(e.variants[0]?.htmlKey ?? '');
  };

  beforeAll(async () => {
    stack = await startTestStack({ clock });
    const u = anUpdate({
      updateId: 'u_brand',
      title: 'Branded news',
      receivedAt: '2026-02-01T00:00:00.000Z',
    });
    await stack.infra.table.put({
      ...keys.update(u.updateId),
      type: 'update',
      gsi1pk: `UPDATES#${u.status}`,
      gsi1sk: `${u.receivedAt}#${u.updateId}`,
      ...u,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('applies a saved logo, colours, footer text and address from the next compile, keeping each version', async () => {
    const before = await compiledHtml();
    expect(before).not.toContain('#0d47a1');
    const saved = await call<{ saved: { version: string } }>('PUT', '/admin/templates/branding', {
      logoUrl: 'https://media.igpn.example/logo.png',
      logoAlt: 'IGPN logo',
      colors: { primary: '#0d47a1' },
      footerText: 'IGPN is a network of green purchasing organisations.',
      postalAddress: 'IGPN Secretariat, 1 Example Road, Beijing',
    });
    expect(saved.status).toBe(200);
    const html = await compiledHtml();
    expect(html).toContain('#0d47a1');
    expect(html).toContain('src="https://media.igpn.example/logo.png"');
    expect(html).toContain('alt="IGPN logo"');
    expect(html).toContain('IGPN is a network of green purchasing organisations.');
    expect(html).toContain('1 Example Road');

    now = new Date('2026-04-01T02:00:00.000Z');
    await call('PUT', '/admin/templates/branding', { colors: { primary: '#4a148c' } });
    const got = await call<{ current: { branding: unknown }; versions: string[] }>(
      'GET',
      '/admin/templates/branding',
    );
    expect(got.body.current.branding).toEqual({ colors: { primary: '#4a148c' } });
    expect(got.body.versions).toHaveLength(2);
    expect(got.body.versions[0]).toBe(saved.body.saved.version);
  }, 60_000);

  it('refuses a bad colour or a logo that is not an http(s) URL with 400, keeping the current branding', async () => {
    const bad = await call<{ message: string }>('PUT', '/admin/templates/branding', {
      colors: { primary: 'blue' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/#rrggbb/);
    expect((await call('PUT', '/admin/templates/branding', { logoUrl: 'javascript:alert(1)' })).status).toBe(
      400,
    );
    const got = await call<{ versions: string[] }>('GET', '/admin/templates/branding');
    expect(got.body.versions).toHaveLength(2);
  });
});
