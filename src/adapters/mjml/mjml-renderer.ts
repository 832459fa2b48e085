/**
 * The MJML renderer: templates/<name>.mjml (+ partials) → responsive HTML, templates/<name>.txt → the
 * plain-text part, templates/strings/<lang>.json → the words around the content. The only module that
 * imports mjml (heavy: only the compile-edition Lambda bundles it).
 */

import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convert } from 'html-to-text';
import { TemplateError } from '../../domain/errors.ts';
import type { EditionRenderer, RenderedEmail } from '../../ports/renderer.ts';
import { createSharpResizer } from '../images/sharp-resizer.ts';
import { type MjmlNode, type Skeleton, shareDocuments } from './mjml-shared.ts';
import { type Mode, renderTemplate } from './template-engine.ts';

export interface MjmlRendererOptions {
  /** Folder with the templates (default: GAZETTE_TEMPLATES_DIR, ./templates, the Lambda task root). */
  templatesDir?: string;
  /** Re-read files on every render (the live preview); default false: read once. */
  watch?: boolean;
  /** Render an edition's mail and page in one MJML render where possible (default true; false: tests). */
  shareRenders?: boolean;
}

export interface MjmlRenderer extends EditionRenderer {
  readonly templatesDir: string;
  /** Template names (files templates/<name>.mjml). */
  templates(): string[];
  /** Languages with a strings file. */
  languages(): string[];
  renderMailAndPage: NonNullable<EditionRenderer['renderMailAndPage']>;
  /** MJML body renders so far (each costs in proportion to the document): what sharing saves. */
  readonly bodyRenders: number;
}

export function findTemplatesDir(explicit?: string): string {
  const candidates = [
    explicit,
    process.env.GAZETTE_TEMPLATES_DIR,
    resolve(process.cwd(), 'templates'),
    process.env.LAMBDA_TASK_ROOT ? join(process.env.LAMBDA_TASK_ROOT, 'templates') : undefined,
    // Source tree: src/adapters/mjml → repo root.
    resolve(dirname(fileURLToPath(import.meta.url)), '../../../templates'),
  ].filter((c): c is string => Boolean(c));
  const found = candidates.find((c) => existsSync(join(c, 'strings')));
  if (!found) throw new TemplateError(`no templates folder found (looked in ${candidates.join(', ')})`);
  return found;
}

