import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import { DynamoStatsRepo } from '../../../src/adapters/dynamodb/stats-repo.ts';
import { DynamoSubscriberRepo } from '../../../src/adapters/dynamodb/subscriber-repo.ts';
import { createMjmlRenderer } from '../../../src/adapters/mjml/mjml-renderer.ts';
import { composeEditions, type EditionsApp } from '../../../src/app/editions.ts';
import { buildOutbound } from '../../../src/app/outbound.ts';
import { InvalidStateError, Subscriber, subscriberIdFor, type Update } from '../../../src/domain/index.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import { makeLinks } from '../../../src/use-cases/shared/links.ts';
import { startTestStack, TEST_TOKEN_SECRET } from '../../support/local-stack.ts';
import { anUpdate } from '../../unit/editions/fixtures.ts';

// 09:00 in Shanghai on the first day of Q2: when the quarterly schedule fires. The edition is titled by
// its items' quarter (Q1: January–March), not by the compile date.
let now = new Date('2026-04-01T01:00:00.000Z');
const clock: Clock = { now: () => now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

describe('editions on the embedded stack', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let editions: EditionsApp;
  const admin = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const res = await stack.admin(path, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T,
    };
  };
  const seed = async (u: Update) => {
    await stack.infra.table.put({
      ...keys.update(u.updateId),
      type: 'update',
      gsi1pk: `UPDATES#${u.status}`,
      gsi1sk: `${u.receivedAt}#${u.updateId}`,
      ...u,
    });
    return u;
  };

  const forum = anUpdate({
    updateId: 'u_forum',
    title: '亚太绿色公共采购论坛 2026',
    organisation: '中国环境联合认证中心',
    section: 'events',
    kind: 'event',
    event: { start: '2026-05-12T01:00:00.000Z', timeZone: 'Asia/Shanghai', location: '北京' },
    links: [
      { url: 'https://www.example.cn/forum' },
      { url: 'ftp://files.example.org/relative-link-dropped' },
    ],
    receivedAt: '2026-02-01T00:00:00.000Z',
  });
  const news = anUpdate({
    updateId: 'u_news',
    title: 'GPN Japan welcomes 12 members',
    receivedAt: '2026-03-01T00:00:00.000Z',
  });
  const pending = anUpdate({ updateId: 'u_pending', status: 'pending', title: 'Not moderated yet' });
  const tooOld = anUpdate({
    updateId: 'u_old',
    title: 'Received last year',
    receivedAt: '2025-11-01T00:00:00.000Z',
  });

  beforeAll(async () => {
    stack = await startTestStack({ env: { GAZETTE_FIRST_EDITION_NUMBER: '6' }, clock });
    editions = composeEditions(stack.infra, { subscribers: new DynamoSubscriberRepo(stack.infra.table) });
    for (const u of [forum, news, pending, tooOld]) await seed(u);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('compiles the approved updates of the window into draft edition 6 (the configured first number), one render per language', async () => {
    const res = await admin<{
      edition: { number: number; status: string; items: number; languages: string[] };
    }>('POST', '/admin/editions/compile', { from: '2026-01-01', to: '2026-03-31', wait: true });
    expect(res.status).toBe(201);
    expect(res.body.edition).toMatchObject({ number: 6, status: 'draft', items: 2, languages: ['en', 'zh'] });

    const e = await editions.lifecycle.show(6);
    expect(e.items.map((i) => [i.section, i.updateId])).toEqual([
      ['events', 'u_forum'],
      ['news', 'u_news'],
    ]);
    expect(e.windowStart).toBe('2025-12-31T16:00:00.000Z');
    expect(e.windowEnd).toBe('2026-03-31T16:00:00.000Z');
    const zh = e.variants.find((v) => v.language === 'zh');
    expect(zh?.subject).toBe('IGPN Gazette 第6期 · 2026年第1季度');
    const html = await stack.infra.blobs.content.getText(zh?.htmlKey ?? '');
    expect(html).toContain('亚太绿色公共采购论坛 2026');
    expect(html).toContain('近期活动');
    expect(html).toContain('href="https://www.example.cn/forum"');
    expect(html).not.toContain('relative-link-dropped');
    expect(html).toContain('{{unsubscribe_url}}');
    const text = await stack.infra.blobs.content.getText(zh?.textKey ?? '');
    expect(text).toContain('== 近期活动 ==');
    expect(text).toContain('地点: 北京');
  });

  it('recompiling replaces the open draft under the same number and drops the old files', async () => {
    const before = await editions.lifecycle.show(6);
    await seed(
      anUpdate({
        updateId: 'u_pub',
        section: 'publications',
        kind: 'publication',
        title: 'Textile guide',
        receivedAt: '2026-03-10T00:00:00.000Z',
      }),
    );
    now = new Date('2026-04-01T02:00:00.000Z');
    const again = await editions.compile({ requestedBy: 'test' });
    expect(again.number).toBe(6);
    expect(again.items.map((i) => i.updateId)).toEqual(['u_forum', 'u_news', 'u_pub']);
    expect(again.revision).not.toBe(before.revision);
    expect(await stack.infra.blobs.content.exists(before.variants[0]?.htmlKey ?? '')).toBe(false);
    expect((await editions.lifecycle.list()).map((x) => x.number)).toEqual([6]);
  });

  it('previews the HTML with dummy personal links, the raw placeholders, and the text part', async () => {
    const page = await admin<string>('GET', '/admin/editions/6/preview?lang=zh');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Test Reader，您好');
    expect(page.body).toContain('/v1/unsubscribe?token=PREVIEW');
    expect((await admin<string>('GET', '/admin/editions/6/preview?raw=1')).body).toContain(
      '{{unsubscribe_url}}',
    );
    const text = await admin<string>('GET', '/admin/editions/6/preview?format=text');
    expect(text.body).toMatch(/^IGPN Gazette · No\. 6/);
    const model = await admin<{ model: { sections: { id: string }[] } }>(
      'GET',
      '/admin/editions/6/model?lang=en',
    );
    expect(model.body.model.sections.map((s) => s.id)).toEqual(['events', 'news', 'publications']);
    expect((await fetch(`${stack.urls.api}/admin/editions/6/preview`)).status).toBe(401);
  });

  it('sends a test to chosen addresses, marked [TEST], personalised with dummy links, one per language', async () => {
    const res = await admin<{ sent: { to: string; language: string }[] }>(
      'POST',
      '/admin/editions/6/test-send',
      {
        to: 'editor@igpn.example, reviewer@igpn.example',
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.sent).toHaveLength(4);
    const mails = (await stack.sentMail()).filter((m) => m.destination.to.includes('reviewer@igpn.example'));
    expect(mails.map((m) => m.subject).sort()).toEqual([
      '[TEST] IGPN Gazette No. 6 · Q1 2026',
      '[TEST] IGPN Gazette 第6期 · 2026年第1季度',
    ]);
    for (const m of mails) {
      expect(m.body.html).toContain('TEST-LINK-DOES-NOTHING');
      expect(m.body.html).not.toMatch(/\{\{/);
      expect(m.body.text).toContain('reviewer@igpn.example');
    }
    const bad = await admin('POST', '/admin/editions/6/test-send', { to: 'not-an-address' });
    expect(bad.status).toBe(400);
  });

  it('lets nothing bulk-send a draft: the campaign source refuses until approval', async () => {
    expect(await editions.source.ready?.('edition#6')).toMatch(/draft: approve it before sending/);
    await expect(editions.source.prepare('edition#6')).rejects.toBeInstanceOf(InvalidStateError);
    const it = editions.source.recipients('edition#6')[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(/approve it before sending/);
  });

  it('approves only the revision that was previewed, records who and when, and only once', async () => {
    const stale = await admin('POST', '/admin/editions/6/approve', { revision: 'r_not_the_current_one' });
    expect(stale.status).toBe(409);
    const e = await editions.lifecycle.show(6);
    const ok = await admin<{ edition: { status: string; approvedBy: string; approvedAt: string } }>(
      'POST',
      '/admin/editions/6/approve',
      { revision: e.revision, by: 'Alice' },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.edition).toMatchObject({
      status: 'approved',
      approvedBy: 'local-admin (Alice)',
      approvedAt: now.toISOString(),
    });
    expect((await admin('POST', '/admin/editions/6/approve')).status).toBe(409);
    expect(await editions.source.ready?.('edition#6')).toBe(true);
  });

  it('gives the send engine confirmed subscribers of the audience and a personaliser choosing the language', async () => {
    const subs = new DynamoSubscriberRepo(stack.infra.table);
    const make = (email: string, over: Partial<Subscriber> = {}) =>
      Subscriber.parse({
        subscriberId: subscriberIdFor(email, TEST_TOKEN_SECRET),
        email,
        status: 'confirmed',
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        ...over,
      });
    await subs.create(make('wei@example.cn', { name: '张伟 <b>', language: 'zh-Hans' }));
    await subs.create(make('ana@example.org', { language: 'pt' }));
    await subs.create(make('reminders-only@example.org', { audiences: ['reminders'] }));
    await subs.create(make('left@example.org', { status: 'unsubscribed' }));

    const got: string[] = [];
    for await (const page of editions.source.recipients('edition#6')) got.push(...page.map((s) => s.email));
    expect(got.sort()).toEqual(['ana@example.org', 'wei@example.cn']);

    const personalise = await editions.source.prepare('edition#6');
    const links = makeLinks({ config: stack.config, secret: 'x'.repeat(32), now: () => now });
    const wei = (await subs.get(subscriberIdFor('wei@example.cn', TEST_TOKEN_SECRET))) as Subscriber;
    const msg = personalise(wei, links.recipientLinks(wei.subscriberId, 'newsletter'));
    expect(msg.subject).toBe('IGPN Gazette 第6期 · 2026年第1季度');
    expect(msg.from).toBe(stack.config.GAZETTE_FROM);
    expect(msg.to).toBe('wei@example.cn');
    expect(msg.html).toContain('张伟 &lt;b&gt;，您好');
    expect(msg.text).toContain('张伟 <b>，您好');
    expect(msg.html).toContain(links.unsubscribeUrl(wei.subscriberId, 'newsletter').replace(/&/g, '&amp;'));
    expect(msg.headers?.['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const ana = (await subs.get(subscriberIdFor('ana@example.org', TEST_TOKEN_SECRET))) as Subscriber;
    expect(personalise(ana, links.recipientLinks(ana.subscriberId)).subject).toBe(
      'IGPN Gazette No. 6 · Q1 2026',
    );
  });

  it('numbers the next edition 7 and leaves out the updates edition 6 already holds', async () => {
    await seed(
      anUpdate({
        updateId: 'u_late',
        title: 'Arrived after approval',
        receivedAt: '2026-03-20T00:00:00.000Z',
      }),
    );
    const next = await editions.compile({
      requestedBy: 'test',
      windowStart: new Date('2026-01-01T00:00:00Z'),
    });
    expect(next.number).toBe(7);
    expect(next.items.map((i) => i.updateId)).toEqual(['u_late']);
  });

  it('cancels a draft (its number is not reused) but refuses to cancel while sending', async () => {
    const c = await admin<{ edition: { status: string } }>('POST', '/admin/editions/7/cancel');
    expect(c.body.edition.status).toBe('cancelled');
    const eight = await editions.compile({
      requestedBy: 'test',
      windowStart: new Date('2026-01-01T00:00:00Z'),
    });
    expect(eight.number).toBe(8);
    expect(eight.items.map((i) => i.updateId)).toEqual(['u_late']);

    await editions.setSendStatus(6, 'sending');
    const refused = await admin<{ message: string }>('POST', '/admin/editions/6/cancel');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/pause it first/);
  });

  it('publishes a finished send to the public archive: pages, index and Atom feed, with no personal data', async () => {
    const { url } = await editions.publishArchive(6);
    expect(url).toBe(`${stack.config.GAZETTE_ARCHIVE_URL}/editions/6/`);
    const e = await editions.lifecycle.show(6);
    expect(e).toMatchObject({ status: 'sent', archiveUrl: url });

    const page = await fetch(`${stack.urls.archive}editions/6/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('亚太绿色公共采购论坛 2026');
    for (const personal of ['{{', 'unsubscribe', 'preferences', 'Test Reader', 'token='])
      expect(html).not.toContain(personal);
    expect(html).not.toMatch(/<img[^>]+(pixel|open|track)/i);
    expect((await fetch(`${stack.urls.archive}editions/6/zh.html`)).status).toBe(200);

    const index = await (await fetch(stack.urls.archive)).text();
    expect(index).toContain('IGPN Gazette No. 6 · Q1 2026');
    expect(index).not.toContain('edition 8');
    const feed = await (await fetch(`${stack.urls.archive}feed.xml`)).text();
    expect(feed).toMatch(/^<\?xml[^>]*>\s*<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom">/);
    expect(feed).toContain(`<id>${url}</id>`);
    expect(feed.match(/<entry>/g)).toHaveLength(1);

    const published = await stack.infra.table.get<{ status: string; editionNumber: number; gsi1pk: string }>(
      keys.update('u_forum'),
    );
    expect(published).toMatchObject({ status: 'published', editionNumber: 6, gsi1pk: 'UPDATES#published' });
    // Idempotent: a second publish rewrites the same objects.
    await editions.publishArchive(6);
  });

  it('refuses to archive an edition that was never sent', async () => {
    await expect(editions.publishArchive(8)).rejects.toThrow(/only a sent edition/);
  });

  it('reports the stats counters of an edition', async () => {
    await new DynamoStatsRepo(stack.infra.table).increment('edition#6', { sent: 2, delivered: 1, opened: 1 });
    const res = await admin<{ stats: Record<string, number> }>('GET', '/admin/editions/6/stats');
    expect(res.body.stats).toMatchObject({
      sent: 2,
      delivered: 1,
      opened: 1,
      bounced: 0,
      suppressedSkipped: 0,
    });
    expect((await admin('GET', '/admin/editions/99/stats')).status).toBe(404);
  });

  it('compiles in the background when asked to, and records the outcome for the CLI to poll', async () => {
    now = new Date('2026-04-02T01:00:00.000Z');
    const res = await admin<{ accepted: boolean; requestedAt: string }>(
      'POST',
      '/admin/editions/compile',
      {},
    );
    expect(res.status).toBe(202);
    await stack.idle();
    const list = await admin<{
      editions: { number: number; status: string }[];
      lastCompile: { ok: boolean; number: number; by: string; at: string };
    }>('GET', '/admin/editions');
    expect(list.body.lastCompile).toMatchObject({
      ok: true,
      number: 8,
      by: 'local-admin',
      at: res.body.requestedAt,
    });
    expect(list.body.editions.map((e) => `${e.number}:${e.status}`)).toEqual([
      '8:draft',
      '7:cancelled',
      '6:sent',
    ]);
  });

  it('refuses a compile with no approved updates left, with a message, instead of an empty draft', async () => {
    await editions.lifecycle.approve(8, 'test');
    const before = (await editions.lifecycle.list()).map((e) => e.number);
    await expect(editions.compile({ requestedBy: 'scheduler' })).rejects.toThrow(
      /no approved updates to publish .*approve member updates first.*no edition was created/,
    );
    expect((await editions.lifecycle.list()).map((e) => e.number)).toEqual(before);
  });

  it('never opens two drafts when two compiles race: both end up in the same number', async () => {
    // Something to publish: a compile with nothing approved is refused (test above).
    await seed(anUpdate({ updateId: 'u_race', title: 'Race', receivedAt: '2026-03-28T00:00:00.000Z' }));
    const [a, b] = await Promise.all([
      editions.compile({ requestedBy: 'scheduler' }),
      editions.compile({ requestedBy: 'secretariat' }),
    ]);
    expect([a.number, b.number]).toEqual([9, 9]);
    const drafts = (await editions.lifecycle.list()).filter((e) => e.status === 'draft');
    expect(drafts.map((e) => e.number)).toEqual([9]);
  });

  it('answers a bad window with a clear 400', async () => {
    const res = await admin<{ message: string }>('POST', '/admin/editions/compile', {
      from: '2026-04-01',
      to: '2026-01-01',
      wait: true,
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/must be before its end/);
  });

  it('mirrors a cancelled send on its edition instead of leaving it "sending" for good', async () => {
    // No plan runs here (the job runner does nothing): the send is running until it is cancelled.
    const outbound = buildOutbound({ ...stack.infra, jobs: { run: async () => {} } });
    await outbound.sending.startSend('edition#8', 'cli:alice');
    expect((await editions.lifecycle.show(8)).status).toBe('sending');
    await outbound.sending.cancel('edition#8', 'cli:alice');
    const e = await editions.lifecycle.show(8);
    expect(e).toMatchObject({ status: 'cancelled', cancelledAt: now.toISOString() });
  });

  it('cancelling a paused edition cancels its send job too, so no resume or rerun can mail it', async () => {
    const outbound = buildOutbound({ ...stack.infra, jobs: { run: async () => {} } });
    await editions.lifecycle.approve(9, 'test');
    await outbound.sending.startSend('edition#9', 'cli:alice');
    await outbound.sending.pause('edition#9', 'cli:alice');
    expect((await editions.lifecycle.show(9)).status).toBe('paused');

    const res = await admin<{ edition: { status: string } }>('POST', '/admin/editions/9/cancel');
    expect(res.body.edition.status).toBe('cancelled');
    const job = await outbound.sending.status('edition#9');
    expect(job.status).toBe('cancelled');
    await expect(outbound.sending.resume('edition#9', 'cli:alice')).rejects.toThrow();
    expect((await outbound.sending.status('edition#9')).status).toBe('cancelled');
  });

  it('cancelling an approved edition whose send already runs (its status mirror failed) cancels that send', async () => {
    await seed(
      anUpdate({ updateId: 'u_ten', title: 'For edition ten', receivedAt: '2026-03-25T00:00:00.000Z' }),
    );
    const ten = await editions.compile({
      requestedBy: 'test',
      windowStart: new Date('2026-01-01T00:00:00Z'),
    });
    await editions.lifecycle.approve(ten.number, 'test');
    const outbound = buildOutbound({ ...stack.infra, jobs: { run: async () => {} } });
    await outbound.sending.startSend(`edition#${ten.number}`, 'cli:alice');
    // The onStatusChange mirror is best effort: say it failed, so the edition still reads "approved".
    const e = await editions.lifecycle.show(ten.number);
    await editions.repo.save({ ...e, status: 'approved' }, ['sending']);

    await editions.lifecycle.cancel(ten.number, 'cli:alice');
    expect((await outbound.sending.status(`edition#${ten.number}`)).status).toBe('cancelled');
  });

  it('answers a preview of an edition with no rendered variant with a clear 404, not a 500', async () => {
    const seven = await editions.lifecycle.show(7);
    await editions.repo.save({ ...seven, variants: [] }, [seven.status]);
    const res = await admin<{ message: string }>('GET', '/admin/editions/7/preview');
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/edition 7 has no rendered content/);
    expect((await admin('GET', '/admin/editions/7/model')).status).toBe(404);
  });

  it('refuses the archive copy as text (it is HTML only) instead of labelling its HTML text/plain', async () => {
    const res = await admin<{ message: string }>('GET', '/admin/editions/6/preview?archive=1&format=text');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/archive copy is HTML only/);
    const page = await stack.admin('/admin/editions/6/preview?archive=1');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('says what is wrong when a subject in strings/*.json holds a per-recipient placeholder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gazette-subject-'));
    try {
      cpSync(join(import.meta.dirname, '../../../templates'), dir, { recursive: true });
      const file = join(dir, 'strings/en.json');
      const strings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...strings, subject: `{{name}}, ${strings.subject}` }));
      const withName = composeEditions(
        { ...stack.infra, renderer: () => createMjmlRenderer({ templatesDir: dir }) },
        { subscribers: new DynamoSubscriberRepo(stack.infra.table) },
      );
      await seed(
        anUpdate({ updateId: 'u_subject', title: 'Subject test', receivedAt: '2026-03-26T00:00:00.000Z' }),
      );
      const err = await withName
        .compile({ requestedBy: 'test', windowStart: new Date('2026-01-01T00:00:00Z') })
        .catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/en subject .*strings\/en\.json.* \{\{name\}\}/);
      expect((err as Error).message).not.toMatch(/wrap it in/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
