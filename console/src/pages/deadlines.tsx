import { useEffect, useState } from 'preact/hooks';
import { MemberType } from '../../../src/domain/member.ts';
import type { Segment } from '../../../src/domain/segment.ts';
import { api, type DeadlineDetail, type DeadlineView, type RemindNowResult } from '../api.ts';
import { Badge, Field, FormError, fmtDate, Notice } from '../components.tsx';
import { type FieldErrors, serverErrors, useDraft } from '../forms.ts';
import { t } from '../i18n.ts';
import { canApprove } from '../session.ts';

/** The secretariat's zone: the browser's (reminder dates are shown in it, and new items default to it). */
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
const EMPTY = {
  kind: 'deadline',
  title: '',
  due: '',
  timeZone: ZONE,
  offsets: 'P14D, P3D, P1D',
  description: '',
  /** The API's short form: all, members, member-type:council, segment:<id>. */
  audience: 'all',
};

export function Deadlines() {
  const [list, setList] = useState<DeadlineView[]>([]);
  const [view, setView] = useState<'list' | 'calendar'>('list');
  const [open, setOpen] = useState<string>();
  const load = () => api.deadlines(true).then((r) => setList(r.deadlines));
  useEffect(() => {
    void load();
  }, []);
  return (
    <div>
      <h1>{t('Deadlines and events')}</h1>
      <p class="hint">{t('Shown in {tz}', { tz: ZONE })}</p>
      <AddDeadline
        onAdded={(id) => {
          setOpen(id);
          void load();
        }}
      />
      <fieldset class="tabs">
        <legend class="sr-only">{t('Deadlines and events')}</legend>
        <button type="button" aria-pressed={view === 'list'} onClick={() => setView('list')}>
          {t('List')}
        </button>
        <button type="button" aria-pressed={view === 'calendar'} onClick={() => setView('calendar')}>
          {t('Calendar')}
        </button>
      </fieldset>
      {view === 'calendar' ? (
        <Month items={list} onOpen={setOpen} />
      ) : (
        <ul class="deadlines">
          {list.map((d) => (
            <li key={d.deadlineId}>
              <button
                type="button"
                class="item"
                aria-expanded={open === d.deadlineId}
                onClick={() => setOpen(d.deadlineId)}
              >
                <span class="title">{d.title}</span>
                <span class="meta">
                  <Badge status={d.status} /> {t(d.kind)} · {fmtDate(d.due ?? d.start, ZONE)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {open && <DeadlineCard key={open} id={open} onChange={() => void load()} />}
    </div>
  );
}

function AddDeadline({ onAdded }: { onAdded(id: string): void }) {
  const [form, setForm, clear] = useDraft('deadline', EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [requestId] = useState(() => crypto.randomUUID());
  const [segments, setSegments] = useState<Segment[]>([]);
  const [reached, setReached] = useState<number>();
  useEffect(() => {
    api.segments().then(
      (r) => setSegments(r.items),
      () => setSegments([]),
    );
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    const body: Record<string, unknown> = {
      kind: form.kind,
      title: form.title,
      timeZone: form.timeZone,
      offsets: form.offsets,
      description: form.description,
      audience: form.audience,
      requestId,
      [form.kind === 'event' ? 'start' : 'due']: form.due,
    };
    try {
      const r = await api.addDeadline(body);
      clear();
      setForm(EMPTY);
      setReached(r.audience?.count);
      onAdded(r.deadline.deadlineId);
    } catch (err) {
      const fe = serverErrors(err);
      if (fe.start) fe.due = fe.start;
      setErrors(fe);
    }
  };
  const set = (k: keyof typeof EMPTY) => (e: Event) =>
    setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <form class="card" onSubmit={submit}>
      <h2>{t('Add a deadline or event')}</h2>
      <div class="row">
        <Field label={t('Kind')} error={errors.kind}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={form.kind} onChange={set('kind')}>
              <option value="deadline">{t('deadline')}</option>
              <option value="event">{t('event')}</option>
            </select>
          )}
        </Field>
        <Field label={t('Title')} error={errors.title}>
          {(id, d) => (
            <input id={id} name="title" aria-describedby={d} value={form.title} onInput={set('title')} />
          )}
        </Field>
        <Field label={t('Due')} error={errors.due}>
          {(id, d) => (
            <input
              id={id}
              name="due"
              type="datetime-local"
              aria-describedby={d}
              value={form.due}
              onInput={set('due')}
            />
          )}
        </Field>
        <Field label={t('Time zone')} error={errors.timeZone}>
          {(id, d) => <input id={id} aria-describedby={d} value={form.timeZone} onInput={set('timeZone')} />}
        </Field>
        <Field label={t('Reminders before (P14D = 14 days, PT2H = 2 hours)')} error={errors.offsets}>
          {(id, d) => <input id={id} aria-describedby={d} value={form.offsets} onInput={set('offsets')} />}
        </Field>
        <Field label={t('Who receives it')} error={errors.audience}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={form.audience} onChange={set('audience')}>
              <AudienceOptions segments={segments} />
            </select>
          )}
        </Field>
      </div>
      <FormError error={errors._} />
      {reached !== undefined && <Notice>{t('It reaches {n} confirmed readers.', { n: reached })}</Notice>}
      <button type="submit" class="primary">
        {t('Add')}
      </button>
    </form>
  );
}

/** Who a deadline or event reaches, as the API's short form (src/use-cases/reminders/inputs.ts AudienceInput). */
function AudienceOptions({ segments }: { segments: Segment[] }) {
  return (
    <>
      <option value="all">{t('Everyone on the reminders list')}</option>
      <option value="members">{t('Contacts of every member organisation')}</option>
      <optgroup label={t('Contacts of members of type')}>
        {MemberType.options.map((m) => (
          <option key={m} value={`member-type:${m}`}>
            {t(m)}
          </option>
        ))}
      </optgroup>
      {segments.length > 0 && (
        <optgroup label={t('Saved audiences')}>
          {segments.map((s) => (
            <option key={s.segmentId} value={`segment:${s.segmentId}`}>
              {s.name}
            </option>
          ))}
        </optgroup>
      )}
    </>
  );
}

/** The audience in words, for the card of a saved deadline. */
function audienceText(a: unknown): string {
  const x = (a ?? {}) as { kind?: string; memberType?: string; segmentId?: string };
  if (x.kind === 'members') return t('Contacts of every member organisation');
  if (x.kind === 'member-type') return `${t('Contacts of members of type')} ${t(x.memberType ?? '')}`;
  if (x.kind === 'segment') return `${t('Saved audiences')}: ${x.segmentId}`;
  if (x.kind === 'filter') return t('A filter');
  return t('Everyone on the reminders list');
}

function DeadlineCard({ id, onChange }: { id: string; onChange(): void }) {
  const [d, setD] = useState<DeadlineDetail>();
  const [due, setDue] = useState('');
  const [error, setError] = useState<string>();
  const [dry, setDry] = useState<RemindNowResult>();
  const load = () => api.deadline(id).then(setD);
  useEffect(() => {
    void load();
  }, [id]);
  if (!d) return <p>{t('Loading…')}</p>;
  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
      await load();
      onChange();
    } catch (e) {
      setError(Object.values(serverErrors(e))[0]);
    }
  };
  const dl = d.deadline;
  return (
    <section class="card" aria-label={dl.title}>
      <h2>
        {dl.title} <Badge status={dl.status} />
      </h2>
      <p>
        {fmtDate(dl.due ?? dl.start, dl.timeZone)} ({dl.timeZone})
      </p>
      <p>
        {t('Who receives it')}: <span data-testid="deadline-audience">{audienceText(dl.audience)}</span>
      </p>
      <h3>{t('Reminders')}</h3>
      <ul class="reminders">
        {d.reminders.map((r) => (
          <li key={r.offset}>
            {r.offset}: {fmtDate(r.fireAt, ZONE)} · {r.status}
          </li>
        ))}
      </ul>
      {d.notice && <Notice>{d.notice}</Notice>}
      <FormError error={error} />
      {dl.status === 'active' && (
        <>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => api.moveDeadline(id, { [dl.kind === 'event' ? 'start' : 'due']: due }));
            }}
          >
            <Field label={t('Move')}>
              {(fid) => (
                <input
                  id={fid}
                  type="datetime-local"
                  value={due}
                  onInput={(e) => setDue(e.currentTarget.value)}
                />
              )}
            </Field>
            <button type="submit">{t('Move')}</button>
          </form>
          <div class="actions">
            <button
              type="button"
              onClick={() => void api.remindNow(id, true).then(setDry, (e) => setError(String(e.message)))}
            >
              {t('Remind now')} — {t('Dry run')}
            </button>
            {dry?.dryRun && (
              <button
                type="button"
                disabled={!canApprove()}
                onClick={() => void act(() => api.remindNow(id, false))}
              >
                {t('Remind now')}
              </button>
            )}
            <button type="button" class="danger" onClick={() => void act(() => api.cancelDeadline(id))}>
              {t('Cancel')}
            </button>
          </div>
          {dry?.dryRun && (
            <Notice>
              {t('{n} recipients would receive it.', { n: dry.count })}{' '}
              {dry.recipients
                .slice(0, 10)
                .map((r) => r.email)
                .join(', ')}
            </Notice>
          )}
        </>
      )}
    </section>
  );
}

