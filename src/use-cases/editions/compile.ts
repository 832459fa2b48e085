import {
  applyShapePatch,
  type Branding,
  EditionShape,
  type EditionShapePatch,
} from '../../domain/edition.ts';
import {
  type Actor,
  ConflictError,
  Edition,
  type EditionStatus,
  type EditionVariant,
  newId,
  Section,
  TemplateError,
  type Update,
  ValidationError,
} from '../../domain/index.ts';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ApprovedUpdates, EditionRepo } from '../../ports/editions.ts';
import type { Logger } from '../../ports/logger.ts';
import type { EditionRenderer, RenderedEmail } from '../../ports/renderer.ts';
import { prepareMedia } from './media.ts';
import { hasPlaceholders } from './personalise.ts';
import type { EditionSettings } from './settings.ts';
import { buildView, planSections, startOfPreviousQuarter } from './view-model.ts';

export const TEMPLATE = 'edition';
const SECTION_IDS = Section.options;

/** Statuses whose items are spoken for: a new compile must not pick those updates again. */
const HOLDS_ITEMS: EditionStatus[] = ['approved', 'sending', 'paused', 'sent'];

export interface CompileRequest {
  windowStart?: Date;
  windowEnd?: Date;
  requestedBy: Actor;
  /** The secretariat's changes to the edition's shape (kept for later recompiles of the draft). */
  shape?: EditionShapePatch;
}

/** Templates and branding to render with instead of the templates/ folder (the content store). */
export interface ActiveTemplates {
  files?: Record<string, string>;
  branding?: Branding;
}

/** The edition's shape, stored beside its content so every recompile of the draft keeps it. */
export const shapeKey = (n: number) => `editions/${n}/shape.json`;

export interface CompileDeps {
  editions: EditionRepo;
  updates: ApprovedUpdates;
  renderer: () => Promise<EditionRenderer>;
  content: BlobStore;
  clock: Clock;
  logger: Logger;
  settings: () => EditionSettings;
  /** Languages (tags) of the edition's readers: a variant is rendered for each that has strings. */
  readerLanguages?: () => Promise<string[]>;
  /** The active templates and branding from the content store (default: the templates/ folder). */
  templates?: () => Promise<ActiveTemplates | undefined>;
}

/**
 * Compile the next edition (or recompile the open draft): approved updates in the window → sections →
 * one MJML render per language variant (+ the archive copy) → HTML/text in the content bucket → the
 * edition record (status draft). Numbers come from a conditional-write counter; at most one draft is
 * open at a time, and compiling again replaces it under the same number.
 */
