import type { EditionRenderer } from '../../ports/renderer.ts';

/** Placeholder until the editions work lands: the only module that imports mjml. */
export async function createMjmlRenderer(): Promise<EditionRenderer> {
  const { default: mjml2html } = await import('mjml');
  return {
    async render(template) {
      const out = await mjml2html(template, { validationLevel: 'strict' });
      return {
        html: out.html,
        text: '',
        warnings: out.errors.map((e: { formattedMessage: string }) => e.formattedMessage),
      };
    },
  };
}
