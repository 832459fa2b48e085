/**
 * Console benchmarks (called by bench/run.ts, issue 13):
 *   console_first_load_js_gzip_kb   the JavaScript a first visit loads (index.html's module scripts and
 *                                   modulepreloads), gzipped as served over the wire, after `vite build`
 *   moderation_render_ms_1000       Chromium: from the moment the last of the 1,000 updates' answers has
 *                                   arrived to the first frame painted with the queue of 1,000 (its count
 *                                   and first rows; more rows are added as the list is scrolled)
 *   moderation_filter_ms_1000       Chromium: from typing in the search box to the frame painted with the
 *                                   filtered list (median of 5 searches)
 * The updates are real: 1,000 pending updates in the embedded stack's table, served by the admin API and
 * the console under /console/ exactly as `npm start` does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DynamoUpdateRepo } from '../src/adapters/dynamodb/update-repo.ts';
import { Update } from '../src/domain/index.ts';
import { CONSOLE_DIST } from '../src/runtimes/local/console-serving.ts';
import { sampleUpdates } from './editions.ts';
import { startBenchStack } from './support.ts';

const N = 1000;
const CHROMIUM = '/usr/bin/chromium';

// Evaluated inside Chromium; the project compiles without the DOM lib, so these are declared loosely.
// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate callbacks
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate callbacks
declare const document: any;
// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate callbacks
declare const requestAnimationFrame: any;

export async function buildConsoleBundle(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(import.meta.dirname, '../console/vite.config.ts'), logLevel: 'warn' });
}

/** Gzipped bytes of the scripts a first visit fetches: those index.html names, not lazily loaded chunks. */
export function firstLoadJsGzipBytes(dist = CONSOLE_DIST): { gzip: number; files: string[] } {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const refs = [
    ...html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g),
  ].map((m) => m[1] as string);
  const files = [...new Set(refs)].map((src) => src.replace(/^\/console\//, ''));
  const gzip = files.reduce((n, f) => n + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0);
  return { gzip, files };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const round1 = (x: number) => Math.round(x * 10) / 10;

export async function benchConsole(): Promise<Record<string, unknown>> {
  await buildConsoleBundle();
  const first = firstLoadJsGzipBytes();
  const { chromium } = await import('playwright-core');
  const stack = await startBenchStack();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const repo = new DynamoUpdateRepo(stack.infra.table);
    const updates = sampleUpdates(N).map((u) => Update.parse({ ...u, status: 'pending' }));
    for (let i = 0; i < updates.length; i += 50)
      await Promise.all(updates.slice(i, i + 50).map((u) => repo.create(u)));

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Before any page script: note when the console has read each answer of /admin/updates, and when the
    // list first holds `want` items (then wait for the frame that paints it).
    await page.addInitScript(() => {
      const w = window;
      w.__bench = { lastUpdates: 0, listed: 0 };
      const orig = w.fetch.bind(w);
      w.fetch = async (...args: unknown[]) => {
        const res = await orig(...args);
        if (String(args[0]).includes('/admin/updates')) {
          const text = res.text.bind(res);
          res.text = async () => {
            const body = await text();
            w.__bench.lastUpdates = performance.now();
            return body;
          };
        }
        return res;
      };
    });
    const code = (await (
      await fetch(`${stack.urls.api}/admin/console/sign-in-codes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.secrets.adminToken}`, 'content-type': 'application/json' },
        body: '{}',
      })
    ).json()) as { url: string };
    await page.goto(code.url);
    await page.getByRole('link', { name: 'Moderation' }).waitFor();

    // Render: open the moderation page (a client-side navigation, as a user clicking "Moderation"), three
    // times (back to the dashboard in between); the median, as the machine may be busy with other work.
    const renders: { painted: number; committed: number; rows: number }[] = [];
    for (let run = 0; run < 3; run++) {
      if (run > 0) {
        await page.getByRole('link', { name: 'Dashboard' }).click();
        await page.getByRole('heading', { name: 'What needs you now' }).waitFor();
      }
      await page.evaluate((want: number) => {
        const w = window;
        w.__bench.listed = 0;
        // Rendered: the queue says it holds all of them and its first rows are in the list (the list grows
        // as it is scrolled: console/src/pages/moderation.tsx).
        const obs = new w.MutationObserver(() => {
          const count = document.querySelector('.queue .count')?.textContent ?? '';
          if (!count.startsWith(`${want} `) || !document.querySelector('.update-list li')) return;
          obs.disconnect();
          w.__bench.committed = performance.now();
          requestAnimationFrame(() =>
            setTimeout(() => {
              w.__bench.listed = performance.now();
            }, 0),
          );
        });
        obs.observe(document.body, { childList: true, subtree: true });
      }, N);
      await page.getByRole('link', { name: 'Moderation' }).click();
      await page.waitForFunction(() => window.__bench.listed > 0, undefined, { timeout: 60_000 });
      renders.push(
        (await page.evaluate(() => {
          const b = window.__bench;
          return {
            painted: b.listed - b.lastUpdates,
            committed: b.committed - b.lastUpdates,
            rows: document.querySelectorAll('.update-list li').length,
          };
        })) as { painted: number; committed: number; rows: number },
      );
    }
    const render = median(renders.map((r) => r.painted));

    // Filter: type a search, time to the painted result; a few different searches, the median.
    const searches = ['case study 1', '绿色', 'study 99', 'ICLEI', ''];
    const filters: number[] = [];
    for (const q of searches) {
      const r = (await page.evaluate(async (text: string) => {
        const input = document.querySelector('.filters input[type=search]');
        const t0 = performance.now();
        input.value = text;
        input.dispatchEvent(new window.Event('input', { bubbles: true }));
        await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
        const count = document.querySelector('.queue .count')?.textContent ?? '';
        return { ms: performance.now() - t0, shown: Number.parseInt(count, 10) };
      }, q)) as { ms: number; shown: number };
      if (q === '' && r.shown !== N) throw new Error(`cleared search shows ${r.shown} of ${N} updates`);
      filters.push(r.ms);
    }
    return {
      console_first_load_js_gzip_kb: round1(first.gzip / 1024),
      moderation_render_ms_1000: round1(render),
      moderation_filter_ms_1000: round1(median(filters)),
      console_details: {
        first_load_files: first.files,
        updates: N,
        rows_rendered_first: renders[0]?.rows,
        render_ms_each: renders.map((r) => round1(r.painted)),
        render_committed_ms_each: renders.map((r) => round1(r.committed)),
        filter_ms_each: filters.map(round1),
        searches,
      },
    };
  } finally {
    await browser.close();
    await stack.stop({ drain: false });
  }
}
