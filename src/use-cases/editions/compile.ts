import {
  type Actor,
  ConflictError,
  Edition,
  type EditionStatus,
  type EditionVariant,
  newId,
  TemplateError,
  ValidationError,
} from '../../domain/index.ts';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ApprovedUpdates, EditionRepo } from '../../ports/editions.ts';
import type { Logger } from '../../ports/logger.ts';
import type { EditionRenderer } from '../../ports/renderer.ts';
import { hasPlaceholders } from './personalise.ts';
import type { EditionSettings } from './settings.ts';
import { buildView, planSections, startOfPreviousQuarter } from './view-model.ts';

export const TEMPLATE = 'edition';

/** Statuses whose items are spoken for: a new compile must not pick those updates again. */
const HOLDS_ITEMS: EditionStatus[] = ['approved', 'sending', 'paused', 'sent'];

export interface CompileRequest {
  windowStart?: Date;
  windowEnd?: Date;
  requestedBy: Actor;
}

export interface CompileDeps {
  editions: EditionRepo;
  updates: ApprovedUpdates;
  renderer: () => Promise<EditionRenderer>;
  content: BlobStore;
  clock: Clock;
  logger: Logger;
  settings: () => EditionSettings;
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
      const reserved = await reserveNumber();
      number = reserved.number;
      const edition = await compileInto(reserved.number, reserved.previous, {
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

  async function compileInto(
    number: number,
    previous: Edition | undefined,
    o: { windowStart: Date; windowEnd: Date; now: Date; requestedBy: Actor; s: EditionSettings },
  ): Promise<Edition> {
    const { s, now } = o;
    const held = new Set<string>();
    for (const e of await d.editions.list())
      if (HOLDS_ITEMS.includes(e.status)) for (const i of e.items) held.add(i.updateId);
    const updates = (await d.updates.listApprovedInWindow(o.windowStart, o.windowEnd)).filter(
      (u) => u.status === 'approved' && !held.has(u.updateId),
    );
    const plan = planSections(updates, now);
    const renderer = await d.renderer();
    const revision = newId('r', now);
    const prefix = `editions/${number}/${revision}`;
    const defaultLanguage = s.languages[0] ?? 'en';
    const variants: EditionVariant[] = [];
    for (const lang of s.languages) {
      const settings = {
        lang,
        number,
        compiledAt: now,
        timeZone: s.timeZone,
        newsletterName: s.newsletterName,
        archiveUrl: s.archiveUrl,
        postalAddress: s.postalAddress,
        defaultLanguage,
      };
      const view = buildView(plan, { ...settings, archive: false });
      const mail = await renderer.render(TEMPLATE, view as unknown as Record<string, unknown>);
      const page = await renderer.render(TEMPLATE, { ...view, archive: true });
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
        subject: mail.subject || `${s.newsletterName} ${number}`,
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
      items: plan.sections.flatMap((sec) =>
        sec.updates.map((u) => ({
          updateId: u.updateId,
          section: sec.id,
          title: u.title,
          organisation: u.organisation,
          url: u.links[0]?.url,
        })),
      ),
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
