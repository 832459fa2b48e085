import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate } from '../../../src/adapters/mjml/template-engine.ts';
import { TemplateError } from '../../../src/domain/errors.ts';

const html = (src: string, data: Record<string, unknown>, partials: Record<string, string> = {}) =>
  renderTemplate(src, data, {
    mode: 'html',
    templateName: 'test.mjml',
    partial: (n) => {
      const p = partials[n];
      if (p === undefined) throw new Error('missing');
      return p;
    },
  });
const text = (src: string, data: Record<string, unknown>) =>
  renderTemplate(src, data, { mode: 'text', templateName: 'test.txt' });

describe('template engine', () => {
  it('escapes values for HTML and leaves them as they are in text templates', () => {
    const data = { title: '<script>alert("x")</script> & Co' };
    expect(html('<p>{{title}}</p>', data)).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</p>',
    );
    expect(text('{{title}}', data)).toBe('<script>alert("x")</script> & Co');
  });

  it('refuses unescaped output ({{{…}}}) so data can never become markup', () => {
    expect(() => html('{{{title}}}', { title: 'x' })).toThrow(/unescaped output\) is not allowed/);
  });

  it('repeats a section per list element, skips empty lists and renders inverted sections for them', () => {
    const src = '{{#items}}[{{label}}]{{/items}}{{^items}}none{{/items}}';
    expect(html(src, { items: [{ label: 'a' }, { label: 'b' }] })).toBe('[a][b]');
    expect(html(src, { items: [] })).toBe('none');
  });

  it('prints the current element with {{.}} and looks names up in enclosing scopes', () => {
    expect(html('{{#xs}}{{.}}-{{sep}} {{/xs}}', { xs: ['一', '二'], sep: '·' })).toBe('一-· 二-· ');
  });

  it('treats null and empty text as nothing but an undefined name as an error with its line', () => {
    expect(html('a{{x}}b', { x: null })).toBe('ab');
    expect(() => html('line one\n{{tilte}}', { title: 'x' })).toThrow(
      /test\.mjml:2: \{\{tilte\}\} is not defined/,
    );
    expect(() => html('{{#nope}}x{{/nope}}', {})).toThrow(TemplateError);
  });

  it('reports unbalanced sections', () => {
    expect(() => parseTemplate('{{#a}}x', 't')).toThrow(/never closed/);
    expect(() => parseTemplate('{{#a}}x{{/b}}', 't')).toThrow(/closes \{\{#a\}\}/);
  });

  it('includes partials in the current scope', () => {
    expect(html('{{#items}}{{> item}}{{/items}}', { items: [{ t: 'x' }] }, { item: '<b>{{t}}</b>' })).toBe(
      '<b>x</b>',
    );
    expect(() => html('{{> missing}}', {})).toThrow(/no partial named "missing"/);
  });

  it('leaves per-recipient placeholders for the send-time personaliser', () => {
    const src = '<a href="{{unsubscribe_url}}">x</a> {{name|reader}} {{email}} {{preferences_url}}';
    expect(html(src, {})).toBe(src);
  });

  it('breaks up placeholder look-alikes inside data so a member cannot inject one', () => {
    const out = html('{{summary}}', { summary: 'see {{unsubscribe_url}}' });
    expect(out).not.toContain('{{unsubscribe_url}}');
  });

  it('breaks up placeholder look-alikes behind any run of opening braces', () => {
    for (const value of ['{{{email}}', '{{{{unsubscribe_url}}', 'x{{{{{name|y}}']) {
      expect(html('{{v}}', { v: value })).not.toMatch(/\{\{/);
      expect(text('{{v}}', { v: value })).not.toMatch(/\{\{/);
    }
  });

  it('renders strings as small templates with escaped values, and resolves $dynamic keys', () => {
    const data = {
      edition: { number: 8 },
      id: 'events',
      t: { label: '第{{edition.number}}期 & more', sections: { events: 'Events <ahead>' } },
    };
    expect(html('{{t.label}}|{{t.sections.$id}}', data)).toBe('第8期 &amp; more|Events &lt;ahead&gt;');
  });

  it('drops the line of a block tag that stands alone on it (text templates stay tidy)', () => {
    const src = 'a\n{{#x}}\n  b\n{{/x}}\nc\n';
    expect(text(src, { x: true })).toBe('a\n  b\nc\n');
    expect(text(src, { x: false })).toBe('a\nc\n');
  });
});
