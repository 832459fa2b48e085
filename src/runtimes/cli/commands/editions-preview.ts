/**
 * `gazette editions preview`: a local web page showing the newsletter as rendered from templates/ right
 * now, re-rendered and reloaded in the browser whenever a template, partial or strings file changes
 * (a tiny Server-Sent Events endpoint, no dependencies). Data: a compiled edition's stored template data
 * (fetched once from the admin API) or templates/samples/<template>.json.
 */

import { once } from 'node:events';
import { type FSWatcher, watch } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMjmlRenderer } from '../../../adapters/mjml/mjml-renderer.ts';
import { personalise } from '../../../use-cases/editions/personalise.ts';

export interface PreviewOptions {
  /** Template data per language (called on every render: cache it yourself if it is remote). */
  model: (lang: string) => Promise<Record<string, unknown>>;
  languages: string[];
  host?: string;
  port?: number;
  templatesDir?: string;
  template?: string;
  publicUrl?: string;
}

const RELOAD_SCRIPT = `<script>(function(){var s=new EventSource('/__events');s.onmessage=function(){location.reload()};})();</script>`;

export async function startPreviewServer(o: PreviewOptions) {
  const renderer = await createMjmlRenderer({ templatesDir: o.templatesDir, watch: true });
  const template = o.template ?? 'edition';
  const clients = new Set<ServerResponse>();
  const base = (o.publicUrl ?? 'http://127.0.0.1:8787').replace(/\/$/, '');
  const values = {
    name: 'Test Reader',
    email: 'reader@example.org',
    unsubscribe_url: `${base}/v1/unsubscribe?token=PREVIEW`,
    preferences_url: `${base}/v1/preferences?token=PREVIEW`,
  };

  const toolbar = (lang: string, view: string) => {
    const link = (href: string, label: string, on: boolean) =>
      `<a href="${href}" style="color:${on ? '#fff' : '#c8e6c9'};margin-right:12px">${label}</a>`;
    const langs = o.languages.map((l) => link(`/?lang=${l}`, l, view === 'html' && l === lang)).join('');
    return `<div style="position:sticky;bottom:0;background:#263238;color:#fff;font:13px sans-serif;padding:8px 12px">preview · ${langs}${link(`/?lang=${lang}&view=archive`, 'archive copy', view === 'archive')}${link(`/?lang=${lang}&view=text`, 'plain text', view === 'text')}<span style="color:#90a4ae">reloads when templates/ change</span></div>`;
  };

  const page = async (lang: string, view: string): Promise<string> => {
    try {
      const data = await o.model(lang);
      const out = await renderer.render(template, { ...data, lang, archive: view === 'archive' });
      if (view === 'text') {
        const text = personalise(out.text, values, 'text').replace(
          /[&<>]/g,
          (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c,
        );
        return `<!doctype html><meta charset="utf-8"><pre style="white-space:pre-wrap;font:14px/1.5 monospace;padding:16px;max-width:80ch">${text}</pre>${toolbar(lang, view)}${RELOAD_SCRIPT}`;
      }
      const html = personalise(out.html, values, 'html');
      return html.replace(/<\/body>/i, `${toolbar(lang, view)}${RELOAD_SCRIPT}</body>`);
    } catch (e) {
      const msg = String((e as Error)?.message ?? e).replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
      return `<!doctype html><meta charset="utf-8"><title>template error</title><body style="font:14px sans-serif;padding:16px"><h1 style="color:#b71c1c">The template does not render</h1><pre style="white-space:pre-wrap;background:#fff3f3;padding:12px">${msg}</pre><p>Fix the file and save: this page reloads by itself.</p>${RELOAD_SCRIPT}</body>`;
    }
  };

  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://preview');
    if (u.pathname === '/__events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.write('retry: 1000\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (u.pathname !== '/') {
      res.writeHead(404).end();
      return;
    }
    const lang = u.searchParams.get('lang') ?? o.languages[0] ?? 'en';
    const body = await page(lang, u.searchParams.get('view') ?? 'html');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  });
  server.listen(o.port ?? 8790, o.host ?? '127.0.0.1');
  await once(server, 'listening');

  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(renderer.templatesDir, { recursive: true }, () => {
    // Editors save in bursts (temp file, rename, chmod): reload once.
    clearTimeout(timer);
    timer = setTimeout(() => {
      for (const c of clients) c.write(`data: reload\n\n`);
    }, 100);
  });

  const url = `http://${o.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    templatesDir: renderer.templatesDir,
    async stop() {
      clearTimeout(timer);
      watcher.close();
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
