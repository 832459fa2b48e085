/**
 * Who an approved edition goes to and when (docs/editions.md "Audience and scheduled send"): the audience
 * (every reader of the list or a saved segment) with its dry-run count, **Send now**, and a send at a wall
 * time in a chosen zone, which can be moved or cancelled until it fires.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Edition } from '../../../src/domain/campaign.ts';
import type { Segment } from '../../../src/domain/segment.ts';
import { api, type EditionAudienceView } from '../api.ts';
import { Field, FormError } from '../components.tsx';
import { type FieldErrors, serverErrors } from '../forms.ts';
import { t } from '../i18n.ts';

/** Zones offered besides the readers' own and the browser's (the secretariat and its usual members). */
const COMMON_ZONES = ['Asia/Shanghai', 'Europe/Brussels', 'UTC'];
const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

const wall = (localTime: string) => localTime.replace('T', ' ');

export function SendPanel(p: {
  edition: Edition;
  /** The zone a time is read in when none is chosen. */
  editionZone?: string;
  approver: boolean;
  onChange(): Promise<unknown> | undefined;
  onError(message?: string): void;
}) {
  const e = p.edition;
  const saved = e.target?.segmentId ?? '';
  const [segments, setSegments] = useState<Segment[]>();
  const [choice, setChoice] = useState(saved);
  const [audience, setAudience] = useState<EditionAudienceView>();
  const [refused, setRefused] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void api
      .segments()
      .then((r) => setSegments(r.items))
      .catch(() => setSegments([]));
  }, []);
  useEffect(() => {
    setAudience(undefined);
    void api
      .editionAudience(e.number, choice || null)
      .then(setAudience)
      .catch((err) => setRefused(serverErrors(err)._));
  }, [e.number, choice]);

  const choose = async (id: string) => {
    setChoice(id);
    setRefused(undefined);
    try {
      await api.setEditionAudience(e.number, id || null);
      await p.onChange();
    } catch (err) {
      // An empty or unknown segment: the server says why; nothing is saved and Send stays off.
      const errs = serverErrors(err);
      setRefused(errs.segmentId ?? errs._ ?? Object.values(errs)[0]);
    }
  };
  const sendNow = async () => {
    setBusy(true);
    p.onError(undefined);
    try {
      await api.sendEdition(e.number);
      await p.onChange();
    } catch (err) {
      p.onError(serverErrors(err)._ ?? Object.values(serverErrors(err))[0]);
    } finally {
      setBusy(false);
    }
  };
  const ready = p.approver && !refused && choice === saved && (audience?.count ?? 0) > 0 && !busy;
  // Send now sits where Approve was (the same row, so it is under the pointer that approved), with the count;
  // the audience and the send time follow below it.
  return (
    <>
      <div class="actions">
        <button type="button" class="primary" disabled={!ready} onClick={() => void sendNow()}>
          {t('Send now')}
        </button>
        {audience && ready && (
          <span class="hint">{t('{n} readers will receive it', { n: audience.count })}</span>
        )}
        {!p.approver && <span class="hint">{t('Only approvers approve and send.')}</span>}
      </div>
      <section class="card send-panel" aria-label={t('Audience and sending')}>
        <h3>{t('Audience and sending')}</h3>
        <Field label={t('Audience')} error={refused}>
          {(id, d) => (
            <select
              id={id}
              aria-describedby={d}
              value={choice}
              disabled={!p.approver || !segments}
              onChange={(ev) => void choose(ev.currentTarget.value)}
            >
              <option value="">{t('Every newsletter reader')}</option>
              {(segments ?? []).map((s) => (
                <option key={s.segmentId} value={s.segmentId}>
                  {s.name} ({s.segmentId})
                </option>
              ))}
              {saved && !segments?.some((s) => s.segmentId === saved) && (
                <option value={saved}>{e.target?.name ?? saved}</option>
              )}
            </select>
          )}
        </Field>
        {audience && (
          <div class="audience" aria-live="polite">
            <p data-testid="audience-count">
              {t('{n} readers will receive it', { n: audience.count })}
              {audience.suppressed > 0 && ` · ${t('{n} suppressed', { n: audience.suppressed })}`}
            </p>
            {audience.target.kind === 'segment' && audience.target.segmentChanged && (
              <p class="hint">
                {t('The saved segment changed since it was chosen: choose it again to take the change.')}
              </p>
            )}
            {audience.sample.length > 0 && (
              <ul class="sample" aria-label={t('Sample of the audience')}>
                {audience.sample.map((s) => (
                  <li key={s.email}>
                    {s.email}{' '}
                    <span class="meta">
                      ({s.language}, {s.timeZone})
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <Schedule
          edition={e}
          approver={p.approver}
          canSchedule={ready}
          zones={audience ? Object.keys(audience.byTimeZone) : []}
          editionZone={p.editionZone}
          onChange={p.onChange}
        />
      </section>
    </>
  );
}

function Schedule(p: {
  edition: Edition;
  approver: boolean;
  canSchedule: boolean;
  zones: string[];
  editionZone?: string;
  onChange(): Promise<unknown> | undefined;
}) {
  const e = p.edition;
  const s = e.schedule && !e.schedule.firedAt ? e.schedule : undefined;
  const [moving, setMoving] = useState(false);
  const [form, setForm] = useState(() => ({
    date: s?.localTime.slice(0, 10) ?? '',
    time: s?.localTime.slice(11, 16) ?? '09:00',
    zone: s?.timeZone ?? '',
    perReader: s?.perReader ?? false,
  }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const zones = [...new Set([...(s ? [s.timeZone] : []), ...p.zones, ...COMMON_ZONES, BROWSER_ZONE])].sort();

  const submit = async (ev: Event) => {
    ev.preventDefault();
    setErrors({});
    if (!form.date) return setErrors({ at: t('Choose a date.') });
    try {
      // Per reader: the date and time on each reader's own clock (the zone only for readers without one).
      await api.scheduleEdition(e.number, `${form.date}T${form.time}`, form.zone, form.perReader);
      setMoving(false);
      await p.onChange();
    } catch (err) {
      setErrors(serverErrors(err));
    }
  };
  const cancel = async () => {
    setErrors({});
    try {
      await api.unscheduleEdition(e.number);
      await p.onChange();
    } catch (err) {
      setErrors(serverErrors(err));
    }
  };
  const fired = e.schedule?.error;
  return (
    <div class="schedule">
      {fired && (
        <p class="form-error" role="alert">
          {t('The scheduled send could not start: {why}', { why: fired })}
        </p>
      )}
      {s && (
        <p class="scheduled" data-testid="scheduled">
          <strong>{t('Scheduled for {time} ({zone})', { time: wall(s.localTime), zone: s.timeZone })}</strong>
          {s.perReader && ` · ${t("each reader's own time")}`}
        </p>
      )}
      {s && !moving && (
        <div class="actions">
          <button type="button" disabled={!p.approver} onClick={() => setMoving(true)}>
            {t('Move')}
          </button>
          <button type="button" disabled={!p.approver} onClick={() => void cancel()}>
            {t('Cancel schedule')}
          </button>
        </div>
      )}
      {(!s || moving) && (
        <form class="row" onSubmit={submit} aria-label={t('Send at a time')}>
          <Field label={t('Send on (date)')} error={errors.at ?? errors._}>
            {(id, d) => (
              <input
                id={id}
                type="date"
                aria-describedby={d}
                value={form.date}
                onInput={(ev) => setForm({ ...form, date: ev.currentTarget.value })}
              />
            )}
          </Field>
          <Field label={t('At (time)')}>
            {(id) => (
              <input
                id={id}
                type="time"
                value={form.time}
                onInput={(ev) => setForm({ ...form, time: ev.currentTarget.value })}
              />
            )}
          </Field>
          <Field label={t('Time zone')} error={errors.timeZone}>
            {(id, d) => (
              <select
                id={id}
                aria-describedby={d}
                value={form.zone}
                onChange={(ev) => setForm({ ...form, zone: ev.currentTarget.value })}
              >
                <option value="">
                  {p.editionZone
                    ? t("The edition's zone ({zone})", { zone: p.editionZone })
                    : t("The edition's zone")}
                </option>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <label class="check">
            <input
              type="checkbox"
              checked={form.perReader}
              onChange={(ev) => setForm({ ...form, perReader: ev.currentTarget.checked })}
            />{' '}
            {t("At this time on each reader's own clock")}
          </label>
          <button type="submit" disabled={!p.canSchedule}>
            {moving ? t('Move the send') : t('Schedule send')}
          </button>
          {moving && (
            <button type="button" onClick={() => setMoving(false)}>
              {t('Keep it')}
            </button>
          )}
        </form>
      )}
      {s && !moving && <FormError error={errors._} />}
    </div>
  );
}
