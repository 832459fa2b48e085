/**
 * HTML adapter: sanitize-html (allow-list) and html-to-text behind the HtmlTools port.
 * Member mail is untrusted: Outlook's conditional comments and VML, Apple Mail's quoting, and whatever
 * an attacker writes all end up as a small set of structural tags with http(s)/mailto links only.
 */
import { convert } from 'html-to-text';
import sanitizeHtml from 'sanitize-html';
import type { HtmlTools } from '../../ports/inbound.ts';

export interface HtmlLimits {
  /** Input longer than this is cut before sanitising (the parser is linear, but memory is not free). */
  maxInputChars: number;
  /** html-to-text recursion depth (deeply nested markup would otherwise blow the stack). */
  maxDepth: number;
}

const DEFAULT_HTML_LIMITS: HtmlLimits = { maxInputChars: 2_000_000, maxDepth: 64 };

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
};

export function createHtmlTools(limits: Partial<HtmlLimits> = {}): HtmlTools {
  const l = { ...DEFAULT_HTML_LIMITS, ...limits };
  return {
    sanitize(html) {
      return sanitizeHtml(html.slice(0, l.maxInputChars), SANITIZE).trim();
    },
    toText(html) {
      try {
        return convert(html.slice(0, l.maxInputChars), {
          wordwrap: false,
          limits: { maxDepth: l.maxDepth, maxInputLength: l.maxInputChars, ellipsis: '…' },
          selectors: [
            { selector: 'a', options: { hideLinkHrefIfSameAsText: true, linkBrackets: ['<', '>'] } },
            { selector: 'img', format: 'skip' },
            { selector: 'h1', options: { uppercase: false } },
            { selector: 'h2', options: { uppercase: false } },
            { selector: 'h3', options: { uppercase: false } },
            { selector: 'table', format: 'dataTable' },
          ],
        }).trim();
      } catch {
        // Last resort for markup html-to-text refuses: tags out, entities of the common kind decoded.
        return html
          .slice(0, l.maxInputChars)
          .replace(/<[^>]*>/g, ' ')
          .replace(/&nbsp;/g, ' ')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&amp;/g, '&')
          .replace(/[ \t]+/g, ' ')
          .trim();
      }
    },
  };
}
