import { useEffect, useState } from 'preact/hooks';
import { api, type ImportResult, type SubscriberRow, type SuppressionRow } from '../api.ts';
import { Field, FormError, Notice, Scroll } from '../components.tsx';
import { serverErrors, useDraft } from '../forms.ts';
import { t } from '../i18n.ts';

const STATUSES = ['confirmed', 'pending', 'unsubscribed'];

export function Subscribers() {
  const [status, setStatus] = useState('confirmed');
  const [rows, setRows] = useState<SubscriberRow[]>([]);
  const [q, setQ] = useState('');
  const [langFilter, setLangFilter] = useState('');
  const [supp, setSupp] = useState<SuppressionRow[]>([]);
  const [error, setError] = useState<string>();
  const load = () =>
    api.subscribers(status).then(
      (r) => setRows(r.items ?? r.subscribers ?? []),
      (e) => setError(String(e.message)),
    );
  useEffect(() => {
    void load();
  }, [status]);
  useEffect(() => {
    void api.suppressions().then(
      (r) => setSupp(r.items),
      () => {},
    );
  }, []);
  const shown = rows.filter(
    (r) =>
      (!q || r.email.includes(q.toLowerCase()) || (r.name ?? '').toLowerCase().includes(q.toLowerCase())) &&
      (!langFilter || r.language === langFilter),
  );
  const download = async () => {
    const csv = await api.exportCsv();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    a.download = 'subscribers.csv';
    a.click();
  };
  const erase = async (r: SubscriberRow) => {
    if (!confirm(`${t('Erase')}: ${r.email}?`)) return;
    try {
      await api.erase(r.subscriberId ?? r.id ?? r.email);
      await load();
    } catch (e) {
      setError(Object.values(serverErrors(e))[0]);
    }
  };
  return (
    <div>
      <h1>{t('Subscribers')}</h1>
      <div class="row filters">
        <label>
          {t('Status')}
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('Language')}
          <select value={langFilter} onChange={(e) => setLangFilter(e.currentTarget.value)}>
            <option value="">{t('Any')}</option>
            {[...new Set(rows.map((r) => r.language ?? ''))].filter(Boolean).map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <label>
          {t('Search')}
          <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <button type="button" onClick={() => void download()}>
          {t('Export')}
        </button>
      </div>
      <FormError error={error} />
      <Scroll label={t('Subscribers')}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('Email')}</th>
              <th scope="col">{t('Name')}</th>
              <th scope="col">{t('Language')}</th>
              <th scope="col">{t('Status')}</th>
              <th scope="col">
                <span class="sr-only">{t('Erase')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.slice(0, 200).map((r) => (
              <tr key={r.email}>
                <td>{r.email}</td>
                <td>{r.name}</td>
                <td>{r.language}</td>
                <td>{t(r.status)}</td>
                <td>
                  <button
                    type="button"
                    class="link"
                    onClick={() => void erase(r)}
                    aria-label={`${t('Erase')}: ${r.email}`}
                  >
                    {t('Erase')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      <Import onDone={() => void load()} />
      <h2>{t('Suppressions')}</h2>
      <ul>
        {supp.map((s, i) => (
          <li key={i}>
            {s.email ?? s.key} — {s.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Dry-run first: every line's problem is listed before anything is written. */
function Import({ onDone }: { onDone(): void }) {
  const [csv, setCsv, clear] = useDraft('import', '');
  const [report, setReport] = useState<ImportResult>();
  const [error, setError] = useState<string>();
  const run = async (dryRun: boolean) => {
    setError(undefined);
    try {
      const r = await api.importCsv(csv, dryRun);
      setReport(r);
      if (!dryRun) {
        clear();
        setCsv('');
        onDone();
      }
    } catch (e) {
      setError(Object.values(serverErrors(e))[0]);
    }
  };
  return (
    <section class="card">
      <h2>{t('Import subscribers (CSV)')}</h2>
      <Field label="CSV" hint="email,name,language,timeZone,audiences,consent">
        {(id, d) => (
          <textarea
            id={id}
            aria-describedby={d}
            rows={6}
            value={csv}
            onInput={(e) => {
              setCsv(e.currentTarget.value);
              setReport(undefined);
            }}
          />
        )}
      </Field>
      <input
        type="file"
        accept=".csv,text/csv"
        aria-label={t('Import subscribers (CSV)')}
        onChange={async (e) => {
          const f = e.currentTarget.files?.[0];
          if (f) setCsv(await f.text());
        }}
      />
      <FormError error={error} />
      <div class="actions">
        <button type="button" onClick={() => void run(true)} disabled={!csv}>
          {t('Check file')}
        </button>
        {report?.dryRun && (
          <button type="button" class="primary" onClick={() => void run(false)}>
            {t('Import {n} rows', { n: report.imported + report.updated })}
          </button>
        )}
      </div>
      {report && (
        <div role="status">
          {report.errors.length === 0 ? (
            <Notice>{t('Every line is valid.')}</Notice>
          ) : (
            <ul class="errors">
              {report.errors.map((e) => (
                <li key={e.line}>{t('Line {line}: {reason}', e)}</li>
              ))}
            </ul>
          )}
          {report.skipped.length > 0 && (
            <ul>
              {report.skipped.map((s) => (
                <li key={s.line}>{t('Line {line}: {reason}', s)}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
