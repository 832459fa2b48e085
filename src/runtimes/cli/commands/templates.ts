import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { collect, table } from '../context.ts';

interface SavedVersion {
  version: number;
  savedAt: string;
  savedBy: string;
  changed: string[];
  note?: string;
  restores?: number;
}
interface Listing {
  version: number;
  source: 'store' | 'folder';
  saved: SavedVersion | null;
  differsFromFolder: string[];
  files: { name: string; size: number }[];
}
interface SaveAnswer {
  saved: SavedVersion;
  unchanged: boolean;
}
interface Preview {
  baseVersion: number;
  edition: number | null;
  language: string;
  subject?: string;
  html: string;
  text: string;
  checked: string[];
}

const day = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const versionInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`"${v}" is not a template version`);
  return n;
};
const readText = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
};
/** --set partials/item.mjml=./item.mjml (repeatable) */

const showSaved = (a: SaveAnswer) =>
  a.unchanged
    ? `Nothing changed: version ${a.saved.version} stays active.`
    : `Saved version ${a.saved.version}${a.saved.restores !== undefined ? ` (the files of version ${a.saved.restores})` : ''}: ${a.saved.changed.join(', ') || 'no file changed'}. It applies from the next compile.`;

/** `gazette templates …`: the edition templates in the content store (docs/editions.md "Templates"). */
export function register(program: Command, ctx: CliContext): void {
  const templates = program
    .command('templates')
    .description('edition templates in the content store: list, show, preview, save, versions, rollback');

  /** The version to save on: --base, else the active one (read now). */
  const baseOf = async (base?: string) => {
    if (base !== undefined) return versionInt(base);
    const client = await ctx.client();
    return (await client.request<Listing>('GET', '/admin/templates')).version;
  };

  templates
    .command('list')
    .description('the active template set: its version and files')
    .action(async () => {
      const client = await ctx.client();
      const res = await client.request<Listing>('GET', '/admin/templates');
      ctx.print(res, (r: Listing) =>
        [
          r.saved
            ? `Version ${r.version}, saved by ${r.saved.savedBy} at ${day(r.saved.savedAt)}`
            : 'Version 0: the templates/ folder as deployed (nothing saved yet)',
          ...(r.saved && r.differsFromFolder.length
            ? [
                `Differs from the deployed templates/ folder: ${r.differsFromFolder.join(', ')} ("templates rollback 0" takes the folder)`,
              ]
            : []),
          '',
          table(r.files, ['name', 'size']),
        ].join('\n'),
      );
    });

  templates
    .command('show <file>')
    .description('print one file of the active set (e.g. partials/item.mjml)')
    .option('--out <path>', 'write it to this file instead')
    .action(async (file: string, o: { out?: string }) => {
      const client = await ctx.client();
      const res = await client.request<{ name: string; version: number; content: string }>(
        'GET',
        '/admin/templates/file',
        { query: { name: file } },
      );
      if (o.out) {
        writeFileSync(o.out, res.content);
        return ctx.print(res, () => `Wrote ${file} (version ${res.version}) to ${o.out}`);
      }
      if (ctx.json) return ctx.print(res);
      process.stdout.write(res.content);
    });

  templates
    .command('save <file>')
    .description('check a file with mjml and a real render, then save it as the next version')
    .requiredOption('--from <path>', 'the edited file')
    .option(
      '--base <version>',
      'the version you edited (default: the active one); a later save is a conflict',
    )
    .option('--note <text>', 'why (kept with the version)')
    .action(async (file: string, o: { from: string; base?: string; note?: string }) => {
      const content = readText(o.from);
      const baseVersion = await baseOf(o.base);
      const client = await ctx.client();
      const res = await client.request<SaveAnswer>('PUT', '/admin/templates', {
        body: { files: { [file]: content }, baseVersion, note: o.note },
      });
      ctx.print(res, showSaved);
    });

  templates
    .command('preview')
    .description(
      'render the open draft (or the sample) with the active set and proposed files; saves nothing',
    )
    .option(
      '--set <file=path>',
      'a proposed file, e.g. partials/item.mjml=./item.mjml (repeatable)',
      collect,
      [],
    )
    .option('--lang <lang>', 'language to show (default: the first)')
    .option('--text', 'the plain-text part instead of the HTML')
    .option('--archive', 'the public archive copy')
    .option('--out <file>', 'write the HTML (or text) to this file')
    .action(async (o: { set: string[]; lang?: string; text?: boolean; archive?: boolean; out?: string }) => {
      const files: Record<string, string> = {};
      for (const pair of o.set) {
        const at = pair.indexOf('=');
        if (at <= 0) throw new Error(`--set ${pair}: use <file>=<path>, e.g. partials/item.mjml=./item.mjml`);
        files[pair.slice(0, at)] = readText(pair.slice(at + 1));
      }
      const client = await ctx.client();
      const res = await client.request<Preview>('POST', '/admin/templates/preview', {
        body: { files, lang: o.lang, archive: Boolean(o.archive) },
      });
      const body = o.text ? res.text : res.html;
      if (o.out) writeFileSync(o.out, body);
      if (ctx.json) return ctx.print(res);
      if (!o.out) return void process.stdout.write(body);
      process.stdout.write(
        `Wrote ${o.out}: ${res.edition ? `edition ${res.edition} (the open draft)` : 'the sample content'} in ${res.language}, on version ${res.baseVersion}${Object.keys(files).length ? ` with ${Object.keys(files).join(', ')}` : ''}. Checked: ${res.checked.join(', ')}. Nothing was saved.\n`,
      );
    });

  templates
    .command('versions')
    .description('every saved version, newest first (0 is the deployed folder)')
    .action(async () => {
      const client = await ctx.client();
      const res = await client.request<{ current: number; versions: SavedVersion[] }>(
        'GET',
        '/admin/templates/versions',
      );
      ctx.print(res, (r: typeof res) =>
        [
          `Active: version ${r.current}`,
          '',
          table(
            [
              ...r.versions.map((v) => ({
                version: v.version,
                saved: day(v.savedAt),
                by: v.savedBy,
                changed: v.changed.join(', '),
                note: v.note ?? '',
              })),
              { version: 0, saved: '', by: '', changed: '', note: 'the templates/ folder as deployed' },
            ],
            ['version', 'saved', 'by', 'changed', 'note'],
          ),
        ].join('\n'),
      );
    });

  templates
    .command('rollback <version>')
    .description('save the files of an earlier version (0: the deployed folder) as the next version')
    .option('--base <version>', 'the version you looked at (default: the active one)')
    .action(async (version: string, o: { base?: string }) => {
      const baseVersion = await baseOf(o.base);
      const client = await ctx.client();
      const res = await client.request<SaveAnswer>('POST', '/admin/templates/rollback', {
        body: { version: versionInt(version), baseVersion },
      });
      ctx.print(res, showSaved);
    });
}
