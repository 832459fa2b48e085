/**
 * Plain text from HTML that our sanitiser produced (src/adapters/mime/html.ts): a closed set of tags with
 * quoted attributes and escaped text, so a tokenizer is enough and a general HTML parser (html-to-text
 * with its own htmlparser2 and entity tables, ~180 KB of the ingest bundle) is not needed.
 * Iterative, so nesting depth cannot blow the stack. What it produces feeds field extraction (When:,
 * Deadline:, links) and summaries: paragraphs as blank-line-separated blocks, list items as "* " or
 * "1. ", quotes as "> " lines, links as "text <href>", table cells joined by " | ", images dropped.
 */
import { decodeEntities } from '../../domain/html.ts';

const BLOCK_GAP = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'table',
  'pre',
  'blockquote',
]);
const BLOCK_LINE = new Set(['div', 'li', 'tr', 'thead', 'tbody', 'tfoot', 'caption', 'hr']);
const TOKEN = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>|([^<]+)|</g;

const attr = (attrs: string, name: string) =>
  decodeEntities(new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(attrs)?.[1] ?? '');

/** "https://x.example/p" and "https://x.example/p/" (the sanitiser normalises hrefs) are one link. */
const sameUrl = (label: string, href: string) => {
  const norm = (u: string) => u.replace(/\/+$/, '').toLowerCase();
  return norm(label) === norm(href);
};

interface ListFrame {
  ordered: boolean;
  n: number;
}

export function sanitizedHtmlToText(html: string): string {
  const out: string[] = [];
  let cur = ''; // the line being written, without its quote prefix
  let curQuote = 0; // quote depth when that line started
  let gap = 0; // before the next text: 1 = a new line, 2 = a blank line
  let quote = 0;
  let pre = 0;
  let cells = 0;
  const lists: ListFrame[] = [];
  const links: { href: string; line: number; col: number }[] = [];

  let lastBlank = true; // the last line written is empty (or there is none): no blank line is owed
  const endLine = () => {
    out.push('> '.repeat(curQuote) + cur.trimEnd());
    lastBlank = cur.trim() === '';
    cur = '';
  };
  const block = (kind: 1 | 2) => {
    if (cur.trim()) endLine();
    cur = '';
    gap = Math.max(gap, kind);
  };
  const write = (t: string) => {
    if (cur === '') {
      if (!pre) t = t.replace(/^\s+/, '');
      if (!t) return;
      if (gap === 2 && !lastBlank) {
        out.push('> '.repeat(Math.min(quote, curQuote)).trimEnd());
        lastBlank = true;
      }
      gap = 0;
      curQuote = quote;
    } else if (!pre && cur.endsWith(' ') && t.startsWith(' ')) t = t.slice(1);
    cur += t;
  };

  for (const m of html.matchAll(TOKEN)) {
    const [, closing, rawName, attrs = '', text] = m;
    if (text !== undefined || !rawName) {
      const t = decodeEntities(text ?? '<');
      if (!pre) {
        write(t.replace(/\s+/g, ' '));
        continue;
      }
      t.split('\n').forEach((part, i) => {
        if (i > 0) {
          if (cur === '') curQuote = quote;
          endLine();
        }
        write(part);
      });
      continue;
    }
    const name = rawName.toLowerCase();
    if (name === 'img') continue;
    if (name === 'br') {
      if (cur === '') curQuote = quote;
      endLine();
      gap = 0;
      continue;
    }
    if (!closing) {
      if (BLOCK_GAP.has(name)) block(2);
      else if (BLOCK_LINE.has(name)) block(1);
      if (name === 'blockquote') quote++;
      else if (name === 'pre') pre++;
      else if (name === 'ul' || name === 'ol') lists.push({ ordered: name === 'ol', n: 0 });
      else if (name === 'li') {
        const l = lists.at(-1);
        if (l) l.n++;
        write(l?.ordered ? `${l.n}. ` : '* ');
      } else if (name === 'tr') cells = 0;
      else if ((name === 'td' || name === 'th') && cells++ > 0) write(' | ');
      else if (name === 'hr') {
        write('---');
        block(1);
      } else if (name === 'a') {
        // A link opening a paragraph: the blank line owed before it is written now, so its label is found
        // on the line it was recorded on (else the label was missed and the URL written a second time).
        if (cur === '' && gap === 2 && !lastBlank) {
          out.push('> '.repeat(Math.min(quote, curQuote)).trimEnd());
          lastBlank = true;
        }
        links.push({ href: attr(attrs, 'href'), line: out.length, col: cur.length });
      }
      continue;
    }
    if (name === 'a') {
      const link = links.pop();
      if (!link?.href) continue;
      const label = link.line === out.length ? cur.slice(link.col).trim() : '';
      // A URL glued to the word before it ("release<a>https://…</a>") reads as one word: keep them apart.
      const glued = (at: number) => at > 0 && !/[\s([<"'“‘«（【]/u.test(cur[at - 1] ?? ' ');
      if (label === link.href || `mailto:${label}` === link.href || (label && sameUrl(label, link.href))) {
        if (/^(?:https?:\/\/|mailto:)/i.test(label) && glued(link.col))
          cur = `${cur.slice(0, link.col)} ${cur.slice(link.col)}`;
        continue;
      }
      if (label) write(` <${link.href}>`);
      else write(glued(cur.length) ? ` ${link.href}` : link.href);
      continue;
    }
    if (name === 'blockquote') {
      block(2);
      quote = Math.max(0, quote - 1);
    } else if (name === 'pre') {
      block(2);
      pre = Math.max(0, pre - 1);
    } else if (name === 'ul' || name === 'ol') {
      lists.pop();
      block(2);
    } else if (BLOCK_GAP.has(name)) block(2);
    else if (BLOCK_LINE.has(name)) block(1);
  }
  if (cur.trim()) endLine();
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