export async function createMjmlRenderer(opts: MjmlRendererOptions = {}): Promise<MjmlRenderer> {
  const { default: mjml2html } = await import('mjml');
  const dir = findTemplatesDir(opts.templatesDir);
  const cache = new Map<string, string | null>();
  const fromFolder = (rel: string): string | null => {
    if (!opts.watch && cache.has(rel)) return cache.get(rel) ?? null;
    const path = join(dir, rel);
    const text = existsSync(path) ? readFileSync(path, 'utf8') : null;
    cache.set(rel, text);
    return text;
  };
  /**
   * The template files of one render: the content store's set when given (validated, versioned), else
   * the folder. Bound per call, so two renders at once (a compile and a template preview in the
   * embedded runtime) never read each other's files.
   */
  const filesOf = (files: Record<string, string> | undefined): Files => {
    const read = (rel: string): string | null =>
      files ? (Object.hasOwn(files, rel) ? (files[rel] ?? null) : null) : fromFolder(rel);
    const must = (rel: string) => {
      const text = read(rel);
      if (text === null) throw new TemplateError(`template file ${rel} is missing`);
      return text;
    };
    const strings = (lang: string): Record<string, unknown> => {
      const parse = (rel: string) => {
        const text = read(rel);
        if (text === null) return undefined;
        try {
          return JSON.parse(text) as Record<string, unknown>;
        } catch (e) {
          throw new TemplateError(`${rel} is not valid JSON: ${(e as Error).message}`);
        }
      };
      const base = parse('strings/en.json') ?? {};
      const own = parse(`strings/${lang}.json`) ?? parse(`strings/${lang.split('-')[0]}.json`);
      if (!own) throw new TemplateError(`no strings for language "${lang}" (templates/strings/${lang}.json)`);
      // A string missing in a translation falls back to English rather than failing the compile.
      return deepMerge(base, own);
    };
    const expand = (template: string, ext: 'mjml' | 'txt', mode: Mode, ctx: Record<string, unknown>) =>
      renderTemplate(must(`${template}.${ext}`), ctx, {
        mode,
        templateName: `${template}.${ext}`,
        partial: (name) => {
          if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) throw new Error('bad partial name');
          return must(`partials/${name}.${ext}`);
        },
      });
    return { read, strings, expand };
  };

  let bodyRenders = 0;
  return {
    templatesDir: dir,
    get bodyRenders() {
      return bodyRenders;
    },
    templates: () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.mjml'))
        .map((f) => f.slice(0, -5)),
    languages: () =>
      readdirSync(join(dir, 'strings'))
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5)),
    images: () => createSharpResizer(),

    async render(template, data, renderOpts = {}): Promise<RenderedEmail> {
      checkName(template);
      return renderOnce(filesOf(renderOpts.files), template, data);
    },

    async renderMailAndPage(template, mail, page, renderOpts = {}) {
      checkName(template);
      return renderMailAndPage(filesOf(renderOpts.files), template, mail, page);
    },
  };

  /** Expand a template for one document: its context (data + strings) and MJML source. */
  function expandMjml(f: Files, template: string, data: Record<string, unknown>) {
    const lang = typeof data.lang === 'string' ? data.lang : 'en';
    const ctx = { ...data, t: f.strings(lang) };
    return { ctx, source: f.expand(template, 'mjml', 'html', ctx) };
  }

  async function renderOnce(
    f: Files,
    template: string,
    data: Record<string, unknown>,
    minify = true,
  ): Promise<RenderedEmail> {
    const { ctx, source } = expandMjml(f, template, data);
    let html: string;
    const warnings: string[] = [];
    try {
      bodyRenders++;
      const out = await mjml2html(source, mjmlOptions(dir, minify));
      html = out.html;
      for (const e of out.errors) warnings.push(e.formattedMessage);
    } catch (e) {
      throw new TemplateError(`${template}.mjml does not pass MJML validation:${withContext(e, source)}`);
    }
    return finish(f, template, ctx, html, warnings);
  }

  /**
   * The mail and its page in one MJML render where the template allows it (mjml-shared.ts): the same
   * HTML as a render each, for little more than the price of one. Anything unusual (a template error
   * too, to report it with its own document's lines) renders them one by one.
   */
  async function renderMailAndPage(
    f: Files,
    template: string,
    mailData: Record<string, unknown>,
    pageData: Record<string, unknown>,
  ): Promise<{ mail: RenderedEmail; page: RenderedEmail }> {
    const oneByOne = async () => ({
      mail: await renderOnce(f, template, mailData),
      page: await renderOnce(f, template, pageData, false),
    });
    if (opts.shareRenders === false) return await oneByOne();
    const mail = expandMjml(f, template, mailData);
    const page = expandMjml(f, template, pageData);
    const k = await kit();
    const parse = (source: string) =>
      k.parse(source, {
        keepComments: false,
        components: k.components,
        filePath: dir,
        actualPath: '.',
        preprocessors: [],
        ignoreIncludes: true,
      });
    let mailHtml: string;
    let pageHtml: string;
    try {
      const shared = shareDocuments(parse(mail.source), parse(page.source), k.skeleton, randomUUID());
      if (!shared) return await oneByOne();
      bodyRenders++;
      mailHtml = (
        await mjml2html(shared.doc as never, {
          ...mjmlOptions(dir, true),
          skeleton: shared.skeleton as never,
        })
      ).html;
      // The page through MJML's own finishing steps (Outlook's conditional comments): an empty body
      // whose skeleton answers the page built in the render above.
      pageHtml = (
        await mjml2html(EMPTY_DOCUMENT as never, {
          ...mjmlOptions(dir, false),
          validationLevel: 'skip',
          skeleton: shared.second as never,
        })
      ).html;
    } catch {
      return await oneByOne();
    }
    return {
      mail: finish(f, template, mail.ctx, mailHtml, []),
      page: finish(f, template, page.ctx, pageHtml, []),
    };
  }

  function finish(
    f: Files,
    template: string,
    ctx: Record<string, unknown>,
    html: string,
    warnings: string[],
  ): RenderedEmail {
    const text = f.read(`${template}.txt`) !== null ? f.expand(template, 'txt', 'text', ctx) : htmlText(html);
    const subjectTemplate = (ctx.t as Record<string, unknown>).subject;
    const subject =
      typeof subjectTemplate === 'string'
        ? renderTemplate(subjectTemplate, ctx, { mode: 'text', templateName: 'strings subject' })
            .replace(/\s+/g, ' ')
            .trim()
        : undefined;
    return { html, text: tidyText(text), warnings, subject };
  }
}

