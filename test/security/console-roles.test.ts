/**
 * What a console editor may change (the Cognito "editors" group): moderation and compiling, yes; what every
 * reader receives without a later approval (templates, branding, sends, reminders), no: that is the
 * approvers'. Checked over every admin route of the real application.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpRequest, Route } from '../../src/http/types.ts';
import { startTestStack } from '../support/local-stack.ts';

describe('console roles', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const approverOnly = (routes: Route[]) =>
    routes.filter((r) => r.role === 'approver').map((r) => `${r.method} ${r.path}`);

  it('saving or rolling back templates and branding needs the approver role: they change every later mail', () => {
    const needed = approverOnly(stack.app.routes);
    for (const r of [
      'PUT /admin/templates',
      'POST /admin/templates/rollback',
      'PUT /admin/templates/branding',
    ])
      expect(needed, r).toContain(r);
    // Looking and previewing stays open to editors.
    for (const r of [
      'GET /admin/templates',
      'POST /admin/templates/preview',
      'GET /admin/templates/branding',
    ])
      expect(needed, r).not.toContain(r);
  });

  it('an editor is refused with 403 naming the role, before anything is read or saved', async () => {
    const req = (method: string, path: string, body: unknown): HttpRequest => ({
      method,
      path,
      params: {},
      query: {},
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
      sourceIp: '127.0.0.1',
      actor: 'editor@igpn.example',
      roles: ['editor'],
    });
    const res = await stack.app.handle(req('PUT', '/admin/templates/branding', { footerText: 'Hijacked' }));
    expect(res.status).toBe(403);
    expect(String(res.body)).toContain('needs the approver role');
    const shown = await stack.app.handle({
      ...req('GET', '/admin/templates/branding', {}),
      body: Buffer.alloc(0),
    });
    expect(shown.status).toBe(200);
    expect(String(shown.body)).not.toContain('Hijacked');
  });
});
