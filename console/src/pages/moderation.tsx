import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Member } from '../../../src/domain/member.ts';
import {
  RejectUpdateInput,
  Section,
  UpdateEdits,
  UpdateKind,
  UpdateStatus,
} from '../../../src/domain/update.ts';
import { ApiError, api, type UpdateView } from '../api.ts';
import { Badge, Field, FormError, fmtDate, Notice } from '../components.tsx';
import { check, type FieldErrors, serverErrors, useDraft } from '../forms.ts';
import { t } from '../i18n.ts';
import { MoreFields, moreEdits, moreInitial } from './moderation-more.tsx';

export interface Filters {
  status: string;
  member: string;
  memberType: string;
  kind: string;
  language: string;
  q: string;
}
export const NO_FILTERS: Filters = {
  status: 'pending',
  member: '',
  memberType: '',
  kind: '',
  language: '',
  q: '',
};

/** Pure, so the bench can time it on 1,000 updates. */
export function filterUpdates(
  updates: UpdateView[],
  f: Filters,
  typeOf: (memberId: string) => string | undefined,
) {
  const q = f.q.trim().toLowerCase();
  return updates.filter(
    (u) =>
      (!f.status || u.status === f.status) &&
      (!f.member || u.memberId === f.member) &&
      (!f.memberType || typeOf(u.memberId) === f.memberType) &&
      (!f.kind || u.kind === f.kind) &&
      (!f.language || (u.language ?? '') === f.language) &&
      (!q || u.title.toLowerCase().includes(q) || u.organisation.toLowerCase().includes(q)),
  );
}

/** Rows rendered at first and added per scroll: about three screens of the queue. */
export const PAGE = 50;

