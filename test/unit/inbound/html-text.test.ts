import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHtmlTools } from '../../../src/adapters/mime/html.ts';
import { sanitizedHtmlToText } from '../../../src/adapters/mime/html-text.ts';
import { decodeEntities } from '../../../src/domain/html.ts';

const html = createHtmlTools();
const text = (h: string) => html.toText(h);

describe('plain text from member HTML', () => {
  it('keeps paragraphs as blank-line-separated blocks and divs as lines', () => {
    expect(text('<p>Hello <b>world</b>.</p><p>Second paragraph.</p>')).toBe(
      'Hello world.\n\nSecond paragraph.',
    );
    expect(text('<div>When: 12 May 2026, 10:00</div><div>Deadline: 30 March 2026</div>')).toBe(
      'When: 12 May 2026, 10:00\nDeadline: 30 March 2026',
    );
  });

  it('writes links as "text <href>", once when the text is the address', () => {
    expect(
      text(
        '<p>Read <a href="https://gpn.example/guide">the guide</a>, <a href="https://gpn.example">https://gpn.example</a> or <a href="mailto:info@gpn.example">info@gpn.example</a>.</p>',
      ),
    ).toBe('Read the guide <https://gpn.example/guide>, https://gpn.example or info@gpn.example.');
  });

  it('numbers ordered lists and bullets unordered ones', () => {
    expect(text('<ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>')).toBe(
      '* one\n* two\n\n1. first\n2. second',
    );
  });

  it('prefixes quoted mail with "> " so the quoted-reply cutter recognises it', () => {
    expect(text('<p>Thanks!</p><blockquote><p>On Monday, Ana wrote:</p><p>old news</p></blockquote>')).toBe(
      'Thanks!\n\n> On Monday, Ana wrote:\n>\n> old news',
    );
  });

  it('joins table cells with " | ", one row per line', () => {
    expect(
      text('<table><tr><th>Event</th><th>Date</th></tr><tr><td>Forum</td><td>12 May</td></tr></table>'),
    ).toBe('Event | Date\nForum | 12 May');
  });

  it('keeps line breaks and preformatted text, drops images', () => {
    expect(
      text('<p>line 1<br>line 2</p><pre>a  b\n  c</pre><img src="https://x.example/i.png" alt="x">'),
    ).toBe('line 1\nline 2\n\na  b\n  c');
  });

  it('decodes entities once (an escaped "&lt;script&gt;" stays text, never markup)', () => {
    expect(text('<p>R&amp;D &lt;script&gt; &#20013;&#x6587; caf&eacute;</p>')).toBe('R&D <script> 中文 café');
    expect(decodeEntities('&amp;lt; &#0; &#xD800; &unknown;')).toBe('&lt; \ufffd \ufffd &unknown;');
  });

  it('does not take a paragraph that is just ">" for an empty quote line (found by the property below)', () => {
    expect(text('<p>&gt;</p><p>一</p>')).toBe('>\n\n一');
  });

  it('drops what the sanitiser drops: scripts, styles and comments never reach the text', () => {
    const out = text('<style>p{color:red}</style><script>alert(1)</script><!-- hidden --><p>Visible</p>');
    expect(out).toBe('Visible');
  });

  it('handles 50,000 levels of nesting without recursion', () => {
    expect(text(`${'<div>'.repeat(50_000)}deep text${'</div>'.repeat(50_000)}`)).toBe('deep text');
  });

  it('never loses the words of a paragraph (property)', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9\u4e00-\u9fa5&<>"']{1,12}$/);
    fc.assert(
      fc.property(
        fc.array(fc.array(word, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        (paras) => {
          const esc = (w: string) =>
            w.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
          const input = paras.map((p) => `<p>${p.map(esc).join(' ')}</p>`).join('');
          expect(text(input)).toBe(paras.map((p) => p.join(' ')).join('\n\n'));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps every word, in order, whatever the nesting of blocks, lists, quotes, tables and links (property)', () => {
    type Node = string | { tag: string; children: Node[] };
    const word = fc.stringMatching(/^w[a-z]{2,7}$/);
    const { tree } = fc.letrec<{ tree: Node; node: Node }>((tie) => ({
      tree: fc.record({
        tag: fc.constantFrom('p', 'div', 'blockquote', 'ul', 'ol', 'table', 'pre', 'b', 'a', 'h2', 'span'),
        children: fc.array(tie('node'), { minLength: 1, maxLength: 4 }),
      }),
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, word, word, tie('tree')),
    }));
    const render = (n: Node): string => {
      if (typeof n === 'string') return ` ${n} `;
      const inner = n.children.map(render).join('');
      if (n.tag === 'ul' || n.tag === 'ol') return `<${n.tag}><li>${inner}</li><li>wend</li></${n.tag}>`;
      if (n.tag === 'table') return `<table><tr><td>${inner}</td><td>wcell</td></tr></table>`;
      if (n.tag === 'a') return `<a href="https://x.example/">${inner}</a><br>`;
      return `<${n.tag}>${inner}</${n.tag}>`;
    };
    const words = (n: Node): string[] =>
      typeof n === 'string'
        ? [n]
        : n.tag === 'ul' || n.tag === 'ol'
          ? [...n.children.flatMap(words), 'wend']
          : n.tag === 'table'
            ? [...n.children.flatMap(words), 'wcell']
            : n.children.flatMap(words);
    fc.assert(
      fc.property(tree, (t) => {
        const out = text(render(t));
        expect(out).not.toMatch(/<(?!https:)[a-z/]/);
        expect(out.match(/\bw[a-z]+/g)).toEqual(words(t));
      }),
      { numRuns: 300 },
    );
  });

  it('treats a stray "<" in sanitised text as text', () => {
    expect(sanitizedHtmlToText('a < b')).toBe('a < b');
  });
});
