import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import { startTestStack } from '../../support/local-stack.ts';
import { anUpdate } from '../../unit/editions/fixtures.ts';

const now = new Date('2026-04-01T01:00:00.000Z');
const clock: Clock = { now: () => now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
const ITEM = readFileSync(new URL('../../../templates/partials/item.mjml', import.meta.url), 'utf8');
/** partials/item.mjml with a visible mark after the organisation. */
const marked = (mark: string) => ITEM.replace('{{organisation}}</p>', `{{organisation}} · ${mark}</p>`);

interface Problem {
  file: string;
  line?: number;
  message: string;
}
interface Failure {
  error: string;
  message: string;
  details?: { problems?: Problem[]; currentVersion?: number };
}
interface Saved {
  saved: { version: number; savedBy: string; changed: string[]; restores?: number };
  unchanged: boolean;
}

describe('edition templates in the content store', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const call = <T>(method: string, path: string, body?: unknown) => stack.call<T>(method, path, body);
  const save = (files: Record<string, string | null>, baseVersion?: number) =>
    call<Saved & Failure>('PUT', '/admin/templates', { files, baseVersion });
  const version = async () => (await call<{ version: number }>('GET', '/admin/templates')).body.version;
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
    const u = anUpdate({ updateId: 'u_tpl', title: 'Template news', receivedAt: '2026-02-01T00:00:00.000Z' });
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

  it('starts from the templates/ folder as version 0, every editable file listed and readable', async () => {
    const res = await stack.admin('/admin/templates');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"0"');
    const list = (await res.json()) as { version: number; source: string; files: { name: string }[] };
    expect(list).toMatchObject({ version: 0, source: 'folder' });
    const names = list.files.map((f) => f.name);
    for (const f of [
      'edition.mjml',
      'edition.txt',
      'partials/item.mjml',
      'strings/zh.json',
      'system/layout.mjml',
    ])
      expect(names).toContain(f);
    expect(names).not.toContain('README.md');
    const file = await call<{ content: string; version: number }>(
      'GET',
      '/admin/templates/file?name=partials/item.mjml',
    );
    expect(file.body).toEqual({ name: 'partials/item.mjml', version: 0, content: ITEM });
    expect((await call('GET', '/admin/templates/file?name=../secrets.json')).status).toBe(400);
  });

  it('previews proposed files with the sample content when there is no draft, saving nothing', async () => {
    const res = await call<{ html: string; edition: number | null; baseVersion: number; checked: string[] }>(
      'POST',
      '/admin/templates/preview',
      { files: { 'partials/item.mjml': marked('PREVIEW-MARK') } },
    );
    expect(res.status).toBe(200);
    expect(res.body.edition).toBeNull();
    expect(res.body.html).toContain('PREVIEW-MARK');
    expect(res.body.html).toContain('Asia-Pacific Green Public Procurement Forum 2026'); // samples/edition.json
    expect(res.body.checked).toEqual(expect.arrayContaining(['en', 'zh']));
    expect(await version()).toBe(0);
  });

  it("refuses a file mjml rejects, naming the file, the line and mjml's message; nothing is saved", async () => {
    const bad = ITEM.replace('css-class="gz-img"', 'css-class="gz-img" colour="red"');
    const res = await save({ 'partials/item.mjml': bad }, 0);
    expect(res.status).toBe(422);
    const line = bad.split('\n').findIndex((l) => l.includes('colour="red"')) + 1;
    expect(res.body.details?.problems).toEqual([
      { file: 'partials/item.mjml', line, message: expect.stringMatching(/mj-image.*colour.*illegal/) },
    ]);
    expect(res.body.message).toContain(`partials/item.mjml:${line}`);
    expect(await version()).toBe(0);
    expect((await call<{ versions: unknown[] }>('GET', '/admin/templates/versions')).body.versions).toEqual(
      [],
    );
  });

  it('refuses a broken placeholder or a missing partial found by rendering the set', async () => {
    const typo = await save({ 'partials/item.mjml': ITEM.replace('{{organisation}}', '{{organisaton}}') }, 0);
    expect(typo.status).toBe(422);
    expect(typo.body.details?.problems?.[0]).toMatchObject({
      file: 'partials/item.mjml',
      line: ITEM.split('\n').findIndex((l) => l.includes('{{organisation}}')) + 1,
      message: expect.stringContaining('{{organisaton}} is not defined'),
    });
    const edition = (await call<{ content: string }>('GET', '/admin/templates/file?name=edition.mjml')).body
      .content;
    const missing = await save({ 'edition.mjml': edition.replace('{{> header}}', '{{> headr}}') }, 0);
    expect(missing.status).toBe(422);
    expect(missing.body.message).toContain('headr');
    const dropped = await save({ 'strings/zh.json': null }, 0);
    expect(dropped.status).toBe(422);
    expect(dropped.body.details?.problems).toEqual([
      { file: 'strings/zh.json', message: expect.stringContaining('GAZETTE_EDITION_LANGUAGES has "zh"') },
    ]);
    const json = await save({ 'strings/en.json': '{ "subject": "x", }' }, 0);
    expect(json.status).toBe(422);
    expect(json.body.details?.problems?.[0]).toMatchObject({ file: 'strings/en.json', line: 1 });
    expect(await version()).toBe(0);
  });

  it("previews with the open draft's real content, then a save applies from the next compile", async () => {
    expect(await compiledHtml()).not.toContain('SAVED-MARK');
    const preview = await call<{ html: string; edition: number }>('POST', '/admin/templates/preview', {
      files: { 'partials/item.mjml': marked('SAVED-MARK') },
      lang: 'zh',
    });
    expect(preview.status).toBe(200);
    expect(preview.body.edition).toBeGreaterThan(0);
    expect(preview.body.html).toContain('Template news');
    expect(preview.body.html).toContain('SAVED-MARK');
    expect(preview.body.html).toContain('lang="zh"');
    expect(await compiledHtml()).not.toContain('SAVED-MARK'); // a preview applies nothing

    const res = await save({ 'partials/item.mjml': marked('SAVED-MARK') }, 0);
    expect(res.status).toBe(201);
    expect(res.body.saved).toMatchObject({
      version: 1,
      savedBy: 'local-admin',
      changed: ['partials/item.mjml'],
    });
    expect(await compiledHtml()).toContain('SAVED-MARK');
    const file = await call<{ content: string; version: number }>(
      'GET',
      '/admin/templates/file?name=partials/item.mjml',
    );
    expect(file.body).toMatchObject({ version: 1, content: marked('SAVED-MARK') });
    const list = await call<{ source: string; differsFromFolder: string[] }>('GET', '/admin/templates');
    expect(list.body).toMatchObject({ source: 'store', differsFromFolder: ['partials/item.mjml'] });
  });

  it("refuses a save made on an older version (409), keeping the colleague's version", async () => {
    const stale = await save({ 'partials/item.mjml': marked('STALE-MARK') }, 0);
    expect(stale.status).toBe(409);
    expect(stale.body.details?.currentVersion).toBe(1);
    expect(stale.body.message).toMatch(/version 1 was saved by local-admin/);
    const missing = await save({ 'partials/item.mjml': marked('NO-BASE') });
    expect(missing.status).toBe(400);
    expect(await compiledHtml()).toContain('SAVED-MARK');
  });

  it('takes the base version from If-Match, and lets only one of two simultaneous saves win', async () => {
    const res = await stack.admin('/admin/templates', {
      method: 'PUT',
      headers: { 'if-match': '"1"' },
      body: JSON.stringify({ files: { 'partials/item.mjml': marked('IFMATCH-MARK') } }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"2"');
    const [a, b] = await Promise.all([
      save({ 'partials/item.mjml': marked('RACE-A') }, 2),
      save({ 'partials/item.mjml': marked('RACE-B') }, 2),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const winner = a.status === 201 ? 'RACE-A' : 'RACE-B';
    const file = await call<{ content: string; version: number }>(
      'GET',
      '/admin/templates/file?name=partials/item.mjml',
    );
    expect(file.body).toMatchObject({ version: 3, content: marked(winner) });
  });

  it('keeps every version and rolls back to one (the folder is version 0) as a new version', async () => {
    const list = await call<{ current: number; versions: Saved['saved'][] }>(
      'GET',
      '/admin/templates/versions',
    );
    expect(list.body.current).toBe(3);
    expect(list.body.versions.map((v) => v.version)).toEqual([3, 2, 1]);
    const back = await call<Saved>('POST', '/admin/templates/rollback', { version: 1, baseVersion: 3 });
    expect(back.status).toBe(201);
    expect(back.body.saved).toMatchObject({ version: 4, restores: 1 });
    expect(await compiledHtml()).toContain('SAVED-MARK');
    const folder = await call<Saved>('POST', '/admin/templates/rollback', { version: 0, baseVersion: 4 });
    expect(folder.body.saved).toMatchObject({ version: 5, restores: 0 });
    const html = await compiledHtml();
    expect(html).not.toContain('SAVED-MARK');
    expect(html).toContain('Template news');
    expect((await call('POST', '/admin/templates/rollback', { version: 42, baseVersion: 5 })).status).toBe(
      404,
    );
  });

  it('gives readers of a language whose strings were saved in the store their own variant', async () => {
    const en = (await call<{ content: string }>('GET', '/admin/templates/file?name=strings/en.json')).body
      .content;
    const fr = JSON.parse(en) as Record<string, unknown>;
    fr.subject = 'La Gazette IGPN n° {{edition.number}}';
    const base = await version();
    expect((await save({ 'strings/fr.json': JSON.stringify(fr, null, 2) }, base)).status).toBe(201);
    const rows = [{ line: 2, values: { email: 'dupont@ademe.example', language: 'fr', consent: 'yes' } }];
    const imported = await call<{ imported: number }>('POST', '/admin/subscribers/import', { rows });
    expect(imported.body.imported).toBe(1);
    const res = await call<{ edition: { languages: string[] } }>('POST', '/admin/editions/compile', {
      from: '2026-01-01',
      to: '2026-03-31',
      wait: true,
    });
    expect(res.body.edition.languages).toContain('fr');
  });
});