export function makeCompileEdition(d: CompileDeps) {
  /** Number to compile into: the open draft's, or a freshly claimed one. */
  async function reserveNumber(): Promise<{ number: number; previous?: Edition }> {
    const first = d.settings().firstNumber;
    for (let attempt = 0; attempt < 10; attempt++) {
      const c = await d.editions.counter();
      if (c.draft !== undefined) {
        const open = await d.editions.get(c.draft);
        if (!open) return { number: c.draft }; // claimed, but the compile that claimed it died before saving
        if (open.status === 'draft') return { number: c.draft, previous: open };
        await d.editions.clearDraftMarker(c.draft); // stale marker: approved/cancelled after a crash
        continue;
      }
      const next = Math.max((c.value ?? 0) + 1, first);
      if (await d.editions.claimDraftNumber(c.value, next)) return { number: next };
    }
    throw new ConflictError('could not reserve an edition number (too many concurrent compiles); try again');
  }

  return async function compileEdition(req: CompileRequest): Promise<Edition> {
    const s = d.settings();
    const now = d.clock.now();
    const windowEnd = req.windowEnd ?? now;
    const windowStart = req.windowStart ?? startOfPreviousQuarter(now, s.timeZone);
    if (!(windowStart < windowEnd))
      throw new ValidationError(
        `window start ${windowStart.toISOString()} must be before its end ${windowEnd.toISOString()}`,
      );
    let number: number | undefined;
    try {
      const updates = await pickUpdates(windowStart, windowEnd);
      // Passed deadlines are left out: what remains must be something to send.
      if (!planSections(updates, now).sections.length)
        throw new ValidationError(
          `no approved updates to publish between ${windowStart.toISOString()} and ${windowEnd.toISOString()}${updates.length ? ` (${updates.length} left out: deadlines already passed)` : ''}: approve member updates first, or widen the window with --from/--to; no edition was created`,
        );
      const reserved = await reserveNumber();
      number = reserved.number;
      const edition = await compileInto(reserved.number, reserved.previous, updates, {
        shape: req.shape,
        windowStart,
        windowEnd,
        now,
        requestedBy: req.requestedBy,
        s,
      });
      await d.editions.recordCompile({ at: now.toISOString(), by: req.requestedBy, ok: true, number });
      return edition;
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      d.logger.error('edition compile failed', { number, error });
      await d.editions
        .recordCompile({ at: now.toISOString(), by: req.requestedBy, ok: false, number, error })
        .catch(() => {});
      throw e;
    }
  };

  /** Approved updates in the window that no approved, sending or sent edition holds already. */
  async function pickUpdates(start: Date, end: Date): Promise<Update[]> {
    const held = new Set<string>();
    for (const e of await d.editions.list())
      if (HOLDS_ITEMS.includes(e.status)) for (const i of e.items) held.add(i.updateId);
    return (await d.updates.listApprovedInWindow(start, end)).filter(
      (u) => u.status === 'approved' && !held.has(u.updateId),
    );
  }

  async function loadShape(number: number, patch: EditionShapePatch | undefined): Promise<EditionShape> {
    const key = shapeKey(number);
    let stored: EditionShape = {};
    if (await d.content.exists(key)) {
      const parsed = EditionShape.safeParse(JSON.parse(await d.content.getText(key)));
      if (parsed.success) stored = parsed.data;
      else d.logger.warn('stored edition shape ignored', { number, error: parsed.error.message });
    }
    const shape = applyShapePatch(stored, patch);
    if (patch) await d.content.put(key, JSON.stringify(shape), 'application/json');
    return shape;
  }

  /** Configured languages, plus every language with strings that readers of the edition have. */
  async function variantLanguages(s: EditionSettings, renderer: EditionRenderer): Promise<string[]> {
    const out = [...s.languages];
    if (!d.readerLanguages || !renderer.languages) return out;
    const available = renderer.languages();
    const base = (t: string) => t.toLowerCase().split('-')[0] ?? t;
    for (const tag of await d.readerLanguages()) {
      const pick =
        available.find((a) => a.toLowerCase() === tag.toLowerCase()) ??
        available.find((a) => a === base(tag));
      if (pick && !out.some((l) => l === pick || base(l) === base(pick))) out.push(pick);
    }
    return out;
  }

  async function compileInto(
    number: number,
    previous: Edition | undefined,
    updates: Update[],
    o: {
      shape?: EditionShapePatch;
      windowStart: Date;
      windowEnd: Date;
      now: Date;
      requestedBy: Actor;
      s: EditionSettings;
    },
  ): Promise<Edition> {
    const { s, now } = o;
    const shape = await loadShape(number, o.shape);
    for (const id of [...(shape.featured ?? []), ...Object.keys(shape.assign ?? {})])
      if (!updates.some((u) => u.updateId === id))
        d.logger.warn('edition shape names an update that is not in this edition', { number, updateId: id });
    const plan = planSections(updates, now, shape);
    const renderer = await d.renderer();
    const active = d.templates ? await d.templates() : undefined;
    const branding: Branding = active?.branding ?? {};
    const media = await prepareMedia([...plan.featured, ...plan.sections.flatMap((sec) => sec.updates)], {
      content: d.content,
      images: renderer.images,
      mediaUrl: s.mediaUrl,
      logger: d.logger,
    });
    const revision = newId('r', now);
    const prefix = `editions/${number}/${revision}`;
    const defaultLanguage = s.languages[0] ?? 'en';
    const variants: EditionVariant[] = [];
    for (const lang of await variantLanguages(s, renderer)) {
      const settings = {
        lang,
        number,
        compiledAt: now,
        timeZone: s.timeZone,
        newsletterName: s.newsletterName,
        archiveUrl: s.archiveUrl,
        postalAddress: s.postalAddress,
        defaultLanguage,
        shape,
        branding,
        media,
      };
      const files = active?.files;
      const view = buildView(plan, { ...settings, archive: false });
      const archiveView = buildView(plan, { ...settings, archive: true });
      const { mail, page } = await renderMailAndPage(renderer, view, archiveView, files);
      checkLinks(mail.html, `${lang} e-mail`);
      // One subject for every recipient (it is never personalised, and it titles the archive page).
      if (mail.subject && hasPlaceholders(mail.subject)) {
        const token = /\{\{[^}]*\}\}/.exec(mail.subject)?.[0] ?? '{{…}}';
        throw new TemplateError(
          `the ${lang} subject ("subject" in strings/${lang}.json${lang === 'en' ? '' : ' or the en.json it falls back to'}) contains the per-recipient placeholder ${token}: a subject is the same for every recipient, so remove it`,
        );
      }
      if (hasPlaceholders(page.html) || hasPlaceholders(page.text))
        throw new TemplateError(
          `the ${lang} archive copy contains a per-recipient placeholder: wrap it in {{^archive}}…{{/archive}}`,
        );
      for (const w of mail.warnings) d.logger.warn('template warning', { lang, warning: w });
      const variant: EditionVariant = {
        language: lang,
        subject: shape.title ?? (mail.subject || `${s.newsletterName} ${number}`),
        htmlKey: `${prefix}/${lang}.html`,
        textKey: `${prefix}/${lang}.txt`,
        archiveKey: `${prefix}/${lang}.archive.html`,
        modelKey: `${prefix}/${lang}.json`,
      };
      await Promise.all([
        d.content.put(variant.htmlKey, mail.html, 'text/html; charset=utf-8'),
        d.content.put(variant.textKey, mail.text, 'text/plain; charset=utf-8'),
        d.content.put(variant.archiveKey as string, page.html, 'text/html; charset=utf-8'),
        d.content.put(variant.modelKey as string, JSON.stringify(view), 'application/json'),
      ]);
      variants.push(variant);
    }
    const edition = Edition.parse({
      number,
      title: variants[0]?.subject ?? `${s.newsletterName} ${number}`,
      status: 'draft',
      windowStart: o.windowStart.toISOString(),
      windowEnd: o.windowEnd.toISOString(),
      items: [
        ...plan.featured.map((u) => ({ u, section: u.section })),
        ...plan.sections.flatMap((sec) => sec.updates.map((u) => ({ u, section: sec.id }))),
      ].map(({ u, section }) => ({
        updateId: u.updateId,
        section: (SECTION_IDS as readonly string[]).includes(section) ? section : u.section,
        title: u.title,
        organisation: u.organisation,
        url: u.links[0]?.url,
      })),
      variants,
      audience: previous?.audience ?? 'newsletter',
      createdAt: previous?.createdAt ?? now.toISOString(),
      compiledAt: now.toISOString(),
      compiledBy: o.requestedBy,
      revision,
      skipped: plan.skipped,
    });
    const saved = await saveReplacingDraft(edition);
    d.logger.info('edition compiled', { number, items: saved.items.length, revision });
    return saved;
  }

  /**
   * Save as the new draft: create it, or replace the draft exactly as last read (status and revision),
   * so two compiles racing for the same draft both land and neither leaves files behind.
   */
  async function saveReplacingDraft(edition: Edition): Promise<Edition> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await d.editions.get(edition.number);
      if (current && current.status !== 'draft')
        throw new ConflictError(`edition ${edition.number} was ${current.status} while compiling`);
      const next: Edition = current
        ? { ...edition, createdAt: current.createdAt, audience: current.audience }
        : edition;
      try {
        await d.editions.save(next, current ? ['draft'] : 'absent', { revision: current?.revision });
      } catch (e) {
        if (e instanceof ConflictError) continue; // someone else saved in between: look again
        throw e;
      }
      if (current?.revision && current.revision !== next.revision) await removeRevision(current);
      return next;
    }
    throw new ConflictError(`edition ${edition.number} kept changing while compiling; try again`);
  }

  /** Old revisions of a recompiled draft are garbage; failing to delete them harms nothing. */
  async function removeRevision(old: Edition) {
    for (const v of old.variants)
      for (const key of [v.htmlKey, v.textKey, v.archiveKey, v.modelKey])
        if (key) await d.content.delete(key).catch(() => {});
  }
}

