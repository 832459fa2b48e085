/**
 * The edition templates in the content store (issue 15): templates/edition.mjml, edition.txt, partials/*,
 * strings/*.json and system/layout.mjml are edited without a redeploy. Version 0 is the deployed templates/
 * folder (the seed); every save is a new version holding the whole set (rollback saves an old set again),
 * claimed with a conditional write so a colleague's save in between is refused, never overwritten. A set
 * is saved only after mjml's strict validator passed every file and it rendered, in every language, with
 * the open draft's data (or templates/samples/edition.json): a preview renders the same way without saving.
 */

import { randomBytes } from 'node:crypto';
import {
  type Actor,
  ConflictError,
  NotFoundError,
  TemplateError,
  ValidationError,
} from '../../domain/index.ts';
import type {
  TemplateCheckResult,
  TemplateFiles,
  TemplatePreviewRequest,
  TemplateProblem,
  TemplateSaveRequest,
  TemplateVersion,
} from '../../domain/template-set.ts';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EditionRepo } from '../../ports/editions.ts';
import type { EditionRenderer } from '../../ports/renderer.ts';
import type { TemplateTools, TemplateVersionRepo, TemplateWorkbench } from '../../ports/templates.ts';
import { REQUIRED_SYSTEM_SLOTS } from '../shared/system-mail.ts';
import { checkLinks, TEMPLATE } from './compile.ts';
import { hasPlaceholders } from './personalise.ts';

const SETS = 'templates/sets/';
const SYSTEM_LAYOUT = 'system/layout.mjml';
const REQUIRED = ['edition.mjml', 'strings/en.json'];

/**
 * The check where mjml is: each file through mjml's validator, then a real render of the mail and the
 * archive copy in every language of the set, with the compile's own checks (absolute links, no personal
 * placeholder in the archive copy or the subject).
 */
