/**
 * HTML adapter: sanitize-html (allow-list) behind the HtmlTools port, and plain text from its output.
 * Member mail is untrusted: Outlook's conditional comments and VML, Apple Mail's quoting, and whatever
 * an attacker writes all end up as a small set of structural tags with http(s)/mailto links only.
 */
import sanitizeHtml from 'sanitize-html';
import type { HtmlTools } from '../../ports/inbound.ts';
import { sanitizedHtmlToText } from './html-text.ts';

export interface HtmlLimits {
  /** Input longer than this is cut before sanitising (the parser is linear, but memory is not free). */
  maxInputChars: number;
}

const DEFAULT_HTML_LIMITS: HtmlLimits = { maxInputChars: 2_000_000 };

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'div',
    'span',
    'a',
    'strong',
    'b',
    'em',
    'i',
    'u',
    's',
    'sub',
    'sup',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'ul',
    'ol',
    'li',
    'blockquote',
    'pre',
    'code',
    'hr',
    'table',
    'thead',
    'tbody',
    'tfoot',
    'tr',
    'th',
    'td',
    'caption',
    'img',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['https'] },
  allowProtocolRelative: false,
  // Content of these is dropped entirely, not unwrapped into text.
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'title',
    'head',
    'iframe',
    'object',
    'embed',
    'template',
    'xml',
    'svg',
    'math',
  ],
  disallowedTagsMode: 'discard',
  // sanitize-html lets relative URLs through whatever allowedSchemes says: "x", "/v1/preferences?token=…",
  // "../admin/…" would resolve against wherever the edition is read. Only absolute URLs remain.
  transformTags: {
    a: (_tag, attribs) => {
      const href = absoluteUrl(attribs.href, ['http:', 'https:', 'mailto:']);
      if (!href) return { tagName: 'span', attribs: {} };
      return {
        tagName: 'a',
        attribs: {
          href,
          ...(attribs.title ? { title: attribs.title } : {}),
          rel: 'noopener noreferrer nofollow',
        },
      };
    },
    img: (_tag, attribs) => {
      const src = absoluteUrl(attribs.src, ['https:']);
      const { src: _drop, ...rest } = attribs;
      return { tagName: 'img', attribs: src ? { src, ...rest } : rest };
    },
  },
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  // No class, style or on* attributes anywhere: only the attributes listed above survive.
  allowedClasses: {},
  // Never parse CSS: no style attribute is allowed, and the Lambda bundles leave postcss out (infra/bundling.ts).
  parseStyleAttributes: false,
};

/** The URL when it is absolute with one of the schemes (no credentials), else undefined. */
function absoluteUrl(raw: string | undefined, schemes: string[]): string | undefined {
  const value = (raw ?? '').trim();
  // An absolute URL names its scheme first; "/x", "x", "../x", "//host/x" and "\\host" do not.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return undefined;
  try {
    const u = new URL(value);
    if (!schemes.includes(u.protocol) || u.username || u.password) return undefined;
    if (u.protocol !== 'mailto:' && !u.hostname) return undefined;
    return u.href.length <= 2_000 ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function createHtmlTools(limits: Partial<HtmlLimits> = {}): HtmlTools {
  const l = { ...DEFAULT_HTML_LIMITS, ...limits };
  const sanitize = (html: string) => sanitizeHtml(html.slice(0, l.maxInputChars), SANITIZE).trim();
  return {
    sanitize,
    // Sanitising first gives the converter the closed tag set it is written for (idempotent on sanitised input).
    toText: (html) => sanitizedHtmlToText(sanitize(html)),
  };
}
