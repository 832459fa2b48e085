import { afterEach, describe, expect, it, vi } from 'vitest';
import { HANDLERS } from '../../infra/functions.ts';
import { REPUTATION_ALARMS } from '../../infra/operations.ts';
import { powertoolsMetrics } from '../../src/adapters/powertools/metrics.ts';
import { recordReminderLateness, recordSendBatch, recordSesQuota } from '../../src/ports/metrics.ts';
import { resources, synth } from './support.ts';

type MetricRow = (string | Record<string, unknown>)[];
interface Widget {
  type: string;
  properties: { title?: string; metrics?: MetricRow[]; annotations?: { horizontal?: { value: number }[] } };
}

/** The dashboard body with CloudFormation intrinsics replaced by a placeholder, parsed. */
function dashboardWidgets(t: ReturnType<typeof synth>['statelessT']): Widget[] {
  const boards = resources(t, 'AWS::CloudWatch::Dashboard');
  expect(boards).toHaveLength(1);
  const body = boards[0]![1].Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] } | string;
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(body['Fn::Join'][0]);
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

/** A dashboard metric row as { namespace, name, dims }: [ns, name, k1, v1, …, {options}] (or "." shorthands). */
function rows(widgets: Widget[]) {
  const out: { title: string; namespace: string; name: string; dims: Record<string, string> }[] = [];
  for (const w of widgets) {
    let prev: string[] = [];
    for (const row of w.properties.metrics ?? []) {
      const parts = row
        .filter((p): p is string => typeof p === 'string')
        .map((p, i) => (p === '.' ? (prev[i] ?? p) : p));
      prev = parts;
      const [namespace = '', name = '', ...rest] = parts;
      const dims: Record<string, string> = {};
      for (let i = 0; i + 1 < rest.length; i += 2) dims[rest[i]!] = rest[i + 1]!;
      out.push({ title: w.properties.title ?? '', namespace, name, dims });
    }
  }
  return out;
}

