/**
 * The MJML renderer: templates/<name>.mjml (+ partials) → responsive HTML, templates/<name>.txt → the
 * plain-text part, templates/strings/<lang>.json → the words around the content. The only module that
 * imports mjml (heavy: only the compile-edition Lambda bundles it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convert } from 'html-to-text';
import { TemplateError } from '../../domain/errors.ts';
import type { EditionRenderer, RenderedEmail } from '../../ports/renderer.ts';
import { createSharpResizer } from '../images/sharp-resizer.ts';
import { type Mode, renderTemplate } from './template-engine.ts';

export interface MjmlRendererOptions {
  /** Folder with the templates (default: GAZETTE_TEMPLATES_DIR, ./templates, the Lambda task root). */
  templatesDir?: string;
  /** Re-read files on every render (the live preview); default false: read once. */
  watch?: boolean;
}

export interface MjmlRenderer extends EditionRenderer {
  readonly templatesDir: string;
  /** Template names (files templates/<name>.mjml). */
  templates(): string[];
  /** Languages with a strings file. */
  languages(): string[];
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
  const files = new Map<string, string | null>();
  // Template files from the content store for one render (validated, versioned), else the folder.
  let override: Record<string, string> | undefined;
  const read = (rel: string): string | null => {
    if (override) return Object.hasOwn(override, rel) ? (override[rel] ?? null) : null;
    if (!opts.watch && files.has(rel)) return files.get(rel) ?? null;
    const path = join(dir, rel);
    const text = existsSync(path) ? readFileSync(path, 'utf8') : null;
    files.set(rel, text);
    return text;
  };
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

  return {
    templatesDir: dir,
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
      if (!/^[a-z0-9][a-z0-9_-]*$/i.test(template))
        throw new TemplateError(`bad template name "${template}"`);
      override = renderOpts.files;
      try {
        return await renderOnce(template, data);
      } finally {
        override = undefined;
      }
    },
  };

  async function renderOnce(template: string, data: Record<string, unknown>): Promise<RenderedEmail> {
    const lang = typeof data.lang === 'string' ? data.lang : 'en';
    const ctx = { ...data, t: strings(lang) };
    const source = expand(template, 'mjml', 'html', ctx);
    let html: string;
    const warnings: string[] = [];
    try {
      const out = await mjml2html(source, {
        validationLevel: 'strict',
        ignoreIncludes: true,
        keepComments: false,
        filePath: dir,
        // Gmail clips a message over 102 KB, and a quarter of MJML's output is indentation: collapse
        // whitespace around block tags (never between inline ones) and minify the CSS. Outlook's
        // conditional comments survive ('safe' comment removal).
        minify: true,
        minifyOptions: {
          collapseWhitespace: 'aggressive',
          removeComments: 'safe',
          minifyCss: false,
        } as never,
      });
      html = out.html;
      for (const e of out.errors) warnings.push(e.formattedMessage);
    } catch (e) {
      throw new TemplateError(`${template}.mjml does not pass MJML validation:${withContext(e, source)}`);
    }
    const text = read(`${template}.txt`) !== null ? expand(template, 'txt', 'text', ctx) : htmlText(html);
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
