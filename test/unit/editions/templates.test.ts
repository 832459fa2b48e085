import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMjmlRenderer, type MjmlRenderer } from '../../../src/adapters/mjml/mjml-renderer.ts';
import { TemplateError } from '../../../src/domain/errors.ts';
import { checkLinks } from '../../../src/use-cases/editions/compile.ts';
import { hasPlaceholders } from '../../../src/use-cases/editions/personalise.ts';

const TEMPLATES = join(import.meta.dirname, '../../../templates');
const sample = (name: string) =>
  JSON.parse(readFileSync(join(TEMPLATES, 'samples', `${name}.json`), 'utf8')) as Record<string, unknown>;

const keysOf = (o: unknown, prefix = ''): string[] =>
  o && typeof o === 'object'
    ? Object.entries(o).flatMap(([k, v]) => keysOf(v, `${prefix}${k}.`))
    : [prefix.slice(0, -1)];

describe('templates/', () => {
  let renderer: MjmlRenderer;
  beforeAll(async () => {
    renderer = await createMjmlRenderer({ templatesDir: TEMPLATES });
  });

  it('has sample data for every template and strings for English and Chinese at least', () => {
    expect(renderer.templates()).toContain('edition');
    for (const t of renderer.templates()) expect(() => sample(t), `samples/${t}.json`).not.toThrow();
    expect(renderer.languages()).toEqual(expect.arrayContaining(['en', 'zh']));
  });

  it('translates every English string in every language', () => {
    const en = keysOf(JSON.parse(readFileSync(join(TEMPLATES, 'strings/en.json'), 'utf8')));
    for (const lang of renderer.languages()) {
      const own = keysOf(JSON.parse(readFileSync(join(TEMPLATES, `strings/${lang}.json`), 'utf8')));
      expect(
        en.filter((k) => !own.includes(k)),
        `missing in strings/${lang}.json`,
      ).toEqual([]);
    }
  });

  it('renders every template with its sample data in every language under strict MJML validation', async () => {
    for (const t of renderer.templates()) {
      for (const lang of renderer.languages()) {
        const out = await renderer.render(t, { ...sample(t), lang });
        expect(out.warnings).toEqual([]);
        expect(out.html).toMatch(/^<!doctype html>/i);
        expect(out.html).toContain(`lang="${lang}"`);
        expect(out.subject).toBeTruthy();
        // The text part is a real text version: sections, items and the unsubscribe link, no markup.
        expect(out.text).toContain('{{unsubscribe_url}}');
        expect(out.text).not.toMatch(/<\/?(p|a|div|span|table|td|br|strong|mj-[a-z]+)[\s>/]/i);
        expect(out.text.length).toBeGreaterThan(200);
        expect(() => checkLinks(out.html, `${t} ${lang}`)).not.toThrow();

        const archive = await renderer.render(t, { ...sample(t), lang, archive: true });
        expect(hasPlaceholders(archive.html), `${t} ${lang} archive copy`).toBe(false);
        expect(hasPlaceholders(archive.text)).toBe(false);
      }
    }
  });

  it('shows the member content escaped, never as markup', async () => {
    const data = sample('edition');
    const out = await renderer.render('edition', data);
    expect(out.html).toContain('Ecolabelling Sweden &lt;Nordic Swan&gt;');
    expect(out.html).toContain('textiles &amp; uniforms');
  });

  describe('when a template is broken', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'gazette-templates-'));
      cpSync(TEMPLATES, dir, { recursive: true });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('fails the render with the MJML problem and the offending line, instead of sending a broken mail', async () => {
      const item = join(dir, 'partials/item.mjml');
      writeFileSync(item, readFileSync(item, 'utf8').replace('<mj-column>', '<mj-column colour="red">'));
      const broken = await createMjmlRenderer({ templatesDir: dir });
      const err = await broken.render('edition', sample('edition')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as Error).message).toMatch(/Attribute colour is illegal/);
      expect((err as Error).message).toMatch(/near line \d+: <mj-column colour="red">/);
    });

    it('names a missing language', async () => {
      await expect(renderer.render('edition', { ...sample('edition'), lang: 'xx' })).rejects.toThrow(
        /no strings for language "xx"/,
      );
    });
  });
});