/**
 * The e-mail and its archive copy. A renderer that can renders both at once (most of the two is the
 * same) and leaves the page unminified: only the mail has a size limit.
 */
async function renderMailAndPage(
  renderer: EditionRenderer,
  mail: object,
  page: object,
  files: Record<string, string> | undefined,
): Promise<{ mail: RenderedEmail; page: RenderedEmail }> {
  const m = mail as Record<string, unknown>;
  const p = page as Record<string, unknown>;
  if (renderer.renderMailAndPage) return renderer.renderMailAndPage(TEMPLATE, m, p, { files });
  return {
    mail: await renderer.render(TEMPLATE, m, { files }),
    page: await renderer.render(TEMPLATE, p, { files }),
  };
}

/** Every link in a mail must be absolute (mail clients have no base URL) or a per-recipient placeholder. */
export function checkLinks(html: string, what: string) {
  const bad: string[] = [];
  for (const m of html.matchAll(/\s(?:href|src)\s*=\s*"([^"]*)"/gi)) {
    const url = (m[1] ?? '').replace(/&amp;/g, '&');
    if (/^\{\{\s*(unsubscribe_url|preferences_url)\s*\}\}$/.test(url)) continue;
    if (/^(https?:\/\/[^/\s]+|mailto:)/i.test(url)) continue;
    bad.push(url || '(empty)');
  }
  if (bad.length)
    throw new TemplateError(`${what}: links must be absolute, found ${bad.slice(0, 5).join(', ')}`, { bad });
}