export function Moderation() {
  const [updates, setUpdates] = useState<UpdateView[]>([]);
  const [members, setMembers] = useState<Member[]>([]);
  const [loading, setLoading] = useState(true);
  const [filters, setFilters] = useState<Filters>(() => {
    const s = new URLSearchParams(location.search).get('status');
    return { ...NO_FILTERS, status: s ?? NO_FILTERS.status };
  });
  const [selectedId, setSelectedId] = useState<string>();
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<string>();
  const [bulkError, setBulkError] = useState<string>();
  // The list shows the first `limit` matches and grows as it is scrolled (or "Show more" pressed): a queue
  // of 1,000 renders and filters in one frame instead of laying out every row.
  const [limit, setLimit] = useState(PAGE);
  const focusAfter = useRef<string | undefined>(undefined);
  const more = useRef<HTMLLIElement>(null);

  const load = async () => {
    // Every status, so the filter works on the client (instant on 1,000 updates) and history stays visible.
    const [m, ...lists] = await Promise.all([
      api.members(),
      ...UpdateStatus.options.map((s) => api.updates(s)),
    ]);
    setUpdates(lists.flatMap((l) => l.updates));
    setMembers(m.members);
    setLoading(false);
  };
  useEffect(() => {
    void load();
  }, []);

  const typeOf = useMemo(() => {
    const m = new Map(members.map((x) => [x.memberId, x.type]));
    return (id: string) => m.get(id);
  }, [members]);
  const shown = useMemo(() => filterUpdates(updates, filters, typeOf), [updates, filters, typeOf]);
  const languages = useMemo(
    () => [...new Set(updates.map((u) => u.language ?? ''))].filter(Boolean).sort(),
    [updates],
  );
  const selected = updates.find((u) => u.updateId === selectedId);
  const visible = shown.slice(0, limit);
  useEffect(() => {
    if (focusAfter.current) document.getElementById(focusAfter.current)?.focus();
    focusAfter.current = undefined;
  });
  useEffect(() => {
    const el = more.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((e) => {
      // Not while "Show more" has the focus (reached with Tab): growing could remove it under the keyboard.
      if (el.contains(document.activeElement)) return;
      if (e.some((x) => x.isIntersecting)) setLimit((l) => l + PAGE);
    });
    io.observe(el);
    return () => io.disconnect();
  }, [limit, shown.length > limit]);

  const replace = (u: UpdateView) => setUpdates((all) => all.map((x) => (x.updateId === u.updateId ? u : x)));
  const move = (by: number) => {
    if (!shown.length) return;
    const i = shown.findIndex((u) => u.updateId === selectedId);
    const at = Math.min(shown.length - 1, Math.max(0, i < 0 ? 0 : i + by));
    const next = shown[at];
    if (next) {
      setSelectedId(next.updateId);
      if (at >= limit) setLimit(at + PAGE);
      // Focused once rendered (it may be past the rows shown so far).
      focusAfter.current = `u-${next.updateId}`;
    }
  };

  const toggle = (id: string) =>
    setChecked((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const bulkApprove = async () => {
    setBulkError(undefined);
    let done = 0;
    for (const id of checked) {
      try {
        replace(await api.approve(id, {}));
        done++;
      } catch (e) {
        setBulkError(`${id}: ${(e as Error).message}`);
        break;
      }
    }
    setChecked(new Set());
    setNotice(`${t('Approved')}: ${done}`);
  };

  // j/k, a, r: only when not typing in a field.
  const detailRef = useRef<{ approve(): void; reject(): void }>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) return;
      if (e.key === 'j') move(1);
      else if (e.key === 'k') move(-1);
      else if (e.key === 'a') detailRef.current?.approve();
      else if (e.key === 'r') detailRef.current?.reject();
      else return;
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  });

  const setF = (k: keyof Filters) => (e: Event) => {
    setFilters({ ...filters, [k]: (e.currentTarget as HTMLInputElement).value });
    setLimit(PAGE);
  };
  const memberName = (id: string) => members.find((m) => m.memberId === id)?.organisation ?? id;

  return (
    <div class="moderation">
      <h1>{t('Moderation queue')}</h1>
      <p class="hint">{t('Keyboard: j/k next/previous, a approve, r reject')}</p>
      <fieldset class="filters">
        <legend class="sr-only">{t('Search')}</legend>
        <label>
          {t('Status')}
          <select value={filters.status} onChange={setF('status')} name="status">
            <option value="">{t('Any')}</option>
            {UpdateStatus.options.map((s) => (
              <option key={s} value={s}>
                {t(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('Member')}
          <select value={filters.member} onChange={setF('member')} name="member">
            <option value="">{t('Any')}</option>
            {members.map((m) => (
              <option key={m.memberId} value={m.memberId}>
                {m.organisation}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('Member type')}
          <select value={filters.memberType} onChange={setF('memberType')} name="memberType">
            <option value="">{t('Any')}</option>
            {[...new Set(members.map((m) => m.type))].map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('Kind')}
          <select value={filters.kind} onChange={setF('kind')} name="kind">
            <option value="">{t('Any')}</option>
            {UpdateKind.options.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('Language')}
          <select value={filters.language} onChange={setF('language')} name="language">
            <option value="">{t('Any')}</option>
            {languages.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('Search')}
          <input type="search" value={filters.q} onInput={setF('q')} name="q" />
        </label>
      </fieldset>
      {notice && <Notice>{notice}</Notice>}
      <FormError error={bulkError} />
      <div class="split">
        <section class="queue" aria-label={t('Moderation queue')}>
          <p class="count" aria-live="polite">
            {loading ? t('Loading…') : t('{n} updates', { n: shown.length })}
          </p>
          {checked.size > 0 && (
            <div class="toolbar">
              <button type="button" onClick={() => void bulkApprove()}>
                {t('Approve selected ({n})', { n: checked.size })}
              </button>
            </div>
          )}
          {!loading && !shown.length && <p>{t('No updates match these filters.')}</p>}
          <ul class="update-list">
            {visible.map((u) => (
              <li key={u.updateId} class={u.updateId === selectedId ? 'current' : ''}>
                <input
                  type="checkbox"
                  aria-label={`${t('Select')}: ${u.title}`}
                  checked={checked.has(u.updateId)}
                  onChange={() => toggle(u.updateId)}
                />
                <button
                  type="button"
                  id={`u-${u.updateId}`}
                  class="item"
                  aria-pressed={u.updateId === selectedId}
                  onClick={() => setSelectedId(u.updateId)}
                >
                  <span class="title">{u.title}</span>
                  <span class="meta">
                    <Badge status={u.status} /> {u.organisation} · {u.kind}
                    {u.language ? ` · ${u.language}` : ''}
                  </span>
                </button>
              </li>
            ))}
            {shown.length > limit && (
              <li ref={more} class="more" key="more">
                <button
                  type="button"
                  onClick={() => {
                    // On to the first row added: this button may go once everything is shown.
                    focusAfter.current = `u-${shown[limit]?.updateId}`;
                    setLimit(limit + PAGE);
                  }}
                >
                  {t('Show {n} more', { n: Math.min(PAGE, shown.length - limit) })}
                </button>
              </li>
            )}
          </ul>
        </section>
        <section class="detail" aria-label={t('Parsed update')}>
          {selected ? (
            <UpdateDetail
              key={selected.updateId}
              update={selected}
              memberName={memberName(selected.memberId)}
              members={members}
              ref={detailRef}
              duplicates={[...checked].filter((id) => id !== selected.updateId)}
              onChanged={(u, msg) => {
                replace(u);
                setNotice(msg);
                if (msg === t('Merged')) {
                  setChecked(new Set());
                  void load();
                }
              }}
            />
          ) : (
            <p>{t('Select an update to review it.')}</p>
          )}
        </section>
      </div>
    </div>
  );
}

import { forwardRef } from 'preact/compat';

interface DetailProps {
  update: UpdateView;
  memberName: string;
  members: Member[];
  duplicates: string[];
  onChanged(u: UpdateView, message: string): void;
}

const UpdateDetail = forwardRef<{ approve(): void; reject(): void }, DetailProps>(
  function UpdateDetail(p, ref) {
    const u = p.update;
    const initial = {
      title: u.title,
      summary: u.summary,
      kind: u.kind,
      section: u.section,
      more: moreInitial(u),
    };
    const [form, setForm, clearDraft, restored] = useDraft(`update.${u.updateId}`, initial);
    const [errors, setErrors] = useState<FieldErrors>({});
    const [rejecting, setRejecting] = useState(false);
    const [reason, setReason] = useState('');
    const [busy, setBusy] = useState(false);
    const [conflict, setConflict] = useState(false);
    const reasonRef = useRef<HTMLTextAreaElement>(null);

    const edits = () => {
      const out: Record<string, unknown> = {};
      for (const k of ['title', 'summary', 'kind', 'section'] as const)
        if (form[k] !== initial[k]) out[k] = form[k];
      // A draft kept from before these fields existed has no `more`: nothing changed there.
      return { ...out, ...moreEdits(u, initial.more, form.more ?? initial.more) };
    };
    const versioned = () => ({ ...edits(), ...(u.version === undefined ? {} : { version: u.version }) });
    const run = async (f: () => Promise<UpdateView>, message: string) => {
      setBusy(true);
      setErrors({});
      try {
        const next = await f();
        clearDraft();
        p.onChanged(next, message);
      } catch (e) {
        // 412: someone changed it since it was loaded (the version sent is stale); 409: a race lost on write.
        if (e instanceof ApiError && (e.status === 412 || (e.status === 409 && e.code === 'conflict')))
          setConflict(true);
        setErrors(serverErrors(e));
      } finally {
        setBusy(false);
      }
    };
    const approve = () => {
      // The version read with the update: two moderators editing one update get a conflict, not an overwrite.
      const c = check(UpdateEdits, versioned());
      if (!c.ok) return setErrors(c.errors);
      void run(() => api.approve(u.updateId, c.data), t('Approved'));
    };
    /** Keeps the corrections without approving (a colleague approves later, or the member is asked first). */
    const save = () => {
      const c = check(UpdateEdits, versioned());
      if (!c.ok) return setErrors(c.errors);
      if (Object.keys(c.data).every((k) => k === 'version')) return setErrors({ _: t('Nothing changed.') });
      void run(() => api.edit(u.updateId, c.data), t('Saved'));
    };
    const reject = () => {
      if (!rejecting) {
        setRejecting(true);
        setTimeout(() => reasonRef.current?.focus());
        return;
      }
      const c = check(RejectUpdateInput, { reason });
      if (!c.ok) return setErrors(c.errors);
      void run(() => api.reject(u.updateId, c.data.reason, u.version), t('Rejected'));
    };
    const actionable = u.status === 'pending' || u.status === 'quarantined';
    if (ref && typeof ref === 'object')
      ref.current = actionable ? { approve, reject } : { approve() {}, reject() {} };

    const set = (k: 'title' | 'summary' | 'kind' | 'section') => (e: Event) =>
      setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });

    return (
      <article>
        <h2>{u.title}</h2>
        <p class="meta">
          <Badge status={u.status} /> {p.memberName} · {u.sender} · {fmtDate(u.receivedAt)}
        </p>
        {restored && <Notice>{t('Unsaved edits kept from your last visit.')}</Notice>}
        {conflict && (
          <p class="form-error" role="alert">
            {t('Someone else changed this update: reload it and apply your edits again.')}
          </p>
        )}
        <div class="two">
          <form
            class="edit"
            onSubmit={(e) => {
              e.preventDefault();
              approve();
            }}
          >
            <h3>{t('Parsed update')}</h3>
            <Field label={t('Title')} error={errors.title}>
              {(id, d) => (
                <input
                  id={id}
                  aria-describedby={d}
                  value={form.title}
                  onInput={set('title')}
                  disabled={!actionable}
                />
              )}
            </Field>
            <Field label={t('Summary')} error={errors.summary}>
              {(id, d) => (
                <textarea
                  id={id}
                  aria-describedby={d}
                  rows={6}
                  value={form.summary}
                  onInput={set('summary')}
                  disabled={!actionable}
                />
              )}
            </Field>
            <div class="row">
              <Field label={t('Kind')} error={errors.kind}>
                {(id, d) => (
                  <select
                    id={id}
                    aria-describedby={d}
                    value={form.kind}
                    onChange={set('kind')}
                    disabled={!actionable}
                  >
                    {UpdateKind.options.map((k) => (
                      <option key={k}>{k}</option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('Section')} error={errors.section}>
                {(id, d) => (
                  <select
                    id={id}
                    aria-describedby={d}
                    value={form.section}
                    onChange={set('section')}
                    disabled={!actionable}
                  >
                    {Section.options.map((k) => (
                      <option key={k}>{k}</option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            {u.event && (
              <p>
                {fmtDate(u.event.start, u.event.timeZone)} {u.event.location ? `· ${u.event.location}` : ''}
              </p>
            )}
            {u.deadline && (
              <p>
                {t('Due')}: {fmtDate(u.deadline)}
              </p>
            )}
            <MoreFields
              update={u}
              form={form.more ?? initial.more}
              set={(more) => setForm({ ...form, more })}
              errors={errors}
              disabled={!actionable}
              members={p.members}
            />
            <FormError error={errors._} />
            {actionable && (
              <div class="actions">
                <button type="submit" class="primary" disabled={busy}>
                  {t('Approve')}
                </button>
                <button type="button" onClick={save} disabled={busy}>
                  {t('Save edits')}
                </button>
                <button type="button" onClick={reject} disabled={busy}>
                  {t('Reject')}
                </button>
                {p.duplicates.length > 0 && (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() => void run(() => api.merge(u.updateId, p.duplicates), t('Merged'))}
                  >
                    {t('Merge selected into this one ({n})', { n: p.duplicates.length })}
                  </button>
                )}
              </div>
            )}
            {rejecting && (
              <div class="reject">
                <Field label={t('Reason for rejecting')} error={errors.reason}>
                  {(id, d) => (
                    <textarea
                      id={id}
                      ref={reasonRef}
                      aria-describedby={d}
                      rows={2}
                      value={reason}
                      onInput={(e) => setReason(e.currentTarget.value)}
                    />
                  )}
                </Field>
                <div class="actions">
                  <button type="button" class="danger" onClick={reject} disabled={busy}>
                    {t('Confirm reject')}
                  </button>
                  <button type="button" onClick={() => setRejecting(false)}>
                    {t('Cancel')}
                  </button>
                </div>
              </div>
            )}
          </form>
          <OriginalMail update={u} />
        </div>
        <h3>{t('History')}</h3>
        <ol class="history">
          {u.audit.map((a, i) => (
            <li key={i}>
              {fmtDate(a.at)} · {a.actor} · {a.action}
              {a.note ? `: ${a.note}` : ''}
            </li>
          ))}
        </ol>
      </article>
    );
  },
);

function OriginalMail({ update: u }: { update: UpdateView }) {
  const [inbound, setInbound] = useState<Awaited<ReturnType<typeof api.inbound>>>();
  useEffect(() => {
    api.inbound(u.messageId).then(setInbound, () => setInbound(undefined));
  }, [u.messageId]);
  // Sanitised at ingest; shown in a sandbox without scripts, same-origin or forms all the same.
  const doc = `<!doctype html><meta charset="utf-8"><style>body{font:14px/1.5 system-ui,sans-serif;margin:8px;overflow-wrap:anywhere}img{max-width:100%}</style>${u.bodyHtml || `<pre style="white-space:pre-wrap">${escapeHtml(u.bodyText)}</pre>`}`;
  return (
    <section class="original" aria-label={t('Original mail')}>
      <h3>{t('Original mail')}</h3>
      <dl>
        <dt>{t('From')}</dt>
        <dd>{inbound?.from ?? u.sender}</dd>
        <dt>{t('Received')}</dt>
        <dd>{fmtDate(u.receivedAt)}</dd>
        {inbound && (
          <>
            <dt>{t('SES verdicts')}</dt>
            <dd>
              {Object.entries(inbound.verdicts)
                .map(([k, v]) => `${k.toUpperCase()} ${v}`)
                .join(' · ')}
            </dd>
          </>
        )}
        {(u.status === 'quarantined' || inbound?.reason) && (
          <>
            <dt>{t('Why quarantined')}</dt>
            <dd>{u.reason ?? inbound?.reason}</dd>
          </>
        )}
      </dl>
      <iframe title={t('Original mail')} sandbox="" srcDoc={doc} class="mail" />
      {u.attachments.length > 0 && (
        <>
          <h4>{t('Attachments')}</h4>
          <ul>
            {u.attachments.map((a) => (
              <li key={a.key}>
                {a.filename} ({a.contentType}, {Math.ceil(a.size / 1024)} KB){a.publishable ? '' : ' ⚠'}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
