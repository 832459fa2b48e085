/**
 * The edition's e-mail and archive copy rendered together (issue 17: a 300-item compile in ≤ 2 s): one
 * MJML render for both, with exactly the HTML of a render each; the page is left unminified.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMjmlRenderer, type MjmlRenderer } from '../../../src/adapters/mjml/mjml-renderer.ts';
import { alignRuns, type MjmlNode, shareDocuments } from '../../../src/adapters/mjml/mjml-shared.ts';
import { TemplateError } from '../../../src/domain/index.ts';
import { TEMPLATE } from '../../../src/use-cases/editions/compile.ts';
import { buildView, type MediaMap, planSections } from '../../../src/use-cases/editions/view-model.ts';
import { anUpdate } from './fixtures.ts';

const now = new Date('2026-04-01T01:00:00.000Z');
const long =
  'Procurement officers from twelve member networks compared eco-label criteria for office IT. '.repeat(8);

/** An edition with everything that differs between mail and page: long text, photos, a foreword, featured. */
function edition() {
  const photos = ['a', 'b', 'c'].map((n) => ({
    key: `attachments/u_photos/${n}.jpg`,
    filename: `${n}.jpg`,
    contentType: 'image/jpeg',
    size: 120_000,
    inline: false,
    publishable: true,
  }));
  const updates = [
    anUpdate({
      updateId: 'u_long',
      title: 'Long report',
      summary: long,
      links: [{ url: 'https://a.example/r' }],
    }),
    anUpdate({
      updateId: 'u_photos',
      title: '三张照片',
      summary: '论坛合影。',
      language: 'zh',
      attachments: photos,
    }),
    anUpdate({
      updateId: 'u_event',
      kind: 'event',
      section: 'events',
      title: 'Webinar',
      summary: 'Agenda:\n- Opening\n- Panel\n- Q&A',
      event: { start: '2026-05-12T15:00:00.000Z', timeZone: 'Europe/Paris', location: 'Online' },
    }),
    anUpdate({ updateId: 'u_featured', title: 'Featured news', summary: 'Short.' }),
    anUpdate({
      updateId: 'u_dead',
      kind: 'deadline',
      section: 'deadlines',
      deadline: '2026-06-15T15:59:59.999Z',
    }),
  ];
  const media: MediaMap = new Map(
    photos.map((p) => [
      p.key,
      { kind: 'image', src: `https://media.example/${p.filename}`, src2x: null, width: 600, height: 400 },
    ]),
  );
  const plan = planSections(updates, now, {
    featured: ['u_featured'],
    foreword: 'Dear readers,\n\nwelcome.',
  });
  const views = (lang: string) => {
    const s = {
      lang,
      number: 9,
      compiledAt: now,
      timeZone: 'Asia/Shanghai',
      newsletterName: 'IGPN Gazette',
      archiveUrl: 'https://news.igpn.example/archive',
      postalAddress: 'IGPN Secretariat, Beijing',
      defaultLanguage: 'en',
      shape: { foreword: 'Dear readers,\n\nwelcome.' },
      media,
    };
    const data = (archive: boolean) =>
      buildView(plan, { ...s, archive }) as unknown as Record<string, unknown>;
    return { mail: data(false), page: data(true) };
  };
  return views;
}

