import { escapeHtml } from '../../domain/html.ts';
import { SYSTEM_LAYOUT_HTML } from './system-layout-html.ts';

/**
 * Every system mail (subscription confirmation, reminders, acknowledgements, notices) in the newsletter's
 * own MJML layout (templates/system/layout.mjml, compiled at build time: mjml stays out of these Lambdas),
 * filled here by plain substitution, so a wave of reminders costs a few string replacements per mail.
 */
export interface SystemMailParts {
  lang: string;
  /** Subject: also the document <title>. */
  title: string;
  preheader?: string;
  newsletterName: string;
  /** HTML of the main text, already escaped (use `paragraphs`). */
  bodyHtml: string;
  action?: { url: string; label: string };
  /** HTML of the small print under the button, already escaped. */
  notesHtml?: string;
  /** HTML of the footer line (why you get this, links), already escaped. */
  footerHtml: string;
  postalAddress: string;
  /**
   * The compiled layout to fill: a saved templates/system/layout.mjml (the template store), else the one
   * compiled at build time.
   */
  layoutHtml?: string;
}

/** Slots a layout must have: without them a system mail would lose its text, its footer or the address. */
export const REQUIRED_SYSTEM_SLOTS = ['body', 'footer', 'postal_address'] as const;

const RTL = /^(ar|he|fa|ur)\b/i;

const cut = (html: string, block: string, keep: boolean) =>
  html.replace(new RegExp(`<!--gz:${block}-->([\\s\\S]*?)<!--/gz:${block}-->`), keep ? '$1' : '');

export function systemMailHtml(p: SystemMailParts): string {
  const slots: Record<string, string> = {
    lang: escapeHtml(p.lang),
    dir: RTL.test(p.lang) ? 'rtl' : 'ltr',
    title: escapeHtml(p.title),
    preheader: escapeHtml(p.preheader ?? ''),
    newsletter_name: escapeHtml(p.newsletterName),
    body: p.bodyHtml,
    action_url: escapeHtml(p.action?.url ?? ''),
    action_label: escapeHtml(p.action?.label ?? ''),
    notes: p.notesHtml ?? '',
    footer: p.footerHtml,
    postal_address: escapeHtml(p.postalAddress),
  };
  let html = cut(p.layoutHtml ?? SYSTEM_LAYOUT_HTML, 'action', Boolean(p.action));
  html = cut(html, 'notes', Boolean(p.notesHtml));
  // One pass: a value containing "{{…}}" (a member's title) is never substituted again.
  return html.replace(/\{\{([a-z_]+)\}\}/g, (m, k: string) => slots[k] ?? m);
}

/** Paragraphs of plain text as escaped HTML (line breaks kept). */
export const paragraphs = (lines: string[]) =>
  lines
    .filter((l) => l.trim())
    .map((l) => `<p>${escapeHtml(l).replace(/\n/g, '<br>')}</p>`)
    .join('');

const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;
const width = (ch: string) => (WIDE.test(ch) ? 2 : 1);
const URL_RE = /^(https?:\/\/|mailto:)\S+$/;

/**
 * Plain text wrapped at 78 columns (RFC 5322 2.1.1), counting CJK characters as two columns: between
 * words, and between CJK characters, which need no space. A URL is never broken (mail programs would not
 * find it again), so a line holding one may be longer. Continuation lines keep the line's indentation plus
 * two spaces after a "Label: " start, so "Due: …" reads as one field.
 */
export function wrapText(text: string, columns = 78): string {
  return text
    .split('\n')
    .map((line) => wrapLine(line, columns))
    .join('\n');
}

function wrapLine(line: string, columns: number): string {
  let cols = 0;
  for (const ch of line) cols += width(ch);
  if (cols <= columns) return line;
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const hanging = /^\s*[^\s:]{1,30}(\s[^\s:]{1,30}){0,3}: /.test(line) ? `${indent}  ` : indent;
  const out: string[] = [];
  let current = '';
  let used = 0;
  const push = () => {
    out.push(current.replace(/\s+$/, ''));
    current = hanging;
    used = hanging.length;
  };
  // Tokens: words with their following spaces, single CJK characters.
  const tokens =
    line
      .slice(indent.length)
      .match(new RegExp(`${WIDE.source}|[^\\s${WIDE.source.slice(1, -1)}]+\\s*|\\s+`, 'g')) ?? [];
  current = indent;
  used = indent.length;
  for (const tok of tokens) {
    let w = 0;
    for (const ch of tok.replace(/\s+$/, '')) w += width(ch);
    if (used + w > columns && current.trim()) push();
    if (w > columns - used && !URL_RE.test(tok.trim())) {
      // A word longer than a line (not a URL): cut it.
      for (const ch of tok) {
        if (used + width(ch) > columns) push();
        current += ch;
        used += width(ch);
      }
      continue;
    }
    current += tok;
    used += w + (tok.length - tok.replace(/\s+$/, '').length);
  }
  if (current.trim()) out.push(current.replace(/\s+$/, ''));
  return out.join('\n');
}
