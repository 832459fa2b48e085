/**
 * Saved audiences (segments, docs/subscribers.md "Segments"): who a deadline, an event or an edition reaches,
 * as a filter the secretariat builds here, counted before it is saved. The server evaluates every filter
 * (POST /admin/audiences/preview); this page only collects the choices.
 */
import { useEffect, useState } from 'preact/hooks';
import { Audience } from '../../../src/domain/common.ts';
import { MemberType } from '../../../src/domain/member.ts';
import { type AudiencePreview, ContactRole, type Segment } from '../../../src/domain/segment.ts';
import { api } from '../api.ts';
import { Field, FormError, Notice, Scroll } from '../components.tsx';
import { type FieldErrors, serverErrors } from '../forms.ts';
import { t } from '../i18n.ts';

interface Form {
  segmentId: string;
  name: string;
  description: string;
  lists: string[];
  memberTypes: string[];
  roles: string[];
  countries: string;
  languages: string;
}
const EMPTY: Form = {
  segmentId: '',
  name: '',
  description: '',
  lists: [],
  memberTypes: [],
  roles: [],
  countries: '',
  languages: '',
};

/** "Council contacts (China)" → "council-contacts-china": an id the server accepts, editable before saving. */
const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);

/** Only the choices made: an empty field does not filter. */
function filterOf(f: Form): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (f.lists.length) out.lists = f.lists;
  if (f.memberTypes.length) out.memberTypes = f.memberTypes;
  if (f.roles.length) out.roles = f.roles;
  if (f.countries.trim()) out.countries = f.countries;
  if (f.languages.trim()) out.languages = f.languages;
  return out;
}

const formOf = (s: Segment): Form => ({
  segmentId: s.segmentId,
  name: s.name,
  description: s.description,
  lists: s.filter.lists ?? [],
  memberTypes: s.filter.memberTypes ?? [],
  roles: s.filter.roles ?? [],
  countries: (s.filter.countries ?? []).join(', '),
  languages: (s.filter.languages ?? []).join(', '),
});

/** A filter in words, for the list: "newsletter · council · CN". */
const summary = (s: Segment) =>
  [s.filter.lists, s.filter.memberTypes, s.filter.roles, s.filter.countries, s.filter.languages]
    .filter((x): x is string[] => Boolean(x?.length))
    .map((x) => x.join(', '))
    .join(' · ') || t('every confirmed reader');

