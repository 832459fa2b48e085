/**
 * What an operator watches: one CloudWatch dashboard (send progress, SES sends, quota and reputation, queues
 * and DLQs, ingest outcomes, reminder lateness, function errors) and alarms on the SES account's reputation,
 * set below SES's own review thresholds (bounce rate 5%, complaint rate 0.1%) so there is time to act.
 * The Gazette metrics are the EMF records the handlers write (src/ports/metrics.ts); CloudWatch files them
 * under the dimension set of each record, Powertools' `service` included, so the widgets name it too.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../src/adapters/powertools/metrics.ts';
import type { HandlerName } from './functions.ts';
import type { StatefulStack } from './stateful-stack.ts';

/** SES account reputation alarms: fractions, as AWS/SES publishes them (0.04 = 4%). */
export const REPUTATION_ALARMS = {
  bounceRate: { metricName: 'Reputation.BounceRate', threshold: 0.04, sesReview: 0.05 },
  complaintRate: { metricName: 'Reputation.ComplaintRate', threshold: 0.0008, sesReview: 0.001 },
} as const;

const CAMPAIGN_KINDS = ['edition', 'reminder'] as const;
const INGEST_OUTCOMES = ['accepted', 'quarantined', 'rejected'] as const;
const FIVE_MINUTES = Duration.minutes(5);

export interface OperationsProps {
  prefix: string;
  stateful: StatefulStack;
  functions: Record<HandlerName, lambda.IFunction>;
}

export class Operations extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly bounceRateAlarm: cloudwatch.Alarm;
  readonly complaintRateAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { stateful, functions } = props;
    const gazette = (metricName: string, dims: Record<string, string> = {}, statistic = 'Sum') =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: METRICS_SERVICE, ...dims },
        statistic,
        period: FIVE_MINUTES,
      });
    const ses = (metricName: string, statistic = 'Sum', period = FIVE_MINUTES) =>
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic, period });

    // --- Reputation alarms (account-wide: SES reviews the account, not a campaign).
    const reputation = (key: keyof typeof REPUTATION_ALARMS, what: string) => {
      const r = REPUTATION_ALARMS[key];
      const alarm = new cloudwatch.Alarm(this, `${key}Alarm`, {
        metric: ses(r.metricName, 'Maximum', Duration.minutes(15)),
        threshold: r.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `SES account ${what} rate above ${r.threshold * 100}% (SES reviews the account at ${r.sesReview * 100}%): find the send (gazette sends list), pause it, check its list; see docs/deploy.md "Dashboard and alarms".`,
      });
      alarm.addAlarmAction(new cwActions.SnsAction(stateful.alarmTopic));
      alarm.addOkAction(new cwActions.SnsAction(stateful.alarmTopic));
      return alarm;
    };
    this.bounceRateAlarm = reputation('bounceRate', 'bounce');
    this.complaintRateAlarm = reputation('complaintRate', 'complaint');

    // --- The dashboard, one page, top to bottom: sending, reputation, queues, inbound and reminders, errors.
    const perKind = (metricName: string) =>
      CAMPAIGN_KINDS.map((k) =>
        gazette(metricName, { campaignKind: k }).with({ label: `${metricName} ${k}` }),
      );
    const graph = (
      title: string,
      left: cloudwatch.IMetric[],
      extra: Partial<cloudwatch.GraphWidgetProps> = {},
    ) => new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, ...extra });
    const rateLine = (key: keyof typeof REPUTATION_ALARMS) => {
      const r = REPUTATION_ALARMS[key];
      return [
        { value: r.threshold, label: `alarm ${r.threshold * 100}%`, color: '#ff7f0e' },
        { value: r.sesReview, label: `SES review ${r.sesReview * 100}%`, color: '#d62728' },
      ];
    };
    const fnNames = Object.keys(functions) as HandlerName[];

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.prefix}-operations`,
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new cloudwatch.TextWidget({
            markdown: `# ${props.prefix}: operations\nSend progress per campaign: \`gazette sends status <campaign>\`. Alarms mail the alarm topic. Runbook: docs/deploy.md "Dashboard and alarms".`,
            width: 24,
            height: 2,
          }),
        ],
        [
          graph('Send progress (recipients per 5 min)', [
            ...perKind('SendsSent'),
            ...perKind('SendsFailed'),
            ...perKind('SendsUncertain'),
          ]),
          graph('SES throttling seen by the engine', perKind('SendsThrottled'), {
            right: [gazette('SesMaxSendRate', {}, 'Maximum').with({ label: 'SES max send rate (/s)' })],
          }),
          graph('SES sends and quota', [ses('Send'), ses('Delivery'), ses('Reject')], {
            right: [
              gazette('SesSentLast24Hours', {}, 'Maximum').with({ label: 'sent in the last 24 h' }),
              gazette('SesMax24HourSend', {}, 'Maximum').with({ label: 'daily quota' }),
            ],
          }),
        ],
        [
          graph('SES account bounce rate', [ses('Reputation.BounceRate', 'Maximum', Duration.minutes(15))], {
            leftAnnotations: rateLine('bounceRate'),
          }),
          graph(
            'SES account complaint rate',
            [ses('Reputation.ComplaintRate', 'Maximum', Duration.minutes(15))],
            {
              leftAnnotations: rateLine('complaintRate'),
            },
          ),
          graph('Bounces and complaints (SES events)', [
            ses('Bounce'),
            ses('Complaint'),
            ...CAMPAIGN_KINDS.flatMap((k) =>
              ['bounce-hard', 'complaint'].map((type) =>
                gazette('MailEvents', { type, campaignKind: k }).with({ label: `${type} ${k}` }),
              ),
            ),
          ]),
        ],
        [
          graph(
            'Send queue',
            [
              stateful.sendQueue.metricApproximateNumberOfMessagesVisible({
                period: FIVE_MINUTES,
                statistic: 'Maximum',
              }),
            ],
            {
              right: [
                stateful.sendQueue
                  .metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' })
                  .with({ label: 'age of the oldest message (s)' }),
              ],
            },
          ),
          graph('Dead-letter queues', [
            stateful.sendDlq
              .metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' })
              .with({ label: 'send DLQ' }),
            stateful.jobsDlq
              .metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' })
              .with({ label: 'jobs DLQ' }),
          ]),
          graph('Reminder lateness (ms after the wave was due)', [
            gazette('ReminderLatenessMs', {}, 'Maximum').with({ label: 'max' }),
            gazette('ReminderLatenessMs', {}, 'p99').with({ label: 'p99' }),
          ]),
        ],
        [
          graph(
            'Inbound mail by outcome',
            INGEST_OUTCOMES.map((o) => gazette('IngestMessages', { outcome: o }).with({ label: o })),
          ),
          graph(
            'Function errors (invocations failed)',
            fnNames.map((n) =>
              functions[n].metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }).with({ label: n }),
            ),
          ),
          graph(
            'Errors logged by handlers',
            fnNames.map((n) =>
              new cloudwatch.Metric({
                namespace: METRICS_NAMESPACE,
                metricName: `LoggedErrors-${n}`,
                statistic: 'Sum',
                period: FIVE_MINUTES,
              }).with({ label: n }),
            ),
          ),
        ],
      ],
    });
  }
}
