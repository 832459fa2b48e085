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
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }),
  },
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  // No class, style or on* attributes anywhere: only the attributes listed above survive.
  allowedClasses: {},
  // Never parse CSS: no style attribute is allowed, and the Lambda bundles leave postcss out (infra/bundling.ts).
  parseStyleAttributes: false,
};

export function createHtmlTools(limits: Partial<HtmlLimits> = {}): HtmlTools {
  const l = { ...DEFAULT_HTML_LIMITS, ...limits };
  const sanitize = (html: string) => sanitizeHtml(html.slice(0, l.maxInputChars), SANITIZE).trim();
  return {
    sanitize,
    // Sanitising first gives the converter the closed tag set it is written for (idempotent on sanitised input).
    toText: (html) => sanitizedHtmlToText(sanitize(html)),
  };
}