export function Audiences() {
  const [segments, setSegments] = useState<Segment[]>();
  const [editing, setEditing] = useState<Segment>();
  const [message, setMessage] = useState<string>();
  const load = () => api.segments().then((r) => setSegments(r.items));
  useEffect(() => {
    void load();
  }, []);
  const remove = async (s: Segment) => {
    if (!confirm(t('Delete the audience “{name}”?', { name: s.name }))) return;
    try {
      await api.deleteSegment(s.segmentId);
      setMessage(t('Deleted “{name}”.', { name: s.name }));
      if (editing?.segmentId === s.segmentId) setEditing(undefined);
      await load();
    } catch (e) {
      setMessage(Object.values(serverErrors(e))[0]);
    }
  };
  return (
    <div>
      <h1>{t('Audiences')}</h1>
      <p class="hint">
        {t(
          'A saved audience is who a deadline, an event or an edition reaches. Only confirmed readers get mail.',
        )}
      </p>
      {message && <Notice>{message}</Notice>}
      <Scroll label={t('Audiences')}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('Name')}</th>
              <th scope="col">{t('Who')}</th>
              <th scope="col">
                <span class="sr-only">{t('Actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {segments?.length === 0 && (
              <tr>
                <td colSpan={3}>{t('No saved audiences yet.')}</td>
              </tr>
            )}
            {segments?.map((s) => (
              <tr key={s.segmentId}>
                <td>
                  {s.name}
                  <br />
                  <small class="hint">{s.segmentId}</small>
                </td>
                <td>{summary(s)}</td>
                <td class="actions">
                  <button type="button" onClick={() => setEditing(s)}>
                    {t('Edit')}
                  </button>
                  <button type="button" class="danger" onClick={() => void remove(s)}>
                    {t('Delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      <SegmentForm
        key={editing ? `${editing.segmentId}@${editing.version}` : 'new'}
        editing={editing}
        onSaved={(s, created) => {
          setMessage(
            created ? t('Saved “{name}”.', { name: s.name }) : t('Updated “{name}”.', { name: s.name }),
          );
          setEditing(undefined);
          void load();
        }}
        onCancel={() => setEditing(undefined)}
      />
    </div>
  );
}

function SegmentForm(p: {
  editing?: Segment;
  onSaved(s: Segment, created: boolean): void;
  onCancel(): void;
}) {
  const [form, setForm] = useState<Form>(p.editing ? formOf(p.editing) : EMPTY);
  const [idTouched, setIdTouched] = useState(Boolean(p.editing));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [preview, setPreview] = useState<AudiencePreview>();
  const set = (patch: Partial<Form>) => {
    setForm({ ...form, ...patch });
    setPreview(undefined);
  };
  const count = async () => {
    setErrors({});
    try {
      setPreview(await api.previewAudience(filterOf(form)));
    } catch (e) {
      setErrors(atFields(serverErrors(e)));
    }
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    try {
      const filter = filterOf(form);
      const body = { name: form.name, description: form.description, filter };
      const saved = p.editing
        ? await api.updateSegment(p.editing.segmentId, { ...body, ifVersion: p.editing.version })
        : await api.addSegment({ ...body, segmentId: form.segmentId });
      p.onSaved(saved, !p.editing);
    } catch (err) {
      setErrors(atFields(serverErrors(err)));
    }
  };
  return (
    <form class="card" onSubmit={save}>
      <h2>{p.editing ? t('Edit “{name}”', { name: p.editing.name }) : t('New audience')}</h2>
      <div class="row">
        <Field label={t('Name')} error={errors.name}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              value={form.name}
              onInput={(e) => {
                const name = e.currentTarget.value;
                set(idTouched ? { name } : { name, segmentId: slug(name) });
              }}
            />
          )}
        </Field>
        <Field
          label={t('Short id')}
          error={errors.segmentId}
          hint={t('a-z, 0-9 and -, e.g. council-contacts')}
        >
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              value={form.segmentId}
              disabled={Boolean(p.editing)}
              onInput={(e) => {
                setIdTouched(true);
                set({ segmentId: e.currentTarget.value });
              }}
            />
          )}
        </Field>
      </div>
      <Field label={t('Description')} error={errors.description}>
        {(id, d) => (
          <input
            id={id}
            aria-describedby={d}
            value={form.description}
            onInput={(e) => set({ description: e.currentTarget.value })}
          />
        )}
      </Field>
      <Choices
        legend={t('Lists (any of)')}
        options={Audience.options}
        value={form.lists}
        error={errors['filter.lists']}
        onChange={(lists) => set({ lists })}
      />
      <Choices
        legend={t('Contacts of members of type (any of)')}
        options={MemberType.options}
        value={form.memberTypes}
        error={errors['filter.memberTypes']}
        onChange={(memberTypes) => set({ memberTypes })}
      />
      <Choices
        legend={t('Contact role (any of)')}
        options={ContactRole.options}
        value={form.roles}
        error={errors['filter.roles']}
        onChange={(roles) => set({ roles })}
      />
      <div class="row">
        <Field label={t('Countries')} error={errors['filter.countries']} hint={t('e.g. CN, JP (empty: any)')}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              value={form.countries}
              onInput={(e) => set({ countries: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label={t('Languages')} error={errors['filter.languages']} hint={t('e.g. zh, ja (empty: any)')}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              value={form.languages}
              onInput={(e) => set({ languages: e.currentTarget.value })}
            />
          )}
        </Field>
      </div>
      <FormError error={errors._ ?? errors.filter} />
      <div class="actions">
        <button type="button" onClick={() => void count()}>
          {t('Count readers')}
        </button>
        <button type="submit" class="primary">
          {p.editing ? t('Save changes') : t('Save audience')}
        </button>
        {p.editing && (
          <button type="button" onClick={p.onCancel}>
            {t('Cancel')}
          </button>
        )}
      </div>
      {preview && <PreviewResult preview={preview} />}
    </form>
  );
}

/** The server names list items (`filter.languages.2`); the form has one field per list. */
function atFields(e: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(e)) out[k.replace(/\.\d+$/, '')] ??= v;
  return out;
}

function Choices(p: {
  legend: string;
  options: readonly string[];
  value: string[];
  error?: string;
  onChange(v: string[]): void;
}) {
  return (
    <fieldset class={`choices${p.error ? ' invalid' : ''}`}>
      <legend>{p.legend}</legend>
      {p.options.map((o) => (
        <label key={o} class="check">
          <input
            type="checkbox"
            checked={p.value.includes(o)}
            onChange={(e) =>
              p.onChange(e.currentTarget.checked ? [...p.value, o] : p.value.filter((x) => x !== o))
            }
          />{' '}
          {t(o)}
        </label>
      ))}
      {p.error && (
        <small class="error" role="alert">
          {p.error}
        </small>
      )}
    </fieldset>
  );
}

function PreviewResult({ preview }: { preview: AudiencePreview }) {
  const spread = (r: Record<string, number>) =>
    Object.entries(r)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return (
    <section aria-label={t('Who it reaches')} class="audience-preview">
      <p role="status" data-testid="audience-count">
        {t('{n} confirmed readers', { n: preview.count })}
      </p>
      {preview.count > 0 && (
        <>
          <p class="hint">
            {t('By language')}: {spread(preview.byLanguage)} · {t('By time zone')}:{' '}
            {spread(preview.byTimeZone)}
          </p>
          <ul class="sample">
            {preview.sample.map((s) => (
              <li key={s.subscriberId}>
                {s.name ? `${s.name} <${s.email}>` : s.email}
                {s.memberRole ? ` · ${t(s.memberRole)}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
