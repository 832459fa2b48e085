/**
 * A deliberately small, logic-less template language (a Mustache subset) for templates/:
 *
 *   {{path.to.value}}      the value, escaped for HTML (or as-is in .txt templates)
 *   {{#list}}…{{/list}}    repeat for each element (or once, if the value is truthy and not a list)
 *   {{^list}}…{{/list}}    only when the value is empty/false/null
 *   {{.}}                  the current element (lists of strings)
 *   {{> name}}             a partial: templates/partials/<name>.mjml (or .txt)
 *   {{! comment }}
 *   {{t.key}}              a string from templates/strings/<lang>.json, itself a template
 *   {{t.sections.$id}}     "$id" is looked up first: dynamic keys
 *
 * Per-recipient placeholders ({{name}}, {{name|fallback}}, {{email}}, {{unsubscribe_url}},
 * {{preferences_url}}) are left in the output untouched: they are filled in at send time by cheap
 * substitution (src/use-cases/editions/personalise.ts), never by running a template per recipient.
 *
 * There is no raw/unescaped output ({{{…}}} is rejected): data never becomes markup. A name that is not
 * defined anywhere is an error, so a typo in a template fails the compile instead of printing nothing.
 */

import { TemplateError } from '../../domain/errors.ts';
import { escapeHtml } from '../../domain/html.ts';

export const RECIPIENT_TOKENS = new Set(['name', 'email', 'unsubscribe_url', 'preferences_url']);

export type Mode = 'html' | 'text';

type Node =
  | { kind: 'text'; value: string }
  | { kind: 'var'; path: string; line: number }
  | { kind: 'recipient'; raw: string }
  | { kind: 'partial'; name: string; line: number }
  | { kind: 'section'; path: string; inverted: boolean; children: Node[]; line: number };

export interface RenderOptions {
  mode: Mode;
  /** Source of a partial by name; throw if it does not exist. */
  partial?: (name: string) => string;
  /** For error messages. */
  templateName: string;
}

