/**
 * Checks one template file the way mjml itself does, before a template set is saved (issue 15): mjml's own
 * parser and validator (the rules of validationLevel 'strict') on the file as written, so a problem is named
 * by the file and its line, not by a line of the expanded document. Placeholders are the template engine's
 * business: section tags are blanked (keeping lines), and an attribute whose value is a placeholder is left
 * to the real render that follows (src/use-cases/editions/templates.ts). Imported only where mjml is (the
 * compile-edition function, the embedded runtime).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MjmlElement, MjmlValidationError } from 'mjml-validator';
import {
  TEMPLATE_FILE_PATTERN,
  type TemplateFiles,
  type TemplateProblem,
} from '../../domain/template-set.ts';
import type { TemplateTools } from '../../ports/templates.ts';
import { findTemplatesDir } from './mjml-renderer.ts';
import { parseTemplate } from './template-engine.ts';

const WRAPPER = 'gz-fragment';

interface MjmlKit {
  parse: (xml: string, opts: Record<string, unknown>) => MjmlElement;
  rules: Record<string, (e: MjmlElement, o: Record<string, unknown>) => unknown>;
  options: Record<string, unknown>;
}

let kit: Promise<MjmlKit> | undefined;
const loadKit = () =>
  (kit ??= (async () => {
    await import('mjml'); // registers the core components and their allowed children
    // CommonJS: the named exports sit on the namespace or on its default, depending on the loader.
    type Core = { components?: Record<string, unknown>; initializeType?: unknown };
    const core = (await import('mjml-core')) as unknown as Core & { default?: Core };
    const c = core.components ? core : (core.default ?? {});
    const v = await import('mjml-validator');
    const p = await import('mjml-parser-xml');
    const parse = ((p as { default?: unknown }).default ?? p) as MjmlKit['parse'];
    return {
      parse: typeof parse === 'function' ? parse : (parse as { default: MjmlKit['parse'] }).default,
      rules: v.rulesCollection as MjmlKit['rules'],
      options: {
        components: c.components,
        dependencies: v.dependencies,
        initializeType: c.initializeType,
        skipElements: ['mjml', WRAPPER],
      },
    };
  })());

/** Problems of one file: template syntax, then (.mjml) mjml's strict rules, (.json) valid JSON object. */
export async function validateTemplateFile(name: string, text: string): Promise<TemplateProblem[]> {
  if (name.endsWith('.json')) {
    try {
      const v = JSON.parse(text) as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v))
        return [{ file: name, message: 'must be a JSON object of texts ({"intro": "…"})' }];
      return [];
    } catch (e) {
      return [{ file: name, line: jsonLine(e, text), message: `not valid JSON: ${(e as Error).message}` }];
    }
  }
  try {
    parseTemplate(text, name);
  } catch (e) {
    const message = (e as Error).message;
    const m = /^[^:]+:(\d+): (.*)$/s.exec(message);
    return [{ file: name, line: m ? Number(m[1]) : undefined, message: m ? (m[2] ?? message) : message }];
  }
  if (!name.endsWith('.mjml')) return [];
  return mjmlProblems(name, text);
}

async function mjmlProblems(name: string, text: string): Promise<TemplateProblem[]> {
  const k = await loadKit();
  // Comments and block tags of the template engine become spaces (newlines kept, so lines stay true);
  // a partial is a fragment: wrapped on its first line in an element that may hold anything.
  const blanked = text.replace(/\{\{\s*[!#^/>][\s\S]*?\}\}/g, (m) => m.replace(/[^\n]/g, ' '));
  const fragment = !/<mjml[\s>]/.test(blanked);
  const doc = fragment ? `<mjml><mj-body><${WRAPPER}>${blanked}</${WRAPPER}></mj-body></mjml>` : blanked;
  let tree: MjmlElement;
  try {
    tree = k.parse(doc, { keepComments: false, components: k.options.components, ignoreIncludes: true });
  } catch (e) {
    return [{ file: name, message: `MJML cannot read it: ${(e as Error).message}` }];
  }
  // mjml's strict rules, element by element; the wrapper is no component, so its children (the
  // fragment's top level) are not held to a parent they will only have once included.
  const errors: MjmlValidationError[] = [];
  const walk = (el: MjmlElement) => {
    if (el.tagName !== WRAPPER && el.tagName !== 'mjml')
      for (const check of Object.values(k.rules)) {
        const out = check(el, k.options) as MjmlValidationError | MjmlValidationError[] | null;
        if (Array.isArray(out)) errors.push(...out);
        else if (out) errors.push(out);
      }
    for (const child of el.children ?? []) walk(child);
  };
  walk(tree);
  return errors
    .filter((e) => !e.message.includes('{{'))
    .map((e) => ({ file: name, line: e.line, message: `${e.tagName}: ${e.message.trim()}` }));
}

function jsonLine(e: unknown, text: string): number | undefined {
  const m = /position (\d+)/.exec((e as Error).message);
  return m ? text.slice(0, Number(m[1])).split('\n').length : undefined;
}

/** The deployed templates/ folder (the seed of the store) and its sample content. */
export function templateToolsFor(dir?: string): TemplateTools {
  // Found on first use: a function's start never fails for want of the folder.
  let found: string | undefined;
  const rootDir = () => (found ??= findTemplatesDir(dir));
  return {
    async folder() {
      const root = rootDir();
      const files: TemplateFiles = {};
      const visit = (rel: string) => {
        for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
          const path = rel ? `${rel}/${entry.name}` : entry.name;
          if (entry.isDirectory()) visit(path);
          else if (TEMPLATE_FILE_PATTERN.test(path)) files[path] = readFileSync(join(root, path), 'utf8');
        }
      };
      visit('');
      return files;
    },
    async sample() {
      const path = join(rootDir(), 'samples', 'edition.json');
      return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
    },
    validateFile: validateTemplateFile,
    compileSystemLayout: (source) =>
      import('./system-layout.ts').then((m) => m.compileSystemLayoutSource(source)),
  };
}
