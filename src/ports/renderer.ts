/** Turns a template + data into HTML and text. The MJML adapter is the only place mjml is imported. */
export interface RenderedEmail {
  html: string;
  text: string;
  warnings: string[];
}

export interface EditionRenderer {
  render(template: string, data: Record<string, unknown>): Promise<RenderedEmail>;
}
