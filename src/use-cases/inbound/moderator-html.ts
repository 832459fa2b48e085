/**
 * A moderator's HTML body is checked, not sanitised: the API function carries no HTML sanitiser (only the
 * ingest function parses member mail), so an edit must already be in the sanitiser's closed tag set. What
 * falls outside is refused with the tag or attribute named, never silently changed.
 */
import { decodeEntities } from '../../domain/html.ts';
import { ValidationError } from '../../domain/index.ts';

const TAGS = new Set(
  (
    'p br div span a strong b em i u s sub sup h1 h2 h3 h4 h5 h6 ul ol li blockquote pre code hr ' +
    'table thead tbody tfoot tr th td caption img'
  ).split(' '),
);
const ATTRIBUTES: Record<string, Set<string>> = {
  a: new Set(['href', 'title', 'rel']),
  img: new Set(['src', 'alt', 'width', 'height']),
  td: new Set(['colspan', 'rowspan']),
  th: new Set(['colspan', 'rowspan']),
};
const TOKEN =
  /<!--|<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>|</g;
const ATTR = /([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

function absolute(url: string, schemes: string[]): boolean {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url.trim())) return false;
  try {
    const u = new URL(url.trim());
    return (
      schemes.includes(u.protocol) && !u.username && !u.password && (u.protocol === 'mailto:' || !!u.hostname)
    );
  } catch {
    return false;
  }
}

/** Throws ValidationError naming the first thing outside the allow-list (docs/inbound.md, HTML). */
export function checkModeratorHtml(html: string): void {
  for (const m of html.matchAll(TOKEN)) {
    const [whole, , rawName, attrs = ''] = m;
    if (whole === '<!--') throw new ValidationError('bodyHtml: comments are not allowed');
    if (!rawName) throw new ValidationError('bodyHtml: a lone "<" must be written &lt;');
    const name = rawName.toLowerCase();
    if (!TAGS.has(name)) throw new ValidationError(`bodyHtml: <${name}> is not allowed`);
    for (const a of attrs.matchAll(ATTR)) {
      const attr = (a[1] ?? '').toLowerCase();
      const value = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
      if (!ATTRIBUTES[name]?.has(attr))
        throw new ValidationError(`bodyHtml: ${name}[${attr}] is not allowed`);
      if (name === 'a' && attr === 'href' && !absolute(value, ['http:', 'https:', 'mailto:']))
        throw new ValidationError('bodyHtml: links must be absolute http(s) or mailto URLs');
      if (name === 'img' && attr === 'src' && !absolute(value, ['https:']))
        throw new ValidationError('bodyHtml: images must be absolute https URLs');
    }
  }
}

/** Plain text of checked moderator HTML (for bodyText when only the HTML was edited). */
export function moderatorHtmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<li\b[^>]*>/gi, '\n* ')
      .replace(/<\/(p|div|h[1-6]|ul|ol|table|tr|blockquote|pre)>/gi, '\n\n')
      .replace(/<[^>]*>/g, ''),
  )
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
