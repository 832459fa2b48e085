import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../src/adapters/mjml/template-engine.ts';
import {
  chooseVariant,
  compilePersonaliser,
  hasPlaceholders,
  personalise,
} from '../../../src/use-cases/editions/personalise.ts';

const values = {
  name: 'Zhang Wei',
  email: 'wei@example.cn',
  unsubscribe_url: 'https://api.example.org/v1/unsubscribe?token=a.b&x=1',
  preferences_url: 'https://api.example.org/v1/preferences?token=c.d',
};

describe('personaliser', () => {
  it('fills every placeholder, escaping for HTML', () => {
    const tpl =
      '<p>Dear {{name}}</p><a href="{{unsubscribe_url}}">u</a><a href="{{preferences_url}}">p</a> {{email}}';
    expect(personalise(tpl, values, 'html')).toBe(
      '<p>Dear Zhang Wei</p><a href="https://api.example.org/v1/unsubscribe?token=a.b&amp;x=1">u</a><a href="https://api.example.org/v1/preferences?token=c.d">p</a> wei@example.cn',
    );
    expect(personalise('Unsubscribe: {{unsubscribe_url}}', values, 'text')).toBe(
      `Unsubscribe: ${values.unsubscribe_url}`,
    );
  });

  it('uses the fallback when the subscriber has no name', () => {
    const run = compilePersonaliser('{{name|读者}}，您好', 'html');
    expect(run({ ...values, name: '' })).toBe('读者，您好');
    expect(run({ ...values, name: '  ' })).toBe('读者，您好');
    expect(run(values)).toBe('Zhang Wei，您好');
  });

  it('never lets a name inject markup, line breaks or a new placeholder', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const html = personalise('<p>{{name}}</p>', { ...values, name }, 'html');
        const inner = html.slice(3, -4);
        expect(inner).not.toMatch(/[<>"]/);
        const text = personalise('Hi {{name}}', { ...values, name }, 'text');
        expect(text).not.toMatch(/[\r\n]/);
        expect(hasPlaceholders(text)).toBe(false);
      }),
    );
  });

  it('returns the template unchanged when it has no placeholders', () => {
    expect(compilePersonaliser('<p>plain</p>', 'html')(values)).toBe('<p>plain</p>');
  });

  it('does not substitute a placeholder a member smuggled into compiled content', () => {
    const compiled = renderTemplate(
      '<p>{{summary}}</p>{{name}}',
      { summary: 'click {{unsubscribe_url}}' },
      {
        mode: 'html',
        templateName: 't',
      },
    );
    const out = personalise(compiled, values, 'html');
    expect(out).not.toContain(values.unsubscribe_url.replace('&', '&amp;'));
    expect(out).toContain('Zhang Wei');
  });

  it("does not hand a member link the recipient's address or unsubscribe link through an odd run of braces", () => {
    const url = 'https://evil.example/?e={{{email}}&u={{{{{unsubscribe_url}}';
    for (const mode of ['html', 'text'] as const) {
      const compiled = renderTemplate(
        '<a href="{{url}}">{{title}}</a>',
        { url, title: 'see {{{preferences_url}}' },
        { mode, templateName: 't' },
      );
      expect(hasPlaceholders(compiled)).toBe(false);
      const out = personalise(compiled, values, mode);
      expect(out).not.toContain(values.email);
      expect(out).not.toContain('token=');
    }
  });

  it('keeps a name made of braces from leaving a placeholder in the text', () => {
    const text = personalise('Hi {{name}}', { ...values, name: '{{{email}}' }, 'text');
    expect(hasPlaceholders(text)).toBe(false);
  });

  it('chooses the language variant: exact, then base language, then English', () => {
    const variants = [{ language: 'en' }, { language: 'zh' }, { language: 'ja' }];
    expect(chooseVariant(variants, 'zh').language).toBe('zh');
    expect(chooseVariant(variants, 'zh-Hans').language).toBe('zh');
    expect(chooseVariant(variants, 'ko').language).toBe('en');
    expect(chooseVariant([{ language: 'zh' }, { language: 'en' }], 'de').language).toBe('en');
  });
});
