/**
 * The edition templates kept in the content store (issue 15): every file of templates/ a secretariat may
 * edit, saved as one versioned set. Names are paths inside templates/.
 */
import * as z from 'zod';
import { Actor, Instant } from './common.ts';

/** edition.mjml|txt, partials/<name>.mjml|txt, strings/<lang>.json, system/layout.mjml (README and samples stay in the folder). */
export const TEMPLATE_FILE_PATTERN =
  /^(edition\.(mjml|txt)|partials\/[a-z0-9][a-z0-9_-]*\.(mjml|txt)|strings\/[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\.json|system\/layout\.mjml)$/;

export const TemplateFileName = z
  .string()
  .regex(
    TEMPLATE_FILE_PATTERN,
    'not a template file: use edition.mjml, edition.txt, partials/<name>.mjml|txt, strings/<lang>.json or system/layout.mjml',
  );

/** A template file's text (a whole edition template is a few KB; 200 KB is a mistake, not a layout). */
export const TemplateFileText = z.string().max(200_000, 'a template file is at most 200 000 characters');

export const TemplateFiles = z.record(TemplateFileName, TemplateFileText);
export type TemplateFiles = z.infer<typeof TemplateFiles>;

/** One saved set. Version 0 is the templates/ folder as deployed (never stored). */
export const TemplateVersion = z.object({
  version: z.number().int().min(1),
  savedAt: Instant,
  savedBy: Actor,
  /** Blob key of the set's files in the content store. */
  key: z.string().min(1),
  /** Files that differ from the version it was based on. */
  changed: z.array(z.string()),
  note: z.string().max(500).optional(),
  /** Set by a rollback: the version whose files this one restores. */
  restores: z.number().int().min(0).optional(),
  /**
   * system/layout.mjml of this set compiled to HTML, when it differs from the deployed one: what every
   * system mail (confirmation, reminder, acknowledgement, notice, digest) is filled into. Kept in the
   * version record so a save changes the layout in the same conditional write.
   */
  systemLayoutHtml: z.string().max(300_000).optional(),
});
export type TemplateVersion = z.infer<typeof TemplateVersion>;

/** `baseVersion`: the version the change was made on (0: the folder); a later save meanwhile is a conflict. */
export const TemplateSaveRequest = z.object({
  files: z
    .record(TemplateFileName, TemplateFileText.nullable())
    .refine((f) => Object.keys(f).length > 0, 'files: give at least one file'),
  baseVersion: z.number().int().min(0).optional(),
  note: z.string().trim().max(500).optional(),
});
export type TemplateSaveRequest = z.infer<typeof TemplateSaveRequest>;

export const TemplatePreviewRequest = z.object({
  /** Proposed changes (a file set to null is removed); none: the active set. */
  files: z.record(TemplateFileName, TemplateFileText.nullable()).default({}),
  lang: z.string().min(2).max(35).optional(),
  archive: z.boolean().default(false),
});
export type TemplatePreviewRequest = z.infer<typeof TemplatePreviewRequest>;

export const TemplateRollbackRequest = z.object({
  version: z.number().int().min(0),
  baseVersion: z.number().int().min(0).optional(),
});

/** One thing wrong with a template set, named by file and line where mjml or the template engine knows it. */
export const TemplateProblem = z.object({
  file: z.string(),
  line: z.number().int().optional(),
  message: z.string(),
});
export type TemplateProblem = z.infer<typeof TemplateProblem>;

/** What the function with mjml answers: problems, or the rendered preview of one language. */
export const TemplateCheckResult = z.object({
  problems: z.array(TemplateProblem),
  preview: z
    .object({ language: z.string(), subject: z.string().optional(), html: z.string(), text: z.string() })
    .optional(),
  /** Languages rendered (every strings file × mail and archive copy). */
  checked: z.array(z.string()),
  /** system/layout.mjml of the set, compiled (when the set has one and it compiled). */
  systemLayoutHtml: z.string().optional(),
});
export type TemplateCheckResult = z.infer<typeof TemplateCheckResult>;

/** The synchronous request the api sends to the compile function (AWS), or runs in-process. */
export const TemplateWorkRequest = z.object({
  gazetteTemplates: z.discriminatedUnion('op', [
    z.object({ op: z.literal('folder') }),
    z.object({
      op: z.literal('check'),
      files: z.record(z.string(), z.string()),
      /** Template data by language (a draft's stored models); none: templates/samples/edition.json. */
      models: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
      previewLanguage: z.string().optional(),
      archive: z.boolean().optional(),
    }),
  ]),
});
export type TemplateWorkRequest = z.infer<typeof TemplateWorkRequest>;