/** The EMF records the handlers' metric helpers write, as CloudWatch files them (namespace, name, dimensions). */
function emfMetrics(write: () => void) {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  write();
  vi.restoreAllMocks();
  const out: { namespace: string; name: string; dims: Record<string, string> }[] = [];
  for (const line of chunks.join('').split('\n').filter(Boolean)) {
    const rec = JSON.parse(line) as Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
      };
    };
    for (const m of rec._aws.CloudWatchMetrics)
      for (const set of m.Dimensions)
        for (const metric of m.Metrics)
          out.push({
            namespace: m.Namespace,
            name: metric.Name,
            dims: Object.fromEntries(set.map((k) => [k, String(rec[k])])),
          });
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('operations: dashboard and SES reputation alarms', () => {
  const { statelessT: t } = synth({ alarmEmail: 'ops@gazette.example.org' });
  const alarms = resources(t, 'AWS::CloudWatch::Alarm');

  it('alarms the alarm topic when the SES account bounce rate passes 4% and the complaint rate 0.08%', () => {
    const expected = [
      ['Reputation.BounceRate', 0.04],
      ['Reputation.ComplaintRate', 0.0008],
    ] as const;
    for (const [metric, threshold] of expected) {
      const found = alarms.filter(([, a]) => a.Properties.MetricName === metric);
      expect(found, metric).toHaveLength(1);
      const p = found[0]![1].Properties;
      expect(p).toMatchObject({
        Namespace: 'AWS/SES',
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        Statistic: 'Maximum',
        TreatMissingData: 'notBreaching',
      });
      // Account-wide: no dimensions.
      expect(p.Dimensions).toBeUndefined();
      for (const actions of [p.AlarmActions, p.OKActions])
        expect(actions).toEqual([{ 'Fn::ImportValue': expect.stringMatching(/AlarmTopic/) }]);
      expect(String(p.AlarmDescription)).toMatch(/SES reviews the account/);
    }
    // Below SES's own review thresholds, so there is time to act.
    expect(REPUTATION_ALARMS.bounceRate.threshold).toBeLessThan(REPUTATION_ALARMS.bounceRate.sesReview);
    expect(REPUTATION_ALARMS.complaintRate.threshold).toBeLessThan(REPUTATION_ALARMS.complaintRate.sesReview);
  });

  it('has one dashboard showing send progress, SES sends, quota and reputation, queues, DLQs, ingest, reminders and errors', () => {
    const widgets = dashboardWidgets(t);
    const all = rows(widgets);
    const has = (namespace: string, name: string, dims: Record<string, string> = {}) =>
      all.some(
        (r) =>
          r.namespace === namespace &&
          r.name === name &&
          Object.entries(dims).every(
            ([k, v]) => r.dims[k] === v || (v === 'TOKEN' && r.dims[k] !== undefined),
          ),
      );
    for (const kind of ['edition', 'reminder'])
      for (const name of ['SendsSent', 'SendsFailed', 'SendsUncertain', 'SendsThrottled'])
        expect(has('Gazette', name, { campaignKind: kind, service: 'gazette' }), `${name} ${kind}`).toBe(
          true,
        );
    for (const name of [
      'Send',
      'Delivery',
      'Bounce',
      'Complaint',
      'Reputation.BounceRate',
      'Reputation.ComplaintRate',
    ])
      expect(has('AWS/SES', name), name).toBe(true);
    expect(has('Gazette', 'SesSentLast24Hours')).toBe(true);
    expect(has('Gazette', 'SesMax24HourSend')).toBe(true);
    for (const type of ['bounce-hard', 'complaint'])
      expect(has('Gazette', 'MailEvents', { type })).toBe(true);
    for (const outcome of ['accepted', 'quarantined', 'rejected'])
      expect(has('Gazette', 'IngestMessages', { outcome }), outcome).toBe(true);
    expect(has('Gazette', 'ReminderLatenessMs')).toBe(true);
    // The send queue's age and depth, and both DLQs' depth.
    expect(has('AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: 'TOKEN' })).toBe(true);
    const depths = all.filter(
      (r) => r.namespace === 'AWS/SQS' && r.name === 'ApproximateNumberOfMessagesVisible',
    );
    expect(depths.length).toBeGreaterThanOrEqual(3);
    expect(all.filter((r) => r.title.startsWith('Dead-letter'))).toHaveLength(2);
    // Every function's failures and handled errors.
    expect(all.filter((r) => r.namespace === 'AWS/Lambda' && r.name === 'Errors')).toHaveLength(
      HANDLERS.length,
    );
    for (const name of HANDLERS) expect(has('Gazette', `LoggedErrors-${name}`), name).toBe(true);
    // The rate graphs mark the alarm and SES's review threshold.
    const bounce = widgets.find((w) => w.properties.title === 'SES account bounce rate');
    expect(bounce?.properties.annotations?.horizontal?.map((a) => a.value)).toEqual([0.04, 0.05]);
  });

  it('reads the Gazette metrics under exactly the dimensions the handlers write them with', () => {
    const written = emfMetrics(() => {
      const m = powertoolsMetrics();
      recordSendBatch(m, { campaign: 'edition#8', sent: 1, failed: 1, uncertain: 1, throttled: 1 });
      recordSendBatch(m, { campaign: 'reminder#d1#P7D', sent: 1, failed: 1, uncertain: 1, throttled: 1 });
      recordSesQuota(m, { max24HourSend: 50_000, sentLast24Hours: 10, maxSendRate: 14 });
      recordReminderLateness(m, 1200);
      m.count({ IngestMessages: 1 }, { outcome: 'accepted' });
      m.count({ MailEvents: 1 }, { type: 'bounce-hard', campaignKind: 'edition' });
    });
    expect(written.length).toBeGreaterThanOrEqual(13);
    const shown = rows(dashboardWidgets(t)).filter((r) => r.namespace === 'Gazette');
    for (const w of written) {
      const match = shown.find(
        (r) => r.name === w.name && JSON.stringify(sorted(r.dims)) === JSON.stringify(sorted(w.dims)),
      );
      expect(match, `${w.name} ${JSON.stringify(w.dims)}`).toBeDefined();
    }
  });
});

const sorted = (d: Record<string, string>) =>
  Object.fromEntries(Object.entries(d).sort(([a], [b]) => a.localeCompare(b)));
