import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import { startTestStack } from '../../support/local-stack.ts';
import { anUpdate } from '../../unit/editions/fixtures.ts';

const now = new Date('2026-04-01T01:00:00.000Z');
const ARTIFACTS = join(import.meta.dirname, '../../../test-results/editions');
const clock: Clock = { now: () => now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

describe('member attachments in an edition on the embedded stack', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack({ clock });
    const content = stack.infra.blobs.content;
    const jpeg = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#2e7d32' } })
      .jpeg()
      .toBuffer();
    await content.put('attachments/m_photo/01-forum.jpg', new Uint8Array(jpeg), 'image/jpeg');
    await content.put('attachments/m_photo/02-report.pdf', Buffer.from('%PDF-1.7 report'), 'application/pdf');
    const u = anUpdate({
      updateId: 'u_photo',
      title: 'Forum in pictures',
      receivedAt: '2026-03-02T00:00:00.000Z',
      attachments: [
        {
          key: 'attachments/m_photo/01-forum.jpg',
          filename: '01-forum.jpg',
          contentType: 'image/jpeg',
          size: jpeg.length,
          inline: false,
          publishable: true,
        },
        {
          key: 'attachments/m_photo/02-report.pdf',
          filename: '02-report.pdf',
          contentType: 'application/pdf',
          size: 15,
          inline: false,
          publishable: true,
        },
      ],
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

  let html = '';
  it('shows the photo at 600 px (1200 px for retina) and the PDF as a link, both served at /media/', async () => {
    const res = await stack.admin('/admin/editions/compile', {
      method: 'POST',
      body: JSON.stringify({ from: '2026-01-01', to: '2026-03-31', wait: true }),
    });
    expect(res.status).toBe(201);
    const { edition } = (await res.json()) as { edition: { number: number } };
    const e = await stack.app.editions.lifecycle.show(edition.number);
    html = await stack.infra.blobs.content.getText(e.variants[0]?.htmlKey ?? '');
    const media = `${stack.urls.api}/media/u_photo/`;
    expect(html).toContain(`src="${media}01-forum-600.jpg"`);
    expect(html).toContain(`${media}01-forum-1200.jpg 1200w`);
    expect(html).toContain('alt="Forum in pictures"');
    expect(html).toMatch(/<a href="[^"]*\/media\/u_photo\/02-report\.pdf">report\.pdf<\/a> \(PDF, 15 B\)/);

    const img = await fetch(`${media}01-forum-600.jpg`);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect((await sharp(Buffer.from(await img.arrayBuffer())).metadata()).width).toBe(600);
    const pdf = await fetch(`${media}02-report.pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(await pdf.text()).toBe('%PDF-1.7 report');
  }, 60_000);

  it('shows the photo in Chromium at 375 and 600 px within the width, loaded from /media/ only (screenshots)', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
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
      for (const width of [375, 600]) {
        const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 2 });
        const requests: string[] = [];
        await page.route('**/*', (route) => {
          requests.push(route.request().url());
          return route.request().url().startsWith(`${stack.urls.api}/media/`)
            ? route.continue()
            : route.abort();
        });
        await page.setContent(html, { waitUntil: 'load' });
        const r = await page.evaluate<{
          scroll: number;
          img: { w: number; natural: number; src: string } | null;
        }>(
          `(() => { const i = document.querySelector('img[alt="Forum in pictures"]'); return { scroll: document.documentElement.scrollWidth, img: i && { w: i.getBoundingClientRect().width, natural: i.naturalWidth, src: i.currentSrc } }; })()`,
        );
        await page.screenshot({ path: join(ARTIFACTS, `images-${width}.png`), fullPage: true });
        await page.close();
        expect(r.scroll).toBeLessThanOrEqual(width);
        expect(r.img?.natural).toBeGreaterThan(0);
        expect(r.img?.w).toBeLessThanOrEqual(width);
        // A retina phone picks the 1200 px copy.
        expect(r.img?.src).toMatch(/01-forum-1200\.jpg$/);
        expect(requests.every((u) => u.startsWith(`${stack.urls.api}/media/u_photo/`))).toBe(true);
      }
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('serves nothing but media/: not the manifests, the raw attachments or the drafts', async () => {
    for (const path of [
      '/media/u_photo/01-forum.jpg.json',
      '/media/..%2Fattachments%2Fm_photo%2F01-forum.jpg',
      '/media/%2E%2E/editions/1/',
    ])
      expect((await fetch(`${stack.urls.api}${path}`)).status, path).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${stack.urls.api}/media/u_photo/missing.jpg`)).status).toBe(404);
  });
});
