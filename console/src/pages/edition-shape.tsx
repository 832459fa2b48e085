/**
 * Shape a draft edition before approval: its title, period and foreword, the order of its items, which
 * section each is in, and which are featured. Saved with PATCH /admin/editions/:n/shape (the server's own
 * schema checks it first) and applied by recompiling the draft, so the preview shows what will be sent.
 * Every move is a button (keyboard and mouse alike); focus stays on the moved item.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Edition } from '../../../src/domain/campaign.ts';
import {
  EditionShapePatch,
  type EditionShape as Shape,
  type ShapeSection,
} from '../../../src/domain/edition.ts';
import { Section } from '../../../src/domain/update.ts';
import { api } from '../api.ts';
import { Field, FormError } from '../components.tsx';
import { check, type FieldErrors, serverErrors, useDraft } from '../forms.ts';
import { t } from '../i18n.ts';

const FEATURED = '__featured';
const MAX_FEATURED = 5;
/** The headings the templates give the built-in sections (templates/strings/en.json). */
const SECTION_NAMES: Record<string, string> = {
  [FEATURED]: 'Featured',
  events: 'Events ahead',
  news: 'Member news',
  publications: 'Publications',
  deadlines: 'Deadlines',
};

/** What the editor edits: plain data, so it can be kept as a draft in the browser. */
/** A section's heading as readers see it (custom ids are shown as they are). */
export const sectionName = (id: string) => t(SECTION_NAMES[id] ?? id);

export interface ShapeModel {
  title: string;
  year: string;
  quarter: string;
  foreword: string;
  sections: ShapeSection[];
  /** Item ids per group, in the order shown: FEATURED first, then each section. */
  groups: Record<string, string[]>;
  assign: Record<string, string>;
}

/** The groups in the order the compile lays them out: featured, listed sections, then the built-in ones. */
export const groupOrder = (m: Pick<ShapeModel, 'sections' | 'groups'>) => [
  ...new Set([FEATURED, ...m.sections.map((s) => s.id), ...Section.options, ...Object.keys(m.groups)]),
];

export function toModel(e: Edition, shape: Shape): ShapeModel {
  const ids = new Set(e.items.map((i) => i.updateId));
  const featured = (shape.featured ?? []).filter((id) => ids.has(id));
  const groups: Record<string, string[]> = { [FEATURED]: featured };
  // Edition items are stored in the order they were rendered; a custom section is only in the shape.
  for (const i of e.items) {
    if (featured.includes(i.updateId)) continue;
    const section = shape.assign?.[i.updateId] ?? i.section;
    groups[section] = [...(groups[section] ?? []), i.updateId];
  }
  return {
    title: shape.title ?? '',
    year: shape.period ? String(shape.period.year) : '',
    quarter: shape.period ? String(shape.period.quarter) : '',
    foreword: shape.foreword ?? '',
    sections: shape.sections ?? [],
    groups,
    assign: { ...shape.assign },
  };
}

/** A draft kept from an earlier visit, fitted to the items the edition has now (recompiles add or drop some). */
function reconcile(m: ShapeModel, fresh: ShapeModel): ShapeModel {
  const now = new Set(Object.values(fresh.groups).flat());
  const groups: Record<string, string[]> = {};
  for (const [g, list] of Object.entries(m.groups)) groups[g] = list.filter((id) => now.has(id));
  const placed = new Set(Object.values(groups).flat());
  for (const [g, list] of Object.entries(fresh.groups))
    for (const id of list) if (!placed.has(id)) groups[g] = [...(groups[g] ?? []), id];
  return { ...m, groups };
}

export function toPatch(m: ShapeModel, e: Edition): Record<string, unknown> {
  const recorded = new Map(e.items.map((i) => [i.updateId, i.section as string]));
  const assign: Record<string, string> = {};
  for (const [g, list] of Object.entries(m.groups)) {
    if (g === FEATURED) continue;
    for (const id of list) if (m.assign[id] || recorded.get(id) !== g) assign[id] = g;
  }
  // A featured item keeps the section it had, for when it is no longer featured.
  for (const id of m.groups[FEATURED] ?? []) if (m.assign[id]) assign[id] = m.assign[id];
  const featured = m.groups[FEATURED] ?? [];
  const period =
    m.year.trim() || m.quarter ? { year: Number(m.year.trim()), quarter: Number(m.quarter) } : null;
  return {
    title: m.title.trim() || null,
    period,
    foreword: m.foreword.trim() || null,
    sections: m.sections.length ? m.sections : null,
    assign: Object.keys(assign).length ? assign : null,
    order: groupOrder(m).flatMap((g) => m.groups[g] ?? []),
    featured: featured.length ? featured : null,
  };
}

