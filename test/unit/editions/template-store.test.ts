import { describe, expect, it } from 'vitest';
import { templateToolsFor, validateTemplateFile } from '../../../src/adapters/mjml/mjml-validator.ts';
import { oneRenderAtATime } from '../../../src/use-cases/editions/templates.ts';

/** mjml's own validator on one template file as written (src/adapters/mjml/mjml-validator.ts). */
describe('template file validation', () => {
  it('passes every file of the deployed templates/ folder', async () => {
    const files = await templateToolsFor().folder();
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining(['edition.mjml', 'partials/item.mjml', 'strings/en.json', 'system/layout.mjml']),
    );
    for (const [name, text] of Object.entries(files))
      expect(await validateTemplateFile(name, text), name).toEqual([]);
  });

  it("reports an unknown tag or attribute with the file's own line and mjml's message", async () => {
    const src = [
      '<mj-section>',
      '  <mj-column>',
      '    <mj-text>{{title}}</mj-text>',
      '    <mj-image src="{{src}}" colour="red" />',
      '    <mj-buton href="{{url}}">Go</mj-buton>',
      '  </mj-column>',
      '</mj-section>',
    ].join('\n');
    expect(await validateTemplateFile('partials/x.mjml', src)).toEqual([
      { file: 'partials/x.mjml', line: 4, message: 'mj-image: Attribute colour is illegal' },
      {
        file: 'partials/x.mjml',
        line: 5,
        message: "mj-buton: Element mj-buton doesn't exist or is not registered",
      },
    ]);
  });

  it("holds a partial's nested elements to their parents, but not its top level to the includer", async () => {
    // partials/foreword.mjml is an mj-text included inside a column: fine on its own.
    expect(await validateTemplateFile('partials/f.mjml', '<mj-text>{{.}}</mj-text>')).toEqual([]);
    expect(
      await validateTemplateFile('partials/f.mjml', '<mj-section>\n  <mj-text>x</mj-text>\n</mj-section>'),
    ).toEqual([
      {
        file: 'partials/f.mjml',
        line: 2,
        message: expect.stringContaining('mj-text cannot be used inside mj-section'),
      },
    ]);
  });

  it('leaves placeholder values to the render, and never reads a comment or block tag as markup', async () => {
    const src =
      '{{! words in strings/<lang>.json }}\n<mj-section background-color="{{colors.primary}}">{{#items}}\n<mj-column><mj-text>{{title}}</mj-text></mj-column>{{/items}}\n</mj-section>';
    expect(await validateTemplateFile('partials/s.mjml', src)).toEqual([]);
  });

  it('reports template syntax by line, in .mjml and .txt alike', async () => {
    expect(await validateTemplateFile('partials/item.txt', 'a\n{{#links}}\n{{url}}\n')).toEqual([
      { file: 'partials/item.txt', line: 2, message: '{{#links}} is never closed' },
    ]);
  });

  it('requires strings to be a JSON object, naming the line of a syntax error', async () => {
    expect(await validateTemplateFile('strings/fr.json', '{\n  "intro": "Bonjour",\n}')).toEqual([
      { file: 'strings/fr.json', line: 3, message: expect.stringMatching(/^not valid JSON/) },
    ]);
    expect(await validateTemplateFile('strings/fr.json', '["Bonjour"]')).toEqual([
      { file: 'strings/fr.json', message: expect.stringContaining('JSON object') },
    ]);
  });
});

describe('renders with stored files', () => {
  const setWith = async (mark: string) => {
    const files = await templateToolsFor().folder();
    return { ...files, 'edition.txt': `${mark}\n${files['edition.txt'] ?? ''}` };
  };

  it('one at a time: a compile and a preview at once each get their own files', async () => {
    const { createMjmlRenderer } = await import('../../../src/adapters/mjml/mjml-renderer.ts');
    const sample = await templateToolsFor().sample();
    const renderer = oneRenderAtATime(() => createMjmlRenderer());
    const r = await renderer();
    const [a, b] = await Promise.all([
      r.render('edition', sample, { files: await setWith('SET-A') }),
      r.render('edition', sample, { files: await setWith('SET-B') }),
    ]);
    expect(a.text).toContain('SET-A');
    expect(b.text).toContain('SET-B');
    expect(r.languages?.()).toContain('en'); // the rest of the renderer is the same
  });
});
