import * as z from 'zod';

/** A section id: the built-in ones (events, news, publications, deadlines) or one the secretariat adds. */
export const SectionId = z
  .string()
  .trim()
  .regex(
    /^[a-z][a-z0-9-]{0,39}$/,
    'a section id is lower-case letters, digits and dashes (e.g. council-news)',
  );

export const ShapeSection = z
  .object({
    id: SectionId,
    /** Heading of a custom section (built-in sections take theirs from templates/strings). */
    title: z.string().trim().min(1).max(120).optional(),
  })
  .strict();
export type ShapeSection = z.infer<typeof ShapeSection>;

/**
 * How the secretariat shapes one edition (issue 15 "Shape of an edition"): stored beside the edition's
 * content (`editions/<n>/shape.json`) and kept across recompiles of the draft. Every field is optional:
 * what is absent is computed (sections and order from the items, the quarter from the items' period).
 */
export const EditionShape = z
  .object({
    /** Replaces the subject line and the archive title. */
    title: z.string().trim().min(1).max(200).optional(),
    /** The edition's period, when the items' own period is not what the secretariat wants to print. */
    period: z
      .object({ year: z.number().int().min(2000).max(2100), quarter: z.number().int().min(1).max(4) })
      .strict()
      .optional(),
    /** Editor's note at the top, plain text; blank lines separate paragraphs. */
    foreword: z.string().trim().max(4000).optional(),
    /** Sections in this order; sections not listed follow in the default order. */
    sections: z.array(ShapeSection).max(20).optional(),
    /** updateId → section id: move an item (e.g. into a custom section). */
    assign: z.record(z.string().min(1).max(256), SectionId).optional(),
    /** Items listed here come first in their section, in this order; the others follow in the default order. */
    order: z.array(z.string().min(1).max(256)).max(500).optional(),
    /** Shown at the top under "Featured", taken out of their sections (at most 5). */
    featured: z.array(z.string().min(1).max(256)).max(5).optional(),
  })
  .strict();
export type EditionShape = z.infer<typeof EditionShape>;

/**
 * A change to the shape: a field given replaces the stored one, `null` clears it (back to computed).
 */
export const EditionShapePatch = z
  .object({
    title: EditionShape.shape.title.nullable(),
    period: EditionShape.shape.period.nullable(),
    foreword: EditionShape.shape.foreword.nullable(),
    sections: EditionShape.shape.sections.nullable(),
    assign: EditionShape.shape.assign.nullable(),
    order: EditionShape.shape.order.nullable(),
    featured: EditionShape.shape.featured.nullable(),
  })
  .partial()
  .strict();
export type EditionShapePatch = z.infer<typeof EditionShapePatch>;

export function applyShapePatch(shape: EditionShape, patch: EditionShapePatch | undefined): EditionShape {
  if (!patch) return shape;
  const out: Record<string, unknown> = { ...shape };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = v;
  }
  return EditionShape.parse(out);
}

/** Branding the templates receive (stored in the content store, edited by `gazette templates brand`). */
export const Branding = z
  .object({
    logoUrl: z
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'the logo must be an http(s) URL')
      .optional(),
    logoAlt: z.string().trim().max(120).optional(),
    colors: z
      .object({
        primary: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb'),
        accent: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb'),
        background: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb'),
      })
      .partial()
      .strict()
      .optional(),
    footerText: z.string().trim().max(1000).optional(),
    postalAddress: z.string().trim().max(500).optional(),
    /** Summaries longer than this (characters) are cut, with "read more" to the archive. */
    summaryLength: z.number().int().min(80).max(2000).optional(),
  })
  .strict();
export type Branding = z.infer<typeof Branding>;

export const DEFAULT_COLORS = { primary: '#1b5e20', accent: '#a5d6a7', background: '#eef3ee' } as const;
export const DEFAULT_SUMMARY_LENGTH = 360;
