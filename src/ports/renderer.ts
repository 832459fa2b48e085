/** Turns a template + data into HTML and text. The MJML adapter is the only place mjml is imported. */
export interface RenderedEmail {
  html: string;
  text: string;
  warnings: string[];
  /** The template's subject line (from the language strings), when it defines one. */
  subject?: string;
}

export interface EditionRenderer {
  render(template: string, data: Record<string, unknown>): Promise<RenderedEmail>;
}
