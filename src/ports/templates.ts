import type {
  TemplateCheckResult,
  TemplateFiles,
  TemplateProblem,
  TemplateVersion,
} from '../domain/template-set.ts';

/**
 * Where mjml is (the compile-edition function on AWS, in-process in the embedded runtime): the deployed
 * templates/ folder, and a strict check + render of a proposed template set.
 */
export interface TemplateWorkbench {
  folder(): Promise<TemplateFiles>;
  check(req: {
    files: TemplateFiles;
    models?: Record<string, Record<string, unknown>>;
    previewLanguage?: string;
    archive?: boolean;
  }): Promise<TemplateCheckResult>;
}

/** Saved template versions. `claim` is a conditional write: two saves on the same base cannot both win. */
export interface TemplateVersionRepo {
  latest(): Promise<TemplateVersion | undefined>;
  get(version: number): Promise<TemplateVersion | undefined>;
  list(): Promise<TemplateVersion[]>;
  /** False when the version number is taken (someone saved first). */
  claim(v: TemplateVersion): Promise<boolean>;
}

/** What the in-process check needs beside the renderer: the folder, its sample content, mjml's validator. */
export interface TemplateTools {
  folder(): Promise<TemplateFiles>;
  sample(): Promise<Record<string, unknown>>;
  validateFile(name: string, text: string): Promise<TemplateProblem[]>;
  /** system/layout.mjml compiled to the HTML system mails fill by substitution (throws TemplateError). */
  compileSystemLayout(source: string): Promise<string>;
}
