import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const importsOf = (file: string) =>
  [
    ...readFileSync(join(root, file), 'utf8').matchAll(
      /(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)|(?:^|\n)\s*import\s+'([^']+)'/g,
    ),
  ].map((m) => (m[1] ?? m[2] ?? m[3]) as string);

/** Files of `dir` importing something that matches `bad` (side-effect imports too), as "file → import". */
function violations(dir: string, bad: (spec: string, file: string) => boolean): string[] {
  return files(dir).flatMap((f) =>
    importsOf(f)
      .filter((s) => bad(s, f))
      .map((s) => `${relative(root, join(root, f))} → ${s}`),
  );
}

const aws = (s: string) => /^@aws-sdk\/|^@smithy\/|^@aws-crypto\//.test(s);

describe('architecture (house style layering)', () => {
  it('only adapters import the AWS SDK', () => {
    const outside = [
      'src/domain',
      'src/ports',
      'src/use-cases',
      'src/app',
      'src/http',
      'src/runtimes',
      'src/config',
      'functions',
    ];
    expect(outside.flatMap((d) => violations(d, aws))).toEqual([]);
  });

  it('use cases depend on domain, ports and each other only: never on adapters, app wiring or runtimes', () => {
    expect(violations('src/use-cases', (s) => /\/(adapters|app|runtimes|http)\//.test(s))).toEqual([]);
  });

  it('the domain is pure: no ports, adapters, use cases or I/O libraries', () => {
    expect(
      violations(
        'src/domain',
        (s) => /\/(ports|adapters|use-cases|app|runtimes)\//.test(s) || /^node:(fs|net|http)/.test(s),
      ),
    ).toEqual([]);
  });

  it('only the MJML adapter imports mjml, and only the compile-edition Lambda imports that adapter', () => {
    // mjml itself and its packages (mjml-core, mjml-parser-xml, mjml-validator, mjml/lib/…).
    const isMjml = (s: string) => /^mjml(-[a-z0-9-]+)?(\/|$)/.test(s);
    expect(violations('src', (s, f) => isMjml(s) && !f.startsWith('src/adapters/mjml/'))).toEqual([]);
    expect(
      violations('functions', (s, f) => s.includes('adapters/mjml') && !f.endsWith('compile-edition.ts')),
    ).toEqual([]);
  });
});
