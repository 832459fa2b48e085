import type { ImageResizer } from './images.ts';

/** Turns a template + data into HTML and text. The MJML adapter is the only place mjml is imported. */
export interface RenderedEmail {
  html: string;
  text: string;
  warnings: string[];
  /** The template's subject line (from the language strings), when it defines one. */
  subject?: string;
}

export interface EditionRenderer {
  /** `files`: template files by path (edition.mjml, partials/item.mjml, strings/en.json …) instead of the folder. */
  render(
    template: string,
    data: Record<string, unknown>,
    opts?: { files?: Record<string, string> },
  ): Promise<RenderedEmail>;
  /**
   * An edition's e-mail and its web page (the archive copy) from one template: each as `render` makes
   * it, except that the page is not minified (the size that matters is the mail's, for Gmail), sharing
   * the work of the two where the renderer can.
   */
  renderMailAndPage?(
    template: string,
    mail: Record<string, unknown>,
    page: Record<string, unknown>,
    opts?: { files?: Record<string, string> },
  ): Promise<{ mail: RenderedEmail; page: RenderedEmail }>;
  /** Languages that have strings. */
  languages?: () => string[];
  /** Member photos at e-mail widths (loaded with the renderer: only the edition compiler needs it). */
  images?: () => Promise<ImageResizer>;
}
