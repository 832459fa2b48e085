import { afterEach, describe, expect, it, vi } from 'vitest';
import { powertoolsMetrics } from '../../../src/adapters/powertools/metrics.ts';
import { type Metrics, recordReminderLateness, recordSesQuota } from '../../../src/ports/metrics.ts';

function emf(write: () => void) {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  write();
  vi.restoreAllMocks();
  return chunks
    .join('')
    .split('\n')
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Metrics: unknown[] }[] } },
    );
}

afterEach(() => vi.restoreAllMocks());

describe('duration and level metrics', () => {
  it('writes reminder lateness in milliseconds, never negative (a fire a moment early)', () => {
    const [late, early] = emf(() => {
      const m = powertoolsMetrics();
      recordReminderLateness(m, 1500);
      recordReminderLateness(m, -20);
    });
    expect(late?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'ReminderLatenessMs', Unit: 'Milliseconds' },
    ]);
    expect(late).toMatchObject({ ReminderLatenessMs: 1500, service: 'gazette' });
    expect(early).toMatchObject({ ReminderLatenessMs: 0 });
  });

  it('writes the SES quota as levels, leaving out an unlimited daily quota (-1)', () => {
    const [limited, unlimited] = emf(() => {
      const m = powertoolsMetrics();
      recordSesQuota(m, { max24HourSend: 50_000, sentLast24Hours: 1234, maxSendRate: 14 });
      recordSesQuota(m, { max24HourSend: -1, sentLast24Hours: 99, maxSendRate: 200 });
    });
    expect(limited).toMatchObject({ SesMax24HourSend: 50_000, SesSentLast24Hours: 1234, SesMaxSendRate: 14 });
    expect(unlimited).toMatchObject({ SesSentLast24Hours: 99, SesMaxSendRate: 200 });
    expect(unlimited).not.toHaveProperty('SesMax24HourSend');
  });

  it('a metrics stand-in that only counts is left alone by the duration and level helpers', () => {
    const counted: unknown[] = [];
    const m: Metrics = { count: (c) => counted.push(c) };
    recordReminderLateness(m, 10);
    recordSesQuota(m, { max24HourSend: 1, sentLast24Hours: 1, maxSendRate: 1 });
    expect(counted).toEqual([]);
  });
});
