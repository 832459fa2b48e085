import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPreviewServer } from '../../../src/runtimes/cli/commands/editions-preview.ts';

const TEMPLATES = join(import.meta.dirname, '../../../templates');

/** Resolves with the first SSE data line after the stream opened. */
function nextEvent(url: string): { opened: Promise<void>; event: Promise<string>; close(): void } {
  let close = () => {};
  let opened!: () => void;
  const openedP = new Promise<void>((r) => {
    opened = r;
  });
  const event = new Promise<string>((resolve, reject) => {
    const req = request(url, (res) => {
      opened();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const m = /^data: (.*)$/m.exec(chunk);
        if (m) resolve(m[1] ?? '');
      });
    });
    req.on('error', reject);
    req.end();
    close = () => req.destroy();
  });
  return { opened: openedP, event, close: () => close() };
}

describe('preview server with live reload', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startPreviewServer>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gazette-preview-'));
    cpSync(TEMPLATES, dir, { recursive: true });
    server = await startPreviewServer({
      templatesDir: dir,
      languages: ['en', 'zh'],
      port: 0,
      model: async () => JSON.parse(readFileSync(join(dir, 'samples/edition.json'), 'utf8')),
    });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the rendered newsletter with dummy links and the reload script', async () => {
    const html = await (await fetch(`${server.url}?lang=zh`)).text();
    expect(html).toContain('近期活动');
    expect(html).toContain('Test Reader，您好');
    expect(html).toContain("new EventSource('/__events')");
    const text = await (await fetch(`${server.url}?view=text`)).text();
    expect(text).toContain('== Events ahead ==');
  });

  it('tells the browser to reload when a template changes, and shows the change', async () => {
    const sse = nextEvent(`${server.url}__events`);
    await sse.opened;
    const strings = join(dir, 'strings/en.json');
    writeFileSync(strings, readFileSync(strings, 'utf8').replace('"Events ahead"', '"Coming up"'));
    expect(await sse.event).toBe('reload');
    sse.close();
    expect(await (await fetch(server.url)).text()).toContain('Coming up');
  });

  it('shows a template error on the page instead of crashing, and recovers when it is fixed', async () => {
    const item = join(dir, 'partials/item.mjml');
    const good = readFileSync(item, 'utf8');
    writeFileSync(item, good.replace('{{title}}', '{{titel}}'));
    const broken = await (await fetch(server.url)).text();
    expect(broken).toContain('The template does not render');
    expect(broken).toContain('{{titel}} is not defined');
    writeFileSync(item, good);
    expect(await (await fetch(server.url)).text()).toContain('Member news');
  });
});
