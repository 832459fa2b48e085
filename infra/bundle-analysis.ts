/** What a bundled function evaluates at start, from an esbuild metafile (infra tests and the Lambda bench). */
import { builtinModules } from 'node:module';
import type { Metafile } from 'esbuild';

const BUILTINS = new Set(builtinModules);

/** `node_modules/@scope/name/x.js` or a bare `@scope/name/sub` → `@scope/name`; builtins and files → undefined. */
export function packageOf(path: string): string | undefined {
  const at = path.lastIndexOf('node_modules/');
  const spec = at >= 0 ? path.slice(at + 'node_modules/'.length) : path;
  if (spec.startsWith('node:') || spec.startsWith('.') || spec.startsWith('/')) return undefined;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return BUILTINS.has(name) ? undefined : name;
}

/**
 * The npm modules (as written: `@aws-sdk/lib-dynamodb`, `zod`, `csv-parse/sync`) that Gazette's own modules
 * import statically, counting only the modules a cold start evaluates. Needs a split build (`splitting:
 * true`): everything behind `await import()` goes to other chunks; the entry chunk and the chunks it imports
 * statically are what is evaluated. `entry` is the handler's source path as esbuild names it.
 */
export function eagerImports(meta: Metafile, entry: string): string[] {
  // Chunks behind a dynamic import are entry points too: pick the handler's own.
  const entryOut = Object.entries(meta.outputs).find(([, o]) => o.entryPoint?.endsWith(entry))?.[0];
  if (!entryOut) throw new Error(`no output chunk for ${entry}`);
  const seen = new Set<string>();
  const ownModules = new Set<string>();
  const visit = (out: string) => {
    if (seen.has(out)) return;
    seen.add(out);
    const o = meta.outputs[out];
    if (!o) return;
    for (const input of Object.keys(o.inputs)) if (!input.includes('node_modules/')) ownModules.add(input);
    for (const i of o.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entryOut);
  const specifiers = new Set<string>();
  for (const m of ownModules)
    for (const i of meta.inputs[m]?.imports ?? []) {
      const spec = i.original ?? i.path;
      if (i.kind !== 'import-statement' || !packageOf(spec)) continue;
      if (i.external || i.path.includes('node_modules/')) specifiers.add(spec);
    }
  return [...specifiers].sort();
}