const TAG = /\{\{(\{?)\s*([#^/>!]?)\s*([^}]*?)\s*\}\}(\}?)/g;

export function parseTemplate(source: string, templateName: string): Node[] {
  const root: Node[] = [];
  const stack: { path: string; children: Node[]; line: number }[] = [];
  let current = root;
  let last = 0;
  const lineAt = (offset: number) => source.slice(0, offset).split('\n').length;
  for (const m of source.matchAll(TAG)) {
    const [whole, open3, sigil, body, close3] = m;
    const at = m.index ?? 0;
    const line = lineAt(at);
    // Mustache's "standalone" rule: a block tag alone on its line takes the line with it.
    let textEnd = at;
    let next = at + whole.length;
    if (sigil) {
      const lineStart = source.lastIndexOf('\n', at - 1) + 1;
      const nl = source.indexOf('\n', next);
      const lineEnd = nl === -1 ? source.length : nl;
      if (
        lineStart >= last &&
        /^[ \t]*$/.test(source.slice(lineStart, at)) &&
        /^[ \t\r]*$/.test(source.slice(next, lineEnd))
      ) {
        textEnd = lineStart;
        next = nl === -1 ? source.length : nl + 1;
      }
    }
    if (textEnd > last) current.push({ kind: 'text', value: source.slice(last, textEnd) });
    last = next;
    if (open3 || close3) {
      throw new TemplateError(
        `${templateName}:${line}: {{{…}}} (unescaped output) is not allowed; use {{${body}}}`,
      );
    }
    const path = body ?? '';
    switch (sigil) {
      case '!':
        break;
      case '>':
        current.push({ kind: 'partial', name: path, line });
        break;
      case '#':
      case '^': {
        const node: Node = { kind: 'section', path, inverted: sigil === '^', children: [], line };
        current.push(node);
        stack.push({ path, children: current, line });
        current = node.children;
        break;
      }
      case '/': {
        const open = stack.pop();
        if (!open) throw new TemplateError(`${templateName}:${line}: {{/${path}}} closes nothing`);
        if (open.path !== path)
          throw new TemplateError(
            `${templateName}:${line}: {{/${path}}} closes {{#${open.path}}} opened on line ${open.line}`,
          );
        current = open.children;
        break;
      }
      default: {
        const head = path.split('|')[0]?.trim() ?? '';
        if (RECIPIENT_TOKENS.has(head)) current.push({ kind: 'recipient', raw: whole });
        else current.push({ kind: 'var', path, line });
      }
    }
  }
  const unclosed = stack.pop();
  if (unclosed)
    throw new TemplateError(`${templateName}:${unclosed.line}: {{#${unclosed.path}}} is never closed`);
  if (last < source.length) root.push({ kind: 'text', value: source.slice(last) });
  return root;
}

/**
 * Data must never smuggle a placeholder in: every "{" followed by another is broken up with a zero-width
 * space (a run of braces too: replacing "{{" pairs left "{{{x}}" as "{\u200b{{x}}", a live placeholder).
 */
export const neutralisePlaceholders = (s: string) => s.replace(/\{(?=\{)/g, '{\u200b');

const MISSING = Symbol('missing');

export function renderTemplate(source: string, data: Record<string, unknown>, opts: RenderOptions): string {
  const cache = new Map<string, Node[]>();
  const parsed = (name: string, src: string) => {
    let nodes = cache.get(name);
    if (!nodes) {
      nodes = parseTemplate(src, name);
      cache.set(name, nodes);
    }
    return nodes;
  };

  const lookup = (stack: unknown[], path: string, where: string): unknown => {
    if (path === '.') return stack[stack.length - 1];
    const segments = path.split('.').map((seg) => {
      if (!seg.startsWith('$')) return seg;
      const v = lookup(stack, seg.slice(1), where);
      if (typeof v !== 'string' && typeof v !== 'number')
        throw new TemplateError(`${where}: ${seg} must be a text or number to be used as a key`);
      return String(v);
    });
    const [first, ...rest] = segments;
    for (let i = stack.length - 1; i >= 0; i--) {
      const frame = stack[i];
      if (frame && typeof frame === 'object' && Object.hasOwn(frame, first as string)) {
        let v: unknown = (frame as Record<string, unknown>)[first as string];
        for (const seg of rest) {
          if (v && typeof v === 'object' && Object.hasOwn(v, seg)) v = (v as Record<string, unknown>)[seg];
          // list.0 on a shorter list is empty, not a typo: {{#featured.0}} shows a heading only if any.
          else if (Array.isArray(v) && /^\d+$/.test(seg)) v = undefined;
          else return MISSING;
        }
        return v;
      }
    }
    return MISSING;
  };

  const render = (nodes: Node[], stack: unknown[], name: string, escapeText: boolean, depth: number) => {
    if (depth > 12) throw new TemplateError(`${name}: partials or strings nested too deeply (a loop?)`);
    let out = '';
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out += escapeText && opts.mode === 'html' ? escapeHtml(node.value) : node.value;
          break;
        case 'recipient':
          out += node.raw;
          break;
        case 'partial': {
          if (!opts.partial) throw new TemplateError(`${name}:${node.line}: partials are not available here`);
          let src: string;
          try {
            src = opts.partial(node.name);
          } catch {
            throw new TemplateError(`${name}:${node.line}: no partial named "${node.name}"`);
          }
          out += render(
            parsed(`partials/${node.name}`, src),
            stack,
            `partials/${node.name}`,
            false,
            depth + 1,
          );
          break;
        }
        case 'var': {
          const where = `${name}:${node.line}`;
          const v = lookup(stack, node.path, where);
          if (v === MISSING) throw new TemplateError(`${where}: {{${node.path}}} is not defined`);
          if (v === null || v === undefined || v === '') break;
          if (typeof v === 'object' || typeof v === 'boolean')
            throw new TemplateError(`${where}: {{${node.path}}} is a ${typeof v}, not a text`);
          const text = String(v);
          if (node.path === 't' || node.path.startsWith('t.')) {
            // Strings are small templates themselves ("第{{edition.number}}期"): trusted text, escaped values.
            out += render(parsed(`strings:${text}`, text), stack, `strings ${node.path}`, true, depth + 1);
          } else {
            const safe = neutralisePlaceholders(text);
            out += opts.mode === 'html' ? escapeHtml(safe) : safe;
          }
          break;
        }
        case 'section': {
          const where = `${name}:${node.line}`;
          const v = lookup(stack, node.path, where);
          if (v === MISSING) throw new TemplateError(`${where}: {{#${node.path}}} is not defined`);
          const empty = v === null || v === undefined || v === false || v === '' || v === 0;
          const list = Array.isArray(v) ? v : undefined;
          if (node.inverted) {
            if (empty || list?.length === 0) out += render(node.children, stack, name, escapeText, depth);
          } else if (list) {
            for (const element of list)
              out += render(node.children, [...stack, element], name, escapeText, depth);
          } else if (!empty) {
            out += render(node.children, [...stack, v], name, escapeText, depth);
          }
          break;
        }
      }
    }
    return out;
  };

  return render(parsed(opts.templateName, source), [data], opts.templateName, false, 0);
}