export function makeTemplateCheck(d: {
  renderer: () => Promise<EditionRenderer>;
  tools: TemplateTools;
}): TemplateWorkbench {
  return { folder: () => d.tools.folder(), check };

  async function check(req: Parameters<TemplateWorkbench['check']>[0]): Promise<TemplateCheckResult> {
    const { files } = req;
    const problems: TemplateProblem[] = REQUIRED.filter((f) => files[f] === undefined).map((file) => ({
      file,
      message: 'is required and missing from the set',
    }));
    for (const [name, text] of Object.entries(files))
      problems.push(...(await d.tools.validateFile(name, text)));
    const systemLayoutHtml = await systemLayoutOf(files, problems);
    if (problems.length) return { problems, checked: [] };

    const languages = Object.keys(files)
      .filter((f) => f.startsWith('strings/'))
      .map((f) => f.slice('strings/'.length, -'.json'.length));
    const renderer = await d.renderer();
    const sample = req.models && Object.keys(req.models).length ? undefined : await d.tools.sample();
    const previewLanguage =
      req.previewLanguage && languages.includes(req.previewLanguage)
        ? req.previewLanguage
        : (Object.keys(req.models ?? {}).find((l) => languages.includes(l)) ?? languages[0] ?? 'en');
    let preview: TemplateCheckResult['preview'];
    for (const lang of languages) {
      const base = req.models?.[lang] ?? req.models?.[Object.keys(req.models)[0] ?? ''] ?? sample ?? {};
      const data = { ...base, lang, dir: lang === 'ar' || lang === 'he' ? 'rtl' : 'ltr' };
      try {
        const mail = await renderer.render(TEMPLATE, { ...data, archive: false }, { files });
        const page = await renderer.render(TEMPLATE, { ...data, archive: true }, { files });
        checkLinks(mail.html, `the ${lang} e-mail`);
        if (mail.subject && hasPlaceholders(mail.subject))
          throw new TemplateError(
            `strings/${lang}.json: the subject contains a per-recipient placeholder: it is the same for every recipient`,
          );
        if (hasPlaceholders(page.html) || hasPlaceholders(page.text))
          throw new TemplateError(
            `the ${lang} archive copy contains a per-recipient placeholder: wrap it in {{^archive}}…{{/archive}}`,
          );
        if (lang === previewLanguage) {
          const shown = req.archive ? page : mail;
          preview = { language: lang, subject: mail.subject, html: shown.html, text: shown.text };
        }
      } catch (e) {
        problems.push(problemOf(e, lang, files));
      }
    }
    return { problems, preview: problems.length ? undefined : preview, checked: languages, systemLayoutHtml };
  }

  /** The set's system/layout.mjml compiled, with the slots every system mail fills still in it. */
  async function systemLayoutOf(files: TemplateFiles, problems: TemplateProblem[]) {
    const source = files[SYSTEM_LAYOUT];
    if (source === undefined) return undefined;
    try {
      const html = await d.tools.compileSystemLayout(source);
      const missing = REQUIRED_SYSTEM_SLOTS.filter((slot) => !html.includes(`{{${slot}}}`));
      if (missing.length)
        problems.push({
          file: SYSTEM_LAYOUT,
          message: `must keep ${missing.map((m) => `{{${m}}}`).join(', ')}: every system mail puts its text, footer and postal address there`,
        });
      return html;
    } catch (e) {
      problems.push({ file: SYSTEM_LAYOUT, message: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  }
}

/**
 * A render error as a problem. The template engine names a file and line ("partials/item:4: …", a partial
 * without its extension: .mjml or .txt, whichever has the token on that line); mjml's own errors of the
 * expanded document name no file (edition.mjml, with the line shown).
 */
function problemOf(e: unknown, lang: string, files: TemplateFiles): TemplateProblem {
  const message = e instanceof Error ? e.message : String(e);
  const at = /^((?:partials\/)?[\w-]+)(\.(?:mjml|txt|json))?:(\d+): ([\s\S]*)$/.exec(message);
  if (at) {
    const line = Number(at[3]);
    const detail = at[4] ?? '';
    const token = /\{\{[^}]*\}\}/.exec(detail)?.[0] ?? '';
    const candidates = at[2] ? [`${at[1]}${at[2]}`] : [`${at[1]}.mjml`, `${at[1]}.txt`];
    const file =
      candidates.find((f) => token && files[f]?.split('\n')[line - 1]?.includes(token.slice(0, -2))) ??
      candidates.find((f) => files[f] !== undefined) ??
      candidates[0] ??
      `${TEMPLATE}.mjml`;
    return { file, line, message: `[${lang}] ${detail}` };
  }
  // mjml's lines here are of the expanded document: the message quotes the text near them instead.
  const named = /((?:partials|strings|system)\/[\w-]+\.(?:mjml|txt|json)|edition\.(?:mjml|txt))/.exec(
    message,
  );
  return { file: named?.[1] ?? `${TEMPLATE}.mjml`, message: `[${lang}] ${message}` };
}

/**
 * The MJML renderer keeps the stored files of a render in one slot for its whole (asynchronous) length, so
 * two renders at once with different sets (a compile and a template preview in one process) would read each
 * other's files. One render at a time per process, for everything that renders with stored files.
 */
export function oneRenderAtATime(renderer: () => Promise<EditionRenderer>): () => Promise<EditionRenderer> {
  let queue: Promise<unknown> = Promise.resolve();
  let wrapped: Promise<EditionRenderer> | undefined;
  const wrap = async (): Promise<EditionRenderer> => {
    const r = await renderer();
    const serial = Object.create(r) as EditionRenderer;
    serial.render = (template, data, opts) => {
      const run = queue.then(() => r.render(template, data, opts));
      queue = run.catch(() => {});
      return run;
    };
    return serial;
  };
  return () => {
    wrapped ??= wrap().catch((e: unknown) => {
      wrapped = undefined; // a runtime without a renderer answers the same way next time
      throw e;
    });
    return wrapped;
  };
}

export interface TemplateStoreDeps {
  versions: TemplateVersionRepo;
  content: BlobStore;
  /** Where mjml is (in-process, or the compile function on AWS). */
  workbench: () => TemplateWorkbench;
  editions: Pick<EditionRepo, 'counter' | 'get'>;
  clock: Clock;
  /** The configured edition languages (GAZETTE_EDITION_LANGUAGES): each must keep its strings. */
  languages: () => string[];
}

export interface TemplateSet {
  /** 0: the deployed templates/ folder (nothing saved yet). */
  version: number;
  saved?: TemplateVersion;
  files: TemplateFiles;
}

/** A version as answers show it: whether it carries its own system layout, not 17 KB of its HTML. */
function brief(
  v: TemplateVersion,
): Omit<TemplateVersion, 'systemLayoutHtml'> & { customSystemLayout: boolean } {
  const { systemLayoutHtml, ...rest } = v;
  return { ...rest, customSystemLayout: Boolean(systemLayoutHtml) };
}

export function makeTemplateStore(d: TemplateStoreDeps) {
  const filesOf = async (v: TemplateVersion): Promise<TemplateFiles> =>
    JSON.parse(await d.content.getText(v.key)) as TemplateFiles;

  /** The active set: the latest saved version, else the folder. */
  async function current(): Promise<TemplateSet> {
    const latest = await d.versions.latest();
    if (latest) return { version: latest.version, saved: latest, files: await filesOf(latest) };
    return { version: 0, files: await d.workbench().folder() };
  }

  /** The open draft's stored template data, by language (the preview's real content). */
  async function draftModels(): Promise<{
    edition?: number;
    models?: Record<string, Record<string, unknown>>;
  }> {
    const n = (await d.editions.counter()).draft;
    const draft = n === undefined ? undefined : await d.editions.get(n);
    if (draft?.status !== 'draft') return {};
    const models: Record<string, Record<string, unknown>> = {};
    for (const v of draft.variants)
      if (v.modelKey && (await d.content.exists(v.modelKey)))
        models[v.language] = JSON.parse(await d.content.getText(v.modelKey)) as Record<string, unknown>;
    return Object.keys(models).length ? { edition: draft.number, models } : {};
  }

  const merge = (files: TemplateFiles, changes: Record<string, string | null>): TemplateFiles => {
    const out = { ...files };
    for (const [name, text] of Object.entries(changes)) {
      if (text === null) {
        if (!(name in out)) throw new NotFoundError(`template file ${name} is not in the set`);
        delete out[name];
      } else out[name] = text;
    }
    return out;
  };

  async function checked(files: TemplateFiles, o: { previewLanguage?: string; archive?: boolean } = {}) {
    // A configured language without strings would fail every compile: refused here, before mjml runs.
    const missing: TemplateProblem[] = d
      .languages()
      .filter(
        (l) =>
          files[`strings/${l}.json`] === undefined && files[`strings/${l.split('-')[0]}.json`] === undefined,
      )
      .map((l) => ({
        file: `strings/${l}.json`,
        message: `is required: GAZETTE_EDITION_LANGUAGES has "${l}", and every compile renders it`,
      }));
    const draft = missing.length ? {} : await draftModels();
    const result = missing.length
      ? { problems: missing, checked: [] as string[], preview: undefined }
      : await d.workbench().check({ files, models: draft.models, ...o });
    if (result.problems.length)
      throw new TemplateError(
        `the templates were not saved: ${result.problems.length} problem${result.problems.length > 1 ? 's' : ''}\n${result.problems
          .map((p) => `  ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`)
          .join('\n')}`,
        { problems: result.problems },
      );
    return { ...result, edition: draft.edition };
  }

  async function commit(
    base: number | undefined,
    files: TemplateFiles,
    o: { by: Actor; note?: string; restores?: number },
  ): Promise<{ saved: TemplateVersion; unchanged: boolean }> {
    if (base === undefined)
      throw new ValidationError(
        'baseVersion (or an If-Match header) is required: the version you edited ("gazette templates list" shows it), so a colleague\'s save in between is not overwritten',
      );
    const now = await current();
    if (now.version !== base)
      throw new ConflictError(
        `the templates changed since version ${base}: version ${now.version} was saved${now.saved ? ` by ${now.saved.savedBy} at ${now.saved.savedAt}` : ''}; look at it and save again on version ${now.version}`,
        { currentVersion: now.version },
      );
    const changed = [...new Set([...Object.keys(files), ...Object.keys(now.files)])]
      .filter((f) => files[f] !== now.files[f])
      .sort();
    if (now.saved && !changed.length) return { saved: brief(now.saved), unchanged: true };
    const result = await checked(files);
    // Only a layout other than the deployed one is kept: the built-in copy serves the deployed one.
    const deployed = (await d.workbench().folder())[SYSTEM_LAYOUT];
    const customLayout =
      files[SYSTEM_LAYOUT] !== undefined && files[SYSTEM_LAYOUT] !== deployed
        ? result.systemLayoutHtml
        : undefined;
    const version = base + 1;
    const key = `${SETS}${String(version).padStart(6, '0')}-${randomBytes(6).toString('hex')}.json`;
    // The files first, under a key of their own: a save that loses the claim (or dies) leaves no wrong version.
    await d.content.put(key, JSON.stringify(files), 'application/json');
    const saved: TemplateVersion = {
      version,
      savedAt: d.clock.now().toISOString(),
      savedBy: o.by,
      key,
      changed,
      ...(o.note ? { note: o.note } : {}),
      ...(o.restores !== undefined ? { restores: o.restores } : {}),
      ...(customLayout ? { systemLayoutHtml: customLayout } : {}),
    };
    if (!(await d.versions.claim(saved))) {
      await d.content.delete(key).catch(() => {});
      const winner = await d.versions.get(version);
      throw new ConflictError(
        `version ${version} was saved by ${winner?.savedBy ?? 'someone else'} a moment ago; look at it and save again on version ${version}`,
        { currentVersion: version },
      );
    }
    return { saved: brief(saved), unchanged: false };
  }

  return {
    current,
    /** For the compile: the stored set, or undefined (the renderer reads the templates/ folder). */
    async active(): Promise<TemplateFiles | undefined> {
      const latest = await d.versions.latest();
      return latest ? filesOf(latest) : undefined;
    },
    async list() {
      const c = await current();
      // After a redeploy the folder may have moved on from the saved set: say which files differ.
      const folder = c.saved ? await d.workbench().folder() : c.files;
      const differs = [...new Set([...Object.keys(folder), ...Object.keys(c.files)])]
        .filter((f) => folder[f] !== c.files[f])
        .sort();
      return {
        version: c.version,
        source: c.saved ? ('store' as const) : ('folder' as const),
        saved: c.saved ? brief(c.saved) : null,
        /** Files of the active set that differ from the deployed templates/ folder (rollback 0 takes the folder). */
        differsFromFolder: differs,
        files: Object.entries(c.files)
          .map(([name, text]) => ({ name, size: Buffer.byteLength(text) }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      };
    },
    async show(name: string) {
      const c = await current();
      const text = c.files[name];
      if (text === undefined)
        throw new NotFoundError(`template file ${name} is not in the set (version ${c.version})`);
      return { name, version: c.version, content: text };
    },
    /** Render the active set with proposed changes over it, with real data; nothing is saved. */
    async preview(req: TemplatePreviewRequest) {
      const c = await current();
      const files = merge(c.files, req.files);
      const result = await checked(files, { previewLanguage: req.lang, archive: req.archive });
      if (!result.preview) throw new TemplateError('the set has no language to preview (no strings/*.json)');
      return {
        baseVersion: c.version,
        edition: result.edition ?? null,
        checked: result.checked,
        ...result.preview,
      };
    },
    /** Validate, render, then keep as the next version (the active one from the next compile). */
    async save(req: TemplateSaveRequest, by: Actor, ifMatch?: number) {
      const base = req.baseVersion ?? ifMatch;
      const c = await current();
      return commit(base, merge(c.files, req.files), { by, note: req.note });
    },
    /** Newest first; version 0 is the deployed folder. */
    async versions() {
      const all = (await d.versions.list()).sort((a, b) => b.version - a.version);
      return { current: all[0]?.version ?? 0, versions: all.map(brief) };
    },
    /** Save an earlier version's files as the next version (history is kept: a rollback can be rolled back). */
    async rollback(version: number, baseVersion: number | undefined, by: Actor) {
      let files: TemplateFiles;
      if (version === 0) files = await d.workbench().folder();
      else {
        const v = await d.versions.get(version);
        if (!v) throw new NotFoundError(`there is no template version ${version}`);
        files = await filesOf(v);
      }
      return commit(baseVersion, files, { by, restores: version, note: `rollback to version ${version}` });
    },
  };
}
export type TemplateStore = ReturnType<typeof makeTemplateStore>;
