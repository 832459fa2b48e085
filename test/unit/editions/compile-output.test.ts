/**
 * What a compile stores for readers (issue 17 made the e-mail and its archive copy one shared render):
 * the mail within Gmail's limit, the archive copy complete, both with their links, headings and lang.
 */
import { describe, expect, it } from 'vitest';
import { compileSample, memoryBlobs } from '../../../bench/editions.ts';
import { createMjmlRenderer } from '../../../src/adapters/mjml/mjml-renderer.ts';

describe('compiled edition', () => {
  it('stores a minified mail under 102 KB for 30 items and a complete, unminified archive copy', async () => {
    const renderer = await createMjmlRenderer();
    const content = memoryBlobs();
    const before = renderer.bodyRenders;
    const edition = await compileSample(renderer, 30, content);
    // en and zh: one MJML render each for mail and archive copy together.
    expect(renderer.bodyRenders - before).toBe(2);
    for (const v of edition.variants) {
      const mail = await content.getText(v.htmlKey);
      const page = await content.getText(v.archiveKey ?? '');
      expect(Buffer.byteLength(mail)).toBeLessThan(102 * 1024);
      expect(mail.split('\n').length).toBeLessThan(100);
      expect(page.split('\n').length).toBeGreaterThan(200);
      for (const html of [mail, page]) {
        expect(html).toMatch(new RegExp(`<html [^>]*lang="${v.language}"`));
        expect(html).toMatch(/<h1[ >]/);
        expect(html).toMatch(/<h2[ >]/);
        expect(html.match(/<h3 id="item-u_bench_\d+"/g)).toHaveLength(30);
        expect(html).toContain('name="color-scheme"');
        expect(html).toMatch(/prefers-color-scheme: ?dark/);
        for (let i = 0; i < 30; i++) expect(html).toContain(`href="https://www.example.org/items/${i}"`);
      }
      expect(mail).toContain('{{unsubscribe_url}}');
      expect(page).not.toMatch(/\{\{/);
    }
  }, 60_000);
});