interface Files {
  read: (rel: string) => string | null;
  strings: (lang: string) => Record<string, unknown>;
  expand: (template: string, ext: 'mjml' | 'txt', mode: Mode, ctx: Record<string, unknown>) => string;
}

/** MJML's options for every render; `minify` for mails. */
const mjmlOptions = (dir: string, minify: boolean) => ({
  validationLevel: 'strict' as const,
  ignoreIncludes: true,
  keepComments: false,
  filePath: dir,
  // Gmail clips a message over 102 KB, and a quarter of MJML's output is indentation: collapse
  // whitespace around block tags (never between inline ones). Outlook's conditional comments survive
  // ('safe' comment removal). A web page has no such limit, and minifying it took about a sixth of a
  // large compile.
  minify,
  minifyOptions: {
    collapseWhitespace: 'aggressive',
    removeComments: 'safe',
    minifyCss: false,
  } as never,
});

const EMPTY_DOCUMENT = {
  tagName: 'mjml',
  attributes: {},
  children: [{ tagName: 'mj-body', attributes: {}, children: [] }],
};

/** The parts of mjml the shared render calls itself, loaded with mjml. */
interface MjmlKit {
  parse: (xml: string, opts: Record<string, unknown>) => MjmlNode;
  components: Record<string, unknown>;
  skeleton: Skeleton;
}
let kitLoad: Promise<MjmlKit> | undefined;
const kit = () =>
  (kitLoad ??= (async () => {
    // CommonJS modules: the export sits on the namespace's default or on the namespace, by loader.
    const pick = <T>(m: unknown, name: string): T => {
      const ns = m as Record<string, unknown>;
      const d = ns.default as Record<string, unknown> | undefined;
      return (
        name === 'default' ? (typeof d === 'function' ? d : (d?.default ?? d)) : (ns[name] ?? d?.[name])
      ) as T;
    };
    const core = await import('mjml-core');
    const parser = await import('mjml-parser-xml/lib/index.js');
    const skeleton = await import('mjml-core/lib/helpers/skeleton.js');
    return {
      parse: pick<MjmlKit['parse']>(parser, 'default'),
      components: pick<MjmlKit['components']>(core, 'components'),
      skeleton: pick<Skeleton>(skeleton, 'default'),
    };
  })());

function checkName(template: string) {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(template)) throw new TemplateError(`bad template name "${template}"`);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object'
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** MJML reports lines of the expanded document: show them, a non-developer cannot see that file. */
function withContext(e: unknown, source: string): string {
  const message = String((e as Error)?.message ?? e).trim();
  const lines = source.split('\n');
  const shown = new Set<number>();
  const out = [message];
  for (const m of message.matchAll(/Line (\d+)/g)) {
    const n = Number(m[1]);
    if (shown.has(n)) continue;
    shown.add(n);
    out.push(`  near line ${n}: ${(lines[n - 1] ?? '').trim().slice(0, 160)}`);
  }
  return `\n${out.join('\n')}`;
}

/** Fallback plain text for templates without a .txt twin. */
function htmlText(html: string): string {
  return convert(html, {
    wordwrap: 76,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ],
  });
}

function tidyText(text: string): string {
  return `${text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
