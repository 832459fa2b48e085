/**
 * Issue 15 over the admin API of the embedded stack: PATCH edits without approving, every answer carries
 * the update's version (and ETag), If-Match is optional but a stale one is 412, and bulk approve/reject.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult, Update } from '../../../src/domain/index.ts';
import { mail } from '../../fixtures/inbound/index.ts';
import { startTestStack } from '../../support/local-stack.ts';

type Stack = Awaited<ReturnType<typeof startTestStack>>;
type Viewed = Update & { version: number };

describe('editing in moderation over the admin API', () => {
  let stack: Stack;
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await stack.admin(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, etag: res.headers.get('etag'), body: (await res.json()) as Viewed };
  };
  const ingest = async (subject: string, body = 'News from our network.'): Promise<string> => {
    const r = (await stack.app.ingest.receiveRaw(mail({ subject, body }), {
      from: 'news@greenbuy.example',
      to: [],
    })) as IngestResult;
    expect(r.outcome).toBe('accepted');
    return r.updateId as string;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    const res = await stack.admin('/admin/members', {
      method: 'POST',
      body: JSON.stringify({
        organisation: 'GreenBuy e.V.',
        type: 'network',
        country: 'Germany',
        senders: ['news@greenbuy.example'],
      }),
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('edits every field without approving, with the version in the answer and as ETag', async () => {
    const id = await ingest('Webinar on green ICT');
    const shown = await send('GET', `/admin/updates/${id}`);
    expect(shown.body.version).toBe(1);
    expect(shown.etag).toBe('"1"');
    const edited = await send(
      'PATCH',
      `/admin/updates/${id}`,
      {
        title: 'Webinar: green ICT criteria',
        summary: 'Agenda:\n1. Welcome\n2. Criteria',
        kind: 'event',
        event: { start: '2026-03-17T17:00:00+01:00', timeZone: 'Europe/Berlin', location: 'Online' },
        links: [{ url: 'https://greenbuy.example/register', label: 'Register' }],
      },
      { 'if-match': shown.etag as string },
    );
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      status: 'pending',
      version: 2,
      summary: 'Agenda:\n1. Welcome\n2. Criteria',
      section: 'events',
      event: { location: 'Online', timeZone: 'Europe/Berlin' },
    });
    expect(edited.etag).toBe('"2"');
    const listed = await send('GET', '/admin/updates');
    const inList = (listed.body as unknown as { updates: Viewed[] }).updates.find((u) => u.updateId === id);
    expect(inList?.version).toBe(2);
  });

  it('refuses a stale If-Match with 412 and keeps the newer edit; without If-Match it works as before', async () => {
    const id = await ingest('Forum 2026');
    const first = await send('PATCH', `/admin/updates/${id}`, { title: 'Alice' }, { 'if-match': '"1"' });
    expect(first.status).toBe(200);
    const stale = await send('PATCH', `/admin/updates/${id}`, { title: 'Bob' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ error: 'precondition_failed', details: { version: 2 } });
    const staleApprove = await send('POST', `/admin/updates/${id}/approve`, {}, { 'if-match': 'W/"1"' });
    expect(staleApprove.status).toBe(412);
    const staleReject = await send(
      'POST',
      `/admin/updates/${id}/reject`,
      { reason: 'x' },
      { 'if-match': '1' },
    );
    expect(staleReject.status).toBe(412);
    expect((await send('GET', `/admin/updates/${id}`)).body).toMatchObject({
      title: 'Alice',
      status: 'pending',
    });
    expect((await send('PATCH', `/admin/updates/${id}`, { title: 'x' }, { 'if-match': 'abc' })).status).toBe(
      400,
    );
    // The console's calls: no If-Match, the same bodies and answers as before.
    const approved = await send('POST', `/admin/updates/${id}/approve`, { title: 'Forum 2026 in Bonn' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', title: 'Forum 2026 in Bonn', version: 4 });
  });

  it('approves and rejects many at once, reporting each', async () => {
    const a = await ingest('One');
    const b = await ingest('Two');
    const approved = await send('POST', '/admin/updates/bulk', {
      action: 'approve',
      updateIds: [a, b, 'u_none'],
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      ok: 2,
      failed: 1,
      results: [
        { updateId: a, ok: true, status: 'approved' },
        { updateId: b, ok: true, status: 'approved' },
        { updateId: 'u_none', ok: false, error: 'not_found' },
      ],
    });
    expect((await send('POST', '/admin/updates/bulk', { action: 'reject', updateIds: [a] })).status).toBe(
      400,
    );
    const rejected = await send('POST', '/admin/updates/bulk', {
      action: 'reject',
      updateIds: [a, b],
      reason: 'Out of scope',
    });
    expect(rejected.body).toMatchObject({ ok: 2, failed: 0 });
    expect((await send('GET', `/admin/updates/${b}`)).body).toMatchObject({
      status: 'rejected',
      reason: 'Out of scope',
    });
  });

  it('tells the member once of an approval, a rejection with its reason, and a publication with the archive link', async () => {
    const id = await ingest('Textile guide 2026');
    const mine = async () =>
      (await stack.sentMail()).filter(
        (m) => m.destination.to.includes('news@greenbuy.example') && /Textile guide 2026/.test(m.subject),
      );
    const acks = (await mine()).length; // the acknowledgement of the mail itself
    await send('POST', `/admin/updates/${id}/reject`, { reason: 'Please send the English version' });
    await send('POST', `/admin/updates/${id}/approve`, {});
    await send('POST', `/admin/updates/${id}/approve`, {});
    await stack.app.inbound.markPublished(id, 9, 'system:editions');
    await stack.app.inbound.markPublished(id, 9, 'system:editions');
    const notices = (await mine()).slice(acks);
    expect(notices.map((m) => m.subject)).toEqual([
      'Not accepted: Textile guide 2026',
      'Approved: Textile guide 2026',
      'Published: Textile guide 2026',
    ]);
    expect(notices[0]?.body.text).toContain('Reason: Please send the English version');
    const archive = `${stack.config.GAZETTE_ARCHIVE_URL}/editions/9/`;
    expect(notices[2]?.body.text).toContain(archive);
    expect(notices[2]?.body.html).toContain(`href="${archive}"`);
  });
});