function Month({ items, onOpen }: { items: DeadlineView[]; onOpen(id: string): void }) {
  const [month, setMonth] = useState(() => {
    const n = new Date();
    return new Date(n.getFullYear(), n.getMonth(), 1);
  });
  const days = new Date(month.getFullYear(), month.getMonth() + 1, 0).getDate();
  const lead = (month.getDay() + 6) % 7; // weeks start on Monday
  const key = (d: Date) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
  const byDay = new Map<string, DeadlineView[]>();
  for (const i of items) {
    const at = i.due ?? i.start;
    if (!at) continue;
    const k = key(new Date(at));
    byDay.set(k, [...(byDay.get(k) ?? []), i]);
  }
  const title = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' }).format(month);
  const cells = [...Array(lead).fill(null), ...Array.from({ length: days }, (_, i) => i + 1)];
  const shift = (by: number) => setMonth(new Date(month.getFullYear(), month.getMonth() + by, 1));
  return (
    <section class="calendar" aria-label={title}>
      <div class="row">
        <button type="button" onClick={() => shift(-1)} aria-label={t('Previous month')}>
          ‹
        </button>
        <h2>{title}</h2>
        <button type="button" onClick={() => shift(1)} aria-label={t('Next month')}>
          ›
        </button>
      </div>
      <ol class="grid">
        {cells.map((day, i) =>
          day === null ? (
            <li key={`x${i}`} class="empty" aria-hidden="true" />
          ) : (
            <li key={day}>
              <span class="day">{day}</span>
              {(byDay.get(key(new Date(month.getFullYear(), month.getMonth(), day))) ?? []).map((d) => (
                <button type="button" key={d.deadlineId} class="chip" onClick={() => onOpen(d.deadlineId)}>
                  {d.title}
                </button>
              ))}
            </li>
          ),
        )}
      </ol>
    </section>
  );
}
