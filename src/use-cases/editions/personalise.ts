/**
 * Per-recipient personalisation by substitution on the precompiled edition: the template engine and
 * MJML run once per language variant at compile time, never per recipient. The send engine, test sends
 * and the benchmark all use this module.
 *
 * Placeholders: {{name}}, {{name|fallback when the name is empty}}, {{email}}, {{unsubscribe_url}},
 * {{preferences_url}}.
 */
import { escapeHtml } from '../../domain/html.ts';
import type { EditionVariant } from '../../domain/index.ts';

export interface RecipientValues {
  name: string;
  email: string;
  unsubscribe_url: string;
  preferences_url: string;
}

export type Format = 'html' | 'text';

const PLACEHOLDER = /\{\{\s*(name|email|unsubscribe_url|preferences_url)\s*(?:\|([^}]*))?\}\}/g;

// A name is free text from a form: one line, no placeholder look-alikes.
const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ').replace(/\{(?=\{)/g, '{ ');

interface Slot {
  key: keyof RecipientValues;
  fallback: string;
}

/**
 * Split the template once; each call is then a join of precomputed pieces (no regex, no parsing).
 */
export function compilePersonaliser(template: string, format: Format): (v: RecipientValues) => string {
  const pieces: string[] = [];
  const slots: Slot[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const at = m.index ?? 0;
    pieces.push(template.slice(last, at));
    slots.push({ key: m[1] as keyof RecipientValues, fallback: (m[2] ?? '').trim() });
    last = at + m[0].length;
  }
  const tail = template.slice(last);
  if (!slots.length) return () => template;
  const encode = format === 'html' ? escapeHtml : (s: string) => s;
  return (v) => {
    let out = '';
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as Slot;
      const raw = oneLine(v[slot.key] ?? '').trim();
      out += pieces[i] + (raw ? encode(raw) : slot.fallback);
    }
    return out + tail;
  };
}

/** One-off substitution (previews, tests). The send path uses compilePersonaliser once per campaign. */
export function personalise(template: string, values: RecipientValues, format: Format): string {
  return compilePersonaliser(template, format)(values);
}

/** True if the text still contains a per-recipient placeholder (the archive copy must not). */
export function hasPlaceholders(text: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  return new RegExp(PLACEHOLDER.source).test(text);
}

/** The subscriber's language variant: exact tag, then primary subtag (zh-Hans → zh), then the first (default). */
export function chooseVariant<V extends Pick<EditionVariant, 'language'>>(
  variants: V[],
  language: string,
): V {
  const lang = language.toLowerCase();
  const exact = variants.find((v) => v.language.toLowerCase() === lang);
  if (exact) return exact;
  const primary = lang.split('-')[0];
  const sameBase = variants.find((v) => v.language.toLowerCase().split('-')[0] === primary);
  if (sameBase) return sameBase;
  const fallback = variants.find((v) => v.language === 'en') ?? variants[0];
  if (!fallback) throw new Error('edition has no variants');
  return fallback;
}