export function ShapeEditor({ edition, onSaved }: { edition: Edition; onSaved(): void }) {
  // The shape read for this revision: after a recompile the form starts again from what the server kept.
  const [read, setRead] = useState<{ revision?: string; shape: Shape }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api.editionShape(edition.number).then(
      (r) => setRead({ revision: edition.revision, shape: r.shape }),
      (err) => setError(serverErrors(err)._),
    );
  }, [edition.number, edition.revision]);
  if (error) return <FormError error={error} />;
  if (!read || read.revision !== edition.revision) return <p>{t('Loading…')}</p>;
  return <ShapeForm key={edition.revision} edition={edition} shape={read.shape} onSaved={onSaved} />;
}

function ShapeForm({ edition: e, shape, onSaved }: { edition: Edition; shape: Shape; onSaved(): void }) {
  const fresh = toModel(e, shape);
  const [stored, setModel, clear, restored] = useDraft<ShapeModel>(`shape.${e.number}`, fresh);
  const m = restored ? reconcile(stored, fresh) : stored;
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState('');
  const [newSection, setNewSection] = useState({ id: '', title: '' });
  const focusNext = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!focusNext.current) return;
    document.getElementById(focusNext.current)?.focus();
    focusNext.current = undefined;
  });

  const items = new Map(e.items.map((i) => [i.updateId, i]));
  const titleOf = (id: string) => items.get(id)?.title ?? id;
  const groupName = (g: string) => m.sections.find((s) => s.id === g)?.title ?? t(SECTION_NAMES[g] ?? g);
  const order = groupOrder(m);
  const where = (id: string) => {
    for (const g of order) {
      const i = (m.groups[g] ?? []).indexOf(id);
      if (i >= 0) return { g, i };
    }
    return undefined;
  };

  const update = (next: Partial<ShapeModel>) => setModel({ ...m, ...next });
  const shift = (id: string, by: -1 | 1) => {
    const at = where(id);
    if (!at) return;
    const list = [...(m.groups[at.g] ?? [])];
    const to = at.i + by;
    if (to < 0 || to >= list.length) return;
    [list[at.i], list[to]] = [list[to] as string, list[at.i] as string];
    update({ groups: { ...m.groups, [at.g]: list } });
    // Focus stays on the button pressed, or on the other one when the item reached the end of its list.
    const end = by < 0 ? to === 0 : to === list.length - 1;
    focusNext.current = `${(by < 0) !== end ? 'up' : 'down'}-${id}`;
    setSaid(
      t('{title}: position {n} in {section}', { title: titleOf(id), n: to + 1, section: groupName(at.g) }),
    );
  };
  const moveTo = (id: string, g: string) => {
    const at = where(id);
    if (!at || at.g === g) return;
    if (g === FEATURED && (m.groups[FEATURED] ?? []).length >= MAX_FEATURED) return;
    const groups = { ...m.groups, [at.g]: (m.groups[at.g] ?? []).filter((x) => x !== id) };
    groups[g] = [...(groups[g] ?? []), id];
    update({ groups });
    focusNext.current = `section-${id}`;
    setSaid(t('{title}: moved to {section}', { title: titleOf(id), section: groupName(g) }));
  };
  const addSection = () => {
    const s = { id: newSection.id.trim(), title: newSection.title.trim() || undefined };
    const c = check(EditionShapePatch, { sections: [...m.sections, s] });
    if (!c.ok) {
      setErrors({ newSection: Object.values(c.errors)[0] ?? '' });
      return;
    }
    if (order.includes(s.id)) {
      setErrors({ newSection: t('There is already a section "{id}".', { id: s.id }) });
      return;
    }
    setErrors({});
    update({ sections: [...m.sections, s], groups: { ...m.groups, [s.id]: [] } });
    setNewSection({ id: '', title: '' });
  };

  const save = async (ev: Event) => {
    ev.preventDefault();
    setErrors({});
    const c = check(EditionShapePatch, toPatch(m, e));
    if (!c.ok) return setErrors(c.errors);
    setBusy(true);
    try {
      await api.patchEditionShape(e.number, c.data);
      await api.compile(e.windowStart, e.windowEnd);
      clear();
      onSaved();
    } catch (err) {
      setErrors(serverErrors(err));
    } finally {
      setBusy(false);
    }
  };
  const reset = async () => {
    setBusy(true);
    setErrors({});
    try {
      const cleared = Object.fromEntries(Object.keys(EditionShapePatch.shape).map((k) => [k, null]));
      await api.patchEditionShape(e.number, cleared);
      await api.compile(e.windowStart, e.windowEnd);
      clear();
      onSaved();
    } catch (err) {
      setErrors(serverErrors(err));
    } finally {
      setBusy(false);
    }
  };

  const featuredFull = (m.groups[FEATURED] ?? []).length >= MAX_FEATURED;
  return (
    <form class="card shape" onSubmit={save} aria-labelledby="shape-heading">
      <h3 id="shape-heading">{t('Shape this edition')}</h3>
      {restored && <p class="hint">{t('Unsaved edits kept from your last visit.')}</p>}
      <div class="row">
        <Field label={t('Edition title')} error={errors.title} hint={t('Empty: {title}', { title: e.title })}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              value={m.title}
              onInput={(ev) => update({ title: ev.currentTarget.value })}
            />
          )}
        </Field>
        <Field label={t('Year')} error={errors['period.year'] ?? errors.period}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              inputMode="numeric"
              size={6}
              value={m.year}
              onInput={(ev) => update({ year: ev.currentTarget.value })}
            />
          )}
        </Field>
        <Field label={t('Quarter')} error={errors['period.quarter']}>
          {(id, d) => (
            <select
              id={id}
              aria-describedby={d}
              value={m.quarter}
              onChange={(ev) => update({ quarter: ev.currentTarget.value })}
            >
              <option value="">{t('From the items')}</option>
              {[1, 2, 3, 4].map((q) => (
                <option key={q} value={String(q)}>
                  Q{q}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label={t('Foreword')} error={errors.foreword} hint={t('Blank lines separate paragraphs.')}>
        {(id, d) => (
          <textarea
            id={id}
            aria-describedby={d}
            rows={4}
            value={m.foreword}
            onInput={(ev) => update({ foreword: ev.currentTarget.value })}
          />
        )}
      </Field>
      <p class="sr-only" aria-live="polite">
        {said}
      </p>
      {order.map((g) => {
        const list = m.groups[g] ?? [];
        if (g === FEATURED && !list.length) return null;
        return (
          <section key={g} class="shape-group" aria-label={groupName(g)} data-group={g}>
            <h4>{groupName(g)}</h4>
            {list.length ? (
              <ol>
                {list.map((id, i) => (
                  <li key={id} data-id={id}>
                    <span class="title">{titleOf(id)}</span>{' '}
                    <span class="meta">— {items.get(id)?.organisation}</span>
                    <span class="moves">
                      <button
                        type="button"
                        id={`up-${id}`}
                        aria-label={`${t('Move up')}: ${titleOf(id)}`}
                        disabled={i === 0}
                        onClick={() => shift(id, -1)}
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        id={`down-${id}`}
                        aria-label={`${t('Move down')}: ${titleOf(id)}`}
                        disabled={i === list.length - 1}
                        onClick={() => shift(id, 1)}
                      >
                        ↓
                      </button>
                      <select
                        id={`section-${id}`}
                        aria-label={`${t('Section')}: ${titleOf(id)}`}
                        value={g}
                        onChange={(ev) => moveTo(id, ev.currentTarget.value)}
                      >
                        {order.map((o) => (
                          <option
                            key={o}
                            value={o}
                            disabled={o === FEATURED && featuredFull && g !== FEATURED}
                          >
                            {groupName(o)}
                          </option>
                        ))}
                      </select>
                    </span>
                  </li>
                ))}
              </ol>
            ) : (
              <p class="hint">{t('No items in this section.')}</p>
            )}
          </section>
        );
      })}
      <div class="row">
        <Field label={t('New section (id)')} error={errors.newSection} hint={t('e.g. council-news')}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              value={newSection.id}
              onInput={(ev) => setNewSection({ ...newSection, id: ev.currentTarget.value })}
            />
          )}
        </Field>
        <Field label={t('Heading')}>
          {(id) => (
            <input
              id={id}
              value={newSection.title}
              onInput={(ev) => setNewSection({ ...newSection, title: ev.currentTarget.value })}
            />
          )}
        </Field>
        <button type="button" onClick={addSection}>
          {t('Add section')}
        </button>
      </div>
      <FormError error={errors._ ?? errors.order ?? errors.featured ?? errors.assign ?? errors.sections} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('Compiling…') : t('Save and recompile')}
        </button>
        <button type="button" disabled={busy} onClick={() => void reset()}>
          {t('Back to the computed shape')}
        </button>
      </div>
    </form>
  );
}
