/**
 * Compiles templates/system/layout.mjml, the layout of every system mail, to HTML with {{slots}} left in
 * place, and writes it to src/use-cases/shared/system-layout-html.ts. Run at build time, not in a Lambda:
 * only compile-edition may carry mjml, so the other functions (api, ingest, reminder, send-worker) fill the
 * compiled layout by substitution (src/use-cases/shared/system-mail.ts). A unit test compiles the source
 * again and fails when the committed output is stale.
 *
 *   npx tsx src/adapters/mjml/system-layout.ts --write
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TemplateError } from '../../domain/errors.ts';
import { findTemplatesDir } from './mjml-renderer.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const SYSTEM_LAYOUT_MODULE = resolve(here, '../../use-cases/shared/system-layout-html.ts');

export async function compileSystemLayout(templatesDir?: string): Promise<string> {
  const source = readFileSync(join(findTemplatesDir(templatesDir), 'system', 'layout.mjml'), 'utf8');
  return compileSystemLayoutSource(source);
}

/** The same for a layout given as text (one saved in the template store). */
export async function compileSystemLayoutSource(source: string): Promise<string> {
  const { default: mjml2html } = await import('mjml');
  const out = await mjml2html(source, { validationLevel: 'strict', keepComments: true });
  if (out.errors.length)
    throw new TemplateError(
      `templates/system/layout.mjml: ${out.errors.map((e) => e.formattedMessage).join('; ')}`,
    );
  return out.html;
}

export function systemLayoutModule(html: string): string {
  return `// Generated from templates/system/layout.mjml by src/adapters/mjml/system-layout.ts: do not edit.
// Rebuild: npx tsx src/adapters/mjml/system-layout.ts --write
export const SYSTEM_LAYOUT_HTML = ${JSON.stringify(html)};
`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const html = await compileSystemLayout();
  if (process.argv.includes('--write')) {
    writeFileSync(SYSTEM_LAYOUT_MODULE, systemLayoutModule(html));
    console.log(`wrote ${SYSTEM_LAYOUT_MODULE} (${html.length} characters)`);
  } else process.stdout.write(html);
}
