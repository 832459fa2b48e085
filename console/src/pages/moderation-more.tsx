/**
 * The rest of an update a moderator can correct before it reaches readers (issue 15 "Editing in moderation
 * is complete"): event time, zone and place, the deadline, links, which attachments are published and their
 * alt text, the member shown, and translations of title and summary. The fields are kept as text in the
 * moderation draft; `moreEdits` turns what changed into the API's UpdateEdits (src/domain/update.ts).
 */
import type * as z from 'zod';
import type { Member } from '../../../src/domain/member.ts';
import type { UpdateEdits } from '../../../src/domain/update.ts';
import type { UpdateView } from '../api.ts';
import { Field } from '../components.tsx';
import type { FieldErrors } from '../forms.ts';
import { t } from '../i18n.ts';

/** The edition languages a moderator may translate into (templates/strings). */
const LANGUAGES = ['en', 'zh', 'ja', 'ko'] as const;
const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

export interface MoreForm {
  deadline: string;
  eventStart: string;
  eventEnd: string;
  eventZone: string;
  eventPlace: string;
  links: string;
  keep: Record<string, boolean>;
  alt: Record<string, string>;
  translations: Record<string, { title: string; summary: string }>;
  memberId: string;
}

const parts = (ms: number, zone: string) => {
  const p = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(ms));
  const g = (k: string) => Number(p.find((x) => x.type === k)?.value);
  return { y: g('year'), m: g('month'), d: g('day'), h: g('hour'), min: g('minute') };
};

