import { useEffect, useState } from 'preact/hooks';
import { api, type CampaignStatsView, type DeadlineView, type EditionSummary } from '../api.ts';
import { Badge, fmtDate } from '../components.tsx';
import { t } from '../i18n.ts';

/** SES account review thresholds; we warn at 80% of each. */
const LIMITS = { bounce: 0.05, complaint: 0.001 };
const WARN_AT = 0.8;

export function Dashboard() {
  const [waiting, setWaiting] = useState<number>();
  const [editions, setEditions] = useState<EditionSummary[]>([]);
  const [deadlines, setDeadlines] = useState<DeadlineView[]>([]);
  const [stats, setStats] = useState<CampaignStatsView[]>([]);
  useEffect(() => {
    void Promise.all([api.updates('pending'), api.updates('quarantined')]).then(([p, q]) =>
      setWaiting(p.updates.length + q.updates.length),
    );
    void api.editions().then(async (r) => {
      setEditions(r.editions);
      const sent = r.editions.filter((e) => e.status === 'sent').slice(0, 4);
      setStats((await Promise.all(sent.map((e) => api.editionStats(e.number)))).map((x) => x.stats));
    });
    void api
      .deadlines()
      .then((r) => setDeadlines(r.deadlines.filter((d) => d.status === 'active').slice(0, 5)));
  }, []);
  const draft = editions.find((e) => ['draft', 'approved', 'sending', 'paused'].includes(e.status));
  const sent = stats.reduce((a, s) => a + s.sent, 0);
  const rate = (n: number) => (sent ? n / sent : 0);
  const bounce = rate(stats.reduce((a, s) => a + s.bounced, 0));
  const complaint = rate(stats.reduce((a, s) => a + s.complained, 0));
  return (
    <div class="dashboard">
      <h1>{t('What needs you now')}</h1>
      <div class="cards">
        <section class="card">
          <h2>{t('Updates waiting')}</h2>
          <p class="big">{waiting ?? '…'}</p>
          <a href="/console/moderation">{t('Review updates')}</a>
        </section>
        <section class="card">
          <h2>{t('Next edition')}</h2>
          {draft ? (
            <p>
              <a href="/console/editions">{t('Edition {n}', { n: draft.number })}</a>{' '}
              <Badge status={draft.status} />
              <br />
              {fmtDate(draft.compiledAt)} · {draft.items} {t('Items')}
            </p>
          ) : (
            <p>{t('No draft edition: compile one from approved updates.')}</p>
          )}
        </section>
        <section class="card">
          <h2>{t('Next reminders')}</h2>
          {deadlines.length ? (
            <ul>
              {deadlines.map((d) => (
                <li key={d.deadlineId}>
                  {d.title} · {fmtDate(d.due ?? d.start)}
                </li>
              ))}
            </ul>
          ) : (
            <p>{t('No reminders planned.')}</p>
          )}
        </section>
        <section class="card">
          <h2>{t('Sending health')}</h2>
          <Rate label={t('Bounce rate')} value={bounce} limit={LIMITS.bounce} />
          <Rate label={t('Complaint rate')} value={complaint} limit={LIMITS.complaint} />
        </section>
      </div>
    </div>
  );
}

function Rate({ label, value, limit }: { label: string; value: number; limit: number }) {
  const warn = value >= limit * WARN_AT;
  const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)}%`;
  return (
    <p class={warn ? 'warn' : ''}>
      <strong>{label}</strong>: {pct(value)} ({t('SES limit {limit}', { limit: pct(limit) })})
      <br />
      <span role={warn ? 'alert' : undefined}>
        {warn ? t('Close to the SES limit: check the list before the next send.') : t('Within limits')}
      </span>
    </p>
  );
}
