import { useEffect, useState } from 'preact/hooks';
import type { Edition } from '../../../src/domain/campaign.ts';
import { REPUTATION_GUARD_PAUSER, type SendStatus } from '../../../src/domain/sending.ts';
import { api, type CampaignStatsView, type EditionSummary } from '../api.ts';
import { Badge, Field, FormError, fmtDate, Notice, Scroll } from '../components.tsx';
import { type FieldErrors, serverErrors, useDraft } from '../forms.ts';
import { t } from '../i18n.ts';
import { canApprove } from '../session.ts';
import { SendPanel } from './edition-send.tsx';
import { ShapeEditor, sectionName } from './edition-shape.tsx';

export function Editions() {
  const [list, setList] = useState<EditionSummary[]>();
  const [current, setCurrent] = useState<number>();
  const load = async () => {
    const r = await api.editions();
    setList(r.editions);
    setCurrent((c) => c ?? r.editions[0]?.number);
  };
  useEffect(() => {
    void load();
  }, []);
  return (
    <div class="editions">
      <h1>{t('Editions')}</h1>
      <Compile
        onCompiled={(n) => {
          setCurrent(n);
          void load();
        }}
      />
      {list && list.length > 0 && (
        <nav aria-label={t('Editions')} class="tabs">
          <ul>
            {list.map((e) => (
              <li key={e.number}>
                <button
                  type="button"
                  aria-pressed={e.number === current}
                  onClick={() => setCurrent(e.number)}
                >
                  {t('Edition {n}', { n: e.number })} <Badge status={e.status} />
                  {e.schedule && !e.schedule.firedAt && (
                    <small class="tab-schedule">
                      {' '}
                      {t('Scheduled for {time} ({zone})', {
                        time: e.schedule.localTime.replace('T', ' '),
                        zone: e.schedule.timeZone,
                      })}
                    </small>
                  )}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {current !== undefined && <EditionView key={current} number={current} onChange={() => void load()} />}
    </div>
  );
}

function Compile({ onCompiled }: { onCompiled(n: number): void }) {
  const [form, setForm, clear] = useDraft('compile', { from: '', to: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const r = await api.compile(form.from, form.to);
      clear();
      if (r.edition) onCompiled(r.edition.number);
    } catch (err) {
      setErrors(serverErrors(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card compile" onSubmit={submit}>
      <h2>{t('Compile an edition')}</h2>
      <div class="row">
        <Field label={t('From (date)')} error={errors.from}>
          {(id, d) => (
            <input
              id={id}
              type="date"
              aria-describedby={d}
              value={form.from}
              onInput={(e) => setForm({ ...form, from: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label={t('To (date)')} error={errors.to}>
          {(id, d) => (
            <input
              id={id}
              type="date"
              aria-describedby={d}
              value={form.to}
              onInput={(e) => setForm({ ...form, to: e.currentTarget.value })}
            />
          )}
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('Compiling…') : t('Compile')}
        </button>
      </div>
      <FormError error={errors._} />
    </form>
  );
}

function EditionView({ number, onChange }: { number: number; onChange(): void }) {
  const [e, setE] = useState<Edition>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [zone, setZone] = useState<string>();
  const load = () =>
    api.edition(number).then((r) => {
      setE(r.edition);
      setZone(r.timeZone);
    });
  /**
   * The send finished: the edition turns 'sent' a moment later (the engine's finish hook), so read it until
   * it has, then refresh the list of editions too (its badge).
   */
  const settle = async () => {
    for (let i = 0; i < 15; i++) {
      const { edition } = await api.edition(number);
      setE(edition);
      if (edition.status !== 'sending') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    onChange();
  };
  useEffect(() => {
    void load();
  }, [number]);
  if (!e) return <p>{t('Loading…')}</p>;
  const act = async (f: () => Promise<unknown>, message?: string) => {
    setError(undefined);
    try {
      await f();
      if (message) setNotice(message);
      await load();
      onChange();
    } catch (err) {
      setError(serverErrors(err)._ ?? Object.values(serverErrors(err))[0]);
    }
  };
  const campaign = `edition#${number}`;
  const approver = canApprove();
  return (
    <article class="edition">
      <h2>
        {e.title} <Badge status={e.status} />
      </h2>
      <p class="meta">
        {fmtDate(e.windowStart)} – {fmtDate(e.windowEnd)} · {e.items.length} {t('Items')}
        {e.approvedBy ? ` · ${t('Approved')}: ${e.approvedBy}` : ''}
      </p>
      {notice && <Notice>{notice}</Notice>}
      <FormError error={error} />
      {e.status === 'draft' ? (
        <ShapeEditor
          edition={e}
          onSaved={() => {
            setNotice(t('Shape saved; the preview shows the recompiled draft.'));
            void load();
            onChange();
          }}
        />
      ) : (
        <Items edition={e} />
      )}
      <h3>{t('Preview')}</h3>
      <div class="previews">
        {e.variants.map((v) => (
          <Preview key={v.language} number={number} lang={v.language} revision={e.revision} />
        ))}
      </div>
      <TestSend number={number} onSent={(to) => setNotice(t('Test sent to {to}.', { to }))} />
      {e.status !== 'approved' && (
        <div class="actions">
          {e.status === 'draft' && (
            <button
              type="button"
              class="primary"
              disabled={!approver}
              onClick={() => void act(() => api.approveEdition(number, e.revision), t('Approved'))}
            >
              {t('Approve edition')}
            </button>
          )}
          {!approver && <span class="hint">{t('Only approvers approve and send.')}</span>}
        </div>
      )}
      {e.status === 'approved' && (
        <SendPanel
          edition={e}
          editionZone={zone}
          approver={approver}
          onError={setError}
          onChange={() => {
            onChange();
            return load();
          }}
        />
      )}
      {['sending', 'paused', 'sent'].includes(e.status) && (
        <Progress campaign={campaign} onDone={() => void settle()} />
      )}
      {e.status === 'sent' && <Stats number={number} />}
      {e.archiveUrl && (
        <p>
          <a href={e.archiveUrl}>{t('Archive copy')}</a>
        </p>
      )}
    </article>
  );
}

function Items({ edition }: { edition: Edition }) {
  const sections = [...new Set(edition.items.map((i) => i.section))];
  return (
    <div class="items">
      {sections.map((s) => (
        <section key={s}>
          <h3>{sectionName(s)}</h3>
          <ol>
            {edition.items
              .filter((i) => i.section === s)
              .map((i) => (
                <li key={i.updateId}>
                  {i.title} <span class="meta">— {i.organisation}</span>
                </li>
              ))}
          </ol>
        </section>
      ))}
    </div>
  );
}

/** One language at phone and desktop widths, side by side; the HTML is fetched with the session (an iframe src could not carry it). */
function Preview({ number, lang, revision }: { number: number; lang: string; revision?: string }) {
  const [html, setHtml] = useState<string>();
  useEffect(() => {
    void api.preview(number, lang).then(setHtml);
  }, [number, lang, revision]);
  return (
    <section class="preview" aria-label={`${t('Preview')} ${lang}`} data-lang={lang}>
      <h4>{lang}</h4>
      <div class="frames">
        {[375, 600].map((w) => (
          <figure key={w}>
            <figcaption>{w === 375 ? t('Phone (375 px)') : t('Desktop (600 px)')}</figcaption>
            <Scroll class="frame-box" width={w} label={`${lang} ${w}px`}>
              <iframe
                title={`${lang} ${w}px`}
                sandbox=""
                srcDoc={html ?? ''}
                width={w}
                height={640}
                data-width={w}
              />
            </Scroll>
          </figure>
        ))}
      </div>
    </section>
  );
}

function TestSend({ number, onSent }: { number: number; onSent(to: string): void }) {
  const [to, setTo] = useDraft(`test-send`, '');
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setErrors({});
    try {
      await api.testSend(number, to);
      onSent(to);
    } catch (e) {
      setErrors(serverErrors(e));
    }
  };
  return (
    <form class="row test-send" onSubmit={submit}>
      <Field label={t('Test-send to')} error={errors.to ?? errors._}>
        {(id, d) => (
          <input
            id={id}
            type="email"
            aria-describedby={d}
            value={to}
            onInput={(e) => setTo(e.currentTarget.value)}
          />
        )}
      </Field>
      <button type="submit">{t('Send test')}</button>
    </form>
  );
}

function Progress({ campaign, onDone }: { campaign: string; onDone(): void }) {
  const [s, setS] = useState<SendStatus>();
  const [started] = useState(() => Date.now());
  useEffect(() => {
    let stop = false;
    const tick = async () => {
      const next = await api.sendStatus(campaign).catch(() => undefined);
      if (stop) return;
      if (next) setS(next);
      if (next?.status === 'finished' || next?.status === 'cancelled') onDone();
      else setTimeout(() => void tick(), 1000);
    };
    void tick();
    return () => {
      stop = true;
    };
  }, [campaign]);
  if (!s) return null;
  const done = s.sent + s.failed + s.uncertain + s.skipped;
  const rate = s.sent / Math.max(1, (Date.now() - started) / 1000);
  return (
    <section class="progress card" aria-label={t('Sent')}>
      <h3>
        {t('Sent')}: {s.status}
      </h3>
      <progress max={Math.max(1, s.recipients)} value={done} aria-label={t('Sent')} />
      <dl class="numbers" aria-live="polite">
        <div>
          <dt>{t('Recipients')}</dt>
          <dd>{s.recipients}</dd>
        </div>
        <div>
          <dt>{t('Sent')}</dt>
          <dd data-testid="sent">{s.sent}</dd>
        </div>
        <div>
          <dt>{t('Failed')}</dt>
          <dd>{s.failed}</dd>
        </div>
        <div>
          <dt>{t('Uncertain')}</dt>
          <dd>{s.uncertain}</dd>
        </div>
        <div>
          <dt>{t('Pending')}</dt>
          <dd>{s.pending}</dd>
        </div>
        <div>
          <dt>{t('Rate against the SES limit')}</dt>
          <dd>{rate.toFixed(1)}/s</dd>
        </div>
      </dl>
      <div class="actions">
        {s.status === 'running' && (
          <button type="button" onClick={() => void api.sendAction(campaign, 'pause')}>
            {t('Pause')}
          </button>
        )}
        {s.status === 'paused' && (
          <button type="button" onClick={() => void api.sendAction(campaign, 'resume')}>
            {t('Resume')}
          </button>
        )}
        {s.status === 'paused' && s.job.pausedBy === REPUTATION_GUARD_PAUSER && s.job.reputation && (
          // Resuming acknowledges these counts (docs/sending.md "Reputation guard"): say why before the click.
          <p class="form-error reputation" role="alert">
            <strong>{t('Paused by the reputation guard')}:</strong> {s.job.reputation.reason}
          </p>
        )}
      </div>
    </section>
  );
}

function Stats({ number }: { number: number }) {
  const [s, setS] = useState<CampaignStatsView>();
  useEffect(() => {
    void api.editionStats(number).then((r) => setS(r.stats));
  }, [number]);
  if (!s) return null;
  // Each counter with the share it is of what came before it (sent of recipients, delivered of sent …).
  const bars: [string, number, number][] = [
    [t('Sent'), s.sent, s.recipients],
    [t('Delivered'), s.delivered, s.sent],
    [t('Bounced'), s.bounced, s.sent],
    [t('Complained'), s.complained, s.sent],
    [t('Opened'), s.opened, s.delivered],
    [t('Clicked'), s.clicked, s.delivered],
  ];
  const max = Math.max(1, ...bars.map((b) => b[1]));
  const share = (v: number, of: number) => (of > 0 ? ` (${Math.round((v / of) * 100)}%)` : '');
  const links = Object.entries(s.links ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return (
    <section class="stats card" aria-label={t('Statistics')}>
      <h3>{t('Statistics')}</h3>
      <svg
        viewBox={`0 0 360 ${bars.length * 28}`}
        role="img"
        aria-label={bars.map(([k, v, of]) => `${k} ${v}${share(v, of)}`).join(', ')}
      >
        {bars.map(([k, v, of], i) => (
          <g key={k} transform={`translate(0 ${i * 28})`}>
            <text x="0" y="17" font-size="12" fill="currentColor">
              {k}
            </text>
            <rect x="90" y="4" height="18" width={(v / max) * 190} fill="#1d5fa8" data-stat={k} />
            <text x={96 + (v / max) * 190} y="17" font-size="12" fill="currentColor">
              {v}
              {share(v, of)}
            </text>
          </g>
        ))}
      </svg>
      <table>
        <caption class="sr-only">{t('Statistics')}</caption>
        <tbody>
          {bars.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td data-stat={k}>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {links.length > 0 && (
        <table class="links-table">
          <caption>{t('Clicks per link')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('Link')}</th>
              <th scope="col">{t('Clicks')}</th>
            </tr>
          </thead>
          <tbody>
            {links.map(([url, n]) => (
              <tr key={url}>
                <td>{url}</td>
                <td>{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