/** An instant as a datetime-local value on the wall clock of `zone`. */
export function isoToWall(iso: string | undefined, zone: string): string {
  if (!iso) return '';
  const { y, m, d, h, min } = parts(Date.parse(iso), zone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${y}-${two(m)}-${two(d)}T${two(h)}:${two(min)}`;
}

/** A datetime-local value read on the wall clock of `zone` → ISO instant (two passes settle DST edges). */
export function wallToIso(wall: string, zone: string): string {
  const [date = '', time = '00:00'] = wall.split('T');
  const [y = 0, mo = 1, d = 1] = date.split('-').map(Number);
  const [h = 0, mi = 0] = time.split(':').map(Number);
  const wanted = Date.UTC(y, mo - 1, d, h, mi);
  const offset = (ms: number) => {
    const p = parts(ms, zone);
    return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min) - Math.floor(ms / 60_000) * 60_000;
  };
  let at = wanted - offset(wanted);
  at = wanted - offset(at);
  return new Date(at).toISOString();
}

const linksText = (u: UpdateView) => u.links.map((l) => (l.label ? `${l.url} ${l.label}` : l.url)).join('\n');
const eventZone = (u: UpdateView) => u.event?.timeZone ?? BROWSER_ZONE;

export function moreInitial(u: UpdateView): MoreForm {
  const files = [...u.attachments, ...(u.droppedAttachments ?? [])];
  const zone = eventZone(u);
  return {
    deadline: isoToWall(u.deadline, BROWSER_ZONE),
    eventStart: isoToWall(u.event?.start, zone),
    eventEnd: isoToWall(u.event?.end, zone),
    eventZone: u.event?.timeZone ?? '',
    eventPlace: u.event?.location ?? '',
    links: linksText(u),
    keep: Object.fromEntries(files.map((f) => [f.key, u.attachments.some((a) => a.key === f.key)])),
    alt: Object.fromEntries(files.map((f) => [f.key, f.alt ?? ''])),
    translations: Object.fromEntries(
      LANGUAGES.map((l) => [
        l,
        { title: u.translations?.[l]?.title ?? '', summary: u.translations?.[l]?.summary ?? '' },
      ]),
    ),
    memberId: u.memberId,
  };
}

type EditsInput = z.input<typeof UpdateEdits>;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What changed, in the API's terms; fields left as they were are not sent. */
export function moreEdits(u: UpdateView, before: MoreForm, f: MoreForm): EditsInput {
  const out: EditsInput = {};
  if (f.deadline !== before.deadline) out.deadline = f.deadline ? new Date(f.deadline).toISOString() : null;
  const eventFields = ['eventStart', 'eventEnd', 'eventZone', 'eventPlace'] as const;
  if (eventFields.some((k) => f[k] !== before[k]) && f.eventStart) {
    const zone = f.eventZone.trim() || eventZone(u);
    out.event = {
      start: wallToIso(f.eventStart, zone),
      end: f.eventEnd ? wallToIso(f.eventEnd, zone) : null,
      timeZone: f.eventZone.trim() || null,
      location: f.eventPlace.trim() || null,
    };
  }
  if (f.links !== before.links)
    out.links = f.links
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const [url = '', ...label] = line.split(/\s+/);
        return label.length ? { url, label: label.join(' ') } : { url };
      });
  if (!same(f.keep, before.keep) || !same(f.alt, before.alt))
    out.attachments = Object.keys(f.keep)
      .filter((k) => f.keep[k])
      .map((key) => ({ key, alt: f.alt[key]?.trim() || null }));
  const translations: NonNullable<EditsInput['translations']> = {};
  for (const l of LANGUAGES) {
    const now = f.translations[l] ?? { title: '', summary: '' };
    const was = before.translations[l] ?? { title: '', summary: '' };
    if (same(now, was)) continue;
    if (!now.title.trim() && !now.summary.trim()) translations[l] = null;
    else
      translations[l] = {
        ...(now.title.trim() ? { title: now.title } : {}),
        ...(now.summary.trim() ? { summary: now.summary } : {}),
      };
  }
  if (Object.keys(translations).length) out.translations = translations;
  if (f.memberId !== before.memberId) out.memberId = f.memberId;
  return out;
}

/** Server field names (`event.start`, `links.0.url`, `translations.zh.title`) → the field here. */
export const moreError = (errors: FieldErrors, prefix: string) =>
  Object.entries(errors).find(([k]) => k === prefix || k.startsWith(`${prefix}.`))?.[1];

export function MoreFields(p: {
  update: UpdateView;
  form: MoreForm;
  set(f: MoreForm): void;
  errors: FieldErrors;
  disabled: boolean;
  members: Member[];
}) {
  const { form: f, set, disabled } = p;
  const u = p.update;
  const text =
    (k: 'deadline' | 'eventStart' | 'eventEnd' | 'eventZone' | 'eventPlace' | 'links') => (e: Event) =>
      set({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const files = [...u.attachments, ...(u.droppedAttachments ?? [])];
  const own = (u.language ?? '').split('-')[0];
  return (
    <details class="more">
      <summary>{t('Event, deadline, links, attachments, member, translations')}</summary>
      <fieldset>
        <legend>{t('Event')}</legend>
        <div class="row">
          <Field
            label={t('Starts')}
            error={moreError(p.errors, 'event.start') ?? moreError(p.errors, 'event')}
          >
            {(id, d) => (
              <input
                id={id}
                type="datetime-local"
                aria-describedby={d}
                value={f.eventStart}
                onInput={text('eventStart')}
                disabled={disabled}
              />
            )}
          </Field>
          <Field label={t('Ends')} error={moreError(p.errors, 'event.end')}>
            {(id, d) => (
              <input
                id={id}
                type="datetime-local"
                aria-describedby={d}
                value={f.eventEnd}
                onInput={text('eventEnd')}
                disabled={disabled}
              />
            )}
          </Field>
          <Field
            label={t('Event time zone')}
            error={moreError(p.errors, 'event.timeZone')}
            hint={t('The times above are read in this zone (empty: {tz})', { tz: eventZone(u) })}
          >
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                value={f.eventZone}
                onInput={text('eventZone')}
                disabled={disabled}
              />
            )}
          </Field>
          <Field label={t('Place')} error={moreError(p.errors, 'event.location')}>
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                value={f.eventPlace}
                onInput={text('eventPlace')}
                disabled={disabled}
              />
            )}
          </Field>
        </div>
      </fieldset>
      <Field
        label={t('Deadline')}
        error={moreError(p.errors, 'deadline')}
        hint={t('Shown in {tz}', { tz: BROWSER_ZONE })}
      >
        {(id, d) => (
          <input
            id={id}
            type="datetime-local"
            aria-describedby={d}
            value={f.deadline}
            onInput={text('deadline')}
            disabled={disabled}
          />
        )}
      </Field>
      <Field
        label={t('Links')}
        error={moreError(p.errors, 'links')}
        hint={t('One per line: the address, then its label')}
      >
        {(id, d) => (
          <textarea
            id={id}
            rows={3}
            aria-describedby={d}
            value={f.links}
            onInput={text('links')}
            disabled={disabled}
          />
        )}
      </Field>
      {files.length > 0 && (
        <fieldset>
          <legend>{t('Attachments published')}</legend>
          {files.map((a) => (
            <div class="row" key={a.key}>
              <label class="check">
                <input
                  type="checkbox"
                  checked={f.keep[a.key] ?? false}
                  disabled={disabled}
                  onChange={(e) => set({ ...f, keep: { ...f.keep, [a.key]: e.currentTarget.checked } })}
                />{' '}
                {t('Publish {file}', { file: a.filename })}
              </label>
              {a.contentType.startsWith('image/') && (
                <Field label={t('Alt text for {file}', { file: a.filename })}>
                  {(id) => (
                    <input
                      id={id}
                      value={f.alt[a.key] ?? ''}
                      disabled={disabled || !f.keep[a.key]}
                      onInput={(e) => set({ ...f, alt: { ...f.alt, [a.key]: e.currentTarget.value } })}
                    />
                  )}
                </Field>
              )}
            </div>
          ))}
          {moreError(p.errors, 'attachments') && (
            <small class="error" role="alert">
              {moreError(p.errors, 'attachments')}
            </small>
          )}
        </fieldset>
      )}
      <Field label={t('Member shown')} error={moreError(p.errors, 'memberId')}>
        {(id, d) => (
          <select
            id={id}
            aria-describedby={d}
            value={f.memberId}
            disabled={disabled}
            onChange={(e) => set({ ...f, memberId: e.currentTarget.value })}
          >
            {!p.members.some((m) => m.memberId === f.memberId) && (
              <option value={f.memberId}>{u.organisation}</option>
            )}
            {p.members.map((m) => (
              <option key={m.memberId} value={m.memberId}>
                {m.organisation}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset>
        <legend>{t('Translations')}</legend>
        <p class="hint">
          {t('Readers of that language see these instead of the original; empty: the original.')}
        </p>
        {LANGUAGES.filter((l) => l !== own).map((l) => {
          const tr = f.translations[l] ?? { title: '', summary: '' };
          const put = (patch: Partial<typeof tr>) =>
            set({ ...f, translations: { ...f.translations, [l]: { ...tr, ...patch } } });
          return (
            <div class="row" key={l} lang={l}>
              <Field
                label={t('Title ({lang})', { lang: l })}
                error={
                  moreError(p.errors, `translations.${l}.title`) ?? moreError(p.errors, `translations.${l}`)
                }
              >
                {(id, d) => (
                  <input
                    id={id}
                    aria-describedby={d}
                    value={tr.title}
                    disabled={disabled}
                    onInput={(e) => put({ title: e.currentTarget.value })}
                  />
                )}
              </Field>
              <Field
                label={t('Summary ({lang})', { lang: l })}
                error={moreError(p.errors, `translations.${l}.summary`)}
              >
                {(id, d) => (
                  <textarea
                    id={id}
                    rows={2}
                    aria-describedby={d}
                    value={tr.summary}
                    disabled={disabled}
                    onInput={(e) => put({ summary: e.currentTarget.value })}
                  />
                )}
              </Field>
            </div>
          );
        })}
      </fieldset>
    </details>
  );
}