/** The templates folder as a stored set (what the template store hands the renderer). */
function folderFiles(): Record<string, string> {
  const root = join(import.meta.dirname, '../../../templates');
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(mjml|txt|json)$/.test(name)) out[relative(root, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(root);
  return out;
}

describe('mail and archive copy in one render', () => {
  let shared: MjmlRenderer;
  let separate: MjmlRenderer;
  beforeAll(async () => {
    shared = await createMjmlRenderer();
    separate = await createMjmlRenderer({ shareRenders: false });
  });

  it.each(['en', 'zh'])(
    '%s: the same HTML, text and subject as a render each, for one MJML render',
    async (lang) => {
      const { mail, page } = edition()(lang);
      const before = shared.bodyRenders;
      const together = await shared.renderMailAndPage(TEMPLATE, mail, page);
      expect(shared.bodyRenders - before).toBe(1);
      const apart = await separate.renderMailAndPage(TEMPLATE, mail, page);
      expect(together.mail.html).toBe(apart.mail.html);
      expect(together.page.html).toBe(apart.page.html);
      expect(together.mail.text).toBe(apart.mail.text);
      expect(together.page.text).toBe(apart.page.text);
      expect(together.mail.subject).toBe(apart.mail.subject);
      // The mail is exactly what a single render of it makes (previews, test sends).
      expect(together.mail.html).toBe((await shared.render(TEMPLATE, mail)).html);
      // They did differ: the page has the full text and every photo, the mail a "read more" and two.
      expect(together.mail.html).toContain('#item-u_long');
      expect(together.page.html).not.toContain('#item-u_long');
      expect(together.mail.html.match(/ src="https:\/\/media\.example\//g)).toHaveLength(2);
      expect(together.page.html.match(/ src="https:\/\/media\.example\//g)).toHaveLength(3);
    },
    60_000,
  );

  it('the page keeps what readers rely on, unminified (only the mail has a size limit)', async () => {
    const { mail, page } = edition()('en');
    const out = await shared.renderMailAndPage(TEMPLATE, mail, page);
    const html = out.page.html;
    expect(html).toMatch(/<html [^>]*lang="en"/);
    expect(html).toMatch(/<h1[ >]/);
    expect(html).toMatch(/<h2[ >]/);
    expect(html).toMatch(/<h3 id="item-u_long"/);
    expect(html).toMatch(/<h3 id="item-u_photos" lang="zh"/);
    expect(html).toContain('name="color-scheme"');
    expect(html).toMatch(/prefers-color-scheme: ?dark/);
    expect(html).toContain('href="https://a.example/r"');
    expect(html).toContain(long.trim().slice(0, 200));
    expect(html).not.toMatch(/\{\{/);
    expect(html).not.toContain('unsubscribe');
    // MJML's own layout, one tag per line: the mail's minifier is not run on it.
    expect(html.split('\n').length).toBeGreaterThan(200);
    expect(out.mail.html.split('\n').length).toBeLessThan(100);
  }, 60_000);

  it('renders one by one, with the same result, when the head differs or styles are inlined', async () => {
    const base = folderFiles();
    const edition_ = base['edition.mjml'] ?? '';
    const variants = {
      'a title only the page has': edition_.replace(
        '<mj-title>',
        '<mj-title>{{#archive}}Archive: {{/archive}}',
      ),
      'inlined styles': edition_.replace(
        '</mj-head>',
        '<mj-style inline="inline">.gz-text div { letter-spacing: 0; }</mj-style></mj-head>',
      ),
    };
    const { mail, page } = edition()('en');
    for (const [what, text] of Object.entries(variants)) {
      expect(text, what).not.toBe(edition_);
      const files = { ...base, 'edition.mjml': text };
      const before = shared.bodyRenders;
      const together = await shared.renderMailAndPage(TEMPLATE, mail, page, { files });
      expect(shared.bodyRenders - before, what).toBe(2);
      const apart = await separate.renderMailAndPage(TEMPLATE, mail, page, { files });
      expect(together.mail.html, what).toBe(apart.mail.html);
      expect(together.page.html, what).toBe(apart.page.html);
    }
  }, 60_000);

  it('a template error in the page only is reported with its line, and nothing is rendered', async () => {
    const base = folderFiles();
    const files = {
      ...base,
      'partials/footer.mjml': `${base['partials/footer.mjml']}\n{{#archive}}<mj-text>not in a column</mj-text>{{/archive}}\n`,
    };
    const { mail, page } = edition()('en');
    const err = await shared.renderMailAndPage(TEMPLATE, mail, page, { files }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemplateError);
    expect(String((err as Error).message)).toMatch(/does not pass MJML validation/);
    expect(String((err as Error).message)).toMatch(/near line \d+: .*not in a column/);
  }, 60_000);

  it('two renders at once with different stored files each read their own', async () => {
    const base = folderFiles();
    const withMark = (mark: string) => ({
      ...base,
      'edition.txt': `${mark}\n${base['edition.txt'] ?? ''}`,
    });
    const { mail, page } = edition()('en');
    const [a, b] = await Promise.all([
      shared.renderMailAndPage(TEMPLATE, mail, page, { files: withMark('SET-A') }),
      shared.render(TEMPLATE, mail, { files: withMark('SET-B') }),
    ]);
    expect(a.mail.text).toContain('SET-A');
    expect(a.page.text).toContain('SET-A');
    expect(b.text).toContain('SET-B');
    expect(b.text).not.toContain('SET-A');
  }, 60_000);
});

describe('aligning the two bodies', () => {
  const node = (text: string, line = 1): MjmlNode => ({
    tagName: 'mj-section',
    attributes: {},
    content: text,
    line,
  });
  const owners = (runs: ReturnType<typeof alignRuns>) =>
    runs.map((r) => `${r.owner}:${r.nodes.map((n) => n.content).join('')}`);

  it('keeps both orders, shares what both have (whatever line it came from), and groups runs', () => {
    const a = ['V', 'H', 'x', 'y', 'z', 'F'].map((t) => node(t));
    const b = ['H', 'x', 'Y', 'z', 'P'].map((t) => node(t, 99));
    expect(owners(alignRuns(a, b))).toEqual([
      'first:V',
      'both:Hx',
      'first:y',
      'second:Y',
      'both:z',
      'first:F',
      'second:P',
    ]);
  });

  it('leaves documents too large to align, or with different heads, to a render each', () => {
    const doc = (children: MjmlNode[], title = 'T'): MjmlNode => ({
      tagName: 'mjml',
      attributes: {},
      children: [
        {
          tagName: 'mj-head',
          attributes: {},
          children: [{ tagName: 'mj-title', attributes: {}, content: title }],
        },
        { tagName: 'mj-body', attributes: {}, children },
      ],
    });
    const skeleton = () => '';
    const few = [node('a'), node('b')];
    expect(shareDocuments(doc(few), doc(few), skeleton, 'n')).toBeDefined();
    expect(shareDocuments(doc(few), doc(few, 'other'), skeleton, 'n')).toBeUndefined();
    const many = Array.from({ length: 4_001 }, (_, i) => node(String(i)));
    expect(shareDocuments(doc(many), doc(many), skeleton, 'n')).toBeUndefined();
  });
});
