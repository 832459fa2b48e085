/**
 * The Metrics port over Powertools for AWS Lambda's Metrics: each `count` call is one CloudWatch Embedded
 * Metric Format record on stdout (Lambda ships it to CloudWatch Logs, which extracts the metrics), so no
 * PutMetricData call and no flush at the end of an invocation is needed.
 */
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '../../ports/metrics.ts';

export const METRICS_NAMESPACE = 'Gazette';
/** Powertools adds it as a dimension of every record: the dashboard (infra/operations.ts) names it too. */
export const METRICS_SERVICE = 'gazette';

export function powertoolsMetrics(opts: { service?: string; namespace?: string } = {}): Metrics {
  const pt = new PowertoolsMetrics({
    namespace: opts.namespace ?? METRICS_NAMESPACE,
    serviceName: opts.service ?? METRICS_SERVICE,
  });
  return {
    count(counts, dimensions = {}) {
      for (const [k, v] of Object.entries(dimensions)) pt.addDimension(k, v);
      for (const [name, value] of Object.entries(counts)) pt.addMetric(name, MetricUnit.Count, value);
      pt.publishStoredMetrics();
    },
    milliseconds(values, dimensions = {}) {
      for (const [k, v] of Object.entries(dimensions)) pt.addDimension(k, v);
      for (const [name, value] of Object.entries(values)) pt.addMetric(name, MetricUnit.Milliseconds, value);
      pt.publishStoredMetrics();
    },
    gauge(values, dimensions = {}) {
      for (const [k, v] of Object.entries(dimensions)) pt.addDimension(k, v);
      for (const [name, value] of Object.entries(values)) pt.addMetric(name, MetricUnit.Count, value);
      pt.publishStoredMetrics();
    },
  };
}
