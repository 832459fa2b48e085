import { describe, expect, it } from 'vitest';
import type { Subscriber } from '../../../src/domain/subscriber.ts';
import type { SubscriberRepo, SuppressionRepo } from '../../../src/ports/subscribers.ts';
import type { ImportRow } from '../../../src/use-cases/subscribers/data.ts';
import {
  IMPORT_BATCH,
  IMPORT_REPORTED_MAX,
  makeImportSubscribers,
} from '../../../src/use-cases/subscribers/data.ts';
import type { SubscribersDeps } from '../../../src/use-cases/subscribers/deps.ts';

/** An empty system that records, at each write, how many rows the import had read and not yet written. */
function observedSystem() {
  const seen = { read: 0, written: 0, maxInFlight: 0, created: 0 };
  const settle = () => {
    seen.written++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.read - seen.written);
  };
  const deps = {
    suppressions: { get: async () => undefined } as unknown as SuppressionRepo,
    subscribers: {
      get: async () => undefined,
      create: async (_s: Subscriber) => {
        seen.created++;
        return true;
      },
      addEvent: async () => settle(),
    } as unknown as SubscriberRepo,
    clock: { now: () => new Date('2026-03-02T10:00:00Z'), sleep: async () => {} },
    tokenSecret: async () => 'a-test-secret-of-at-least-32-characters!',
  } as unknown as SubscribersDeps;
  return { deps, seen };
}

/** `n` rows made as they are asked for (never a list of them), counted in `seen.read`. */
function* generatedRows(n: number, seen: { read: number }, row: (i: number) => Record<string, string>) {
  for (let i = 0; i < n; i++) {
    seen.read++;
    yield { line: i + 2, values: row(i) } satisfies ImportRow;
  }
}

describe('subscriber import in batches', () => {
  it('imports 100,000 rows holding at most one batch of them: each is written before the next batch is read', async () => {
    const { deps, seen } = observedSystem();
    const n = 100_000;
    const report = await makeImportSubscribers(deps)(
      generatedRows(n, seen, (i) => ({ email: `bulk${i}@example.org`, consent: 'yes' })),
    );
    expect(report).toMatchObject({ rows: n, imported: n, errorCount: 0, errorsTruncated: false });
    expect(seen.created).toBe(n);
    // Held before the change: every row was validated into a list before the first write (100,000 here).
    expect(seen.maxInFlight).toBeLessThanOrEqual(IMPORT_BATCH);
  });

  it('counts every error and skipped row and lists the first by line, saying the list is cut', async () => {
    const { deps, seen } = observedSystem();
    const n = 5_000;
    const report = await makeImportSubscribers(deps, { batch: 64 })(
      generatedRows(n, seen, (i) =>
        i % 2
          ? { email: `not-an-address-${i}`, consent: 'yes' }
          : { email: `row${i}@example.org`, consent: i % 4 ? 'yes' : 'no' },
      ),
    );
    expect(report).toMatchObject({
      rows: n,
      imported: n / 4,
      errorCount: n / 2,
      errorsTruncated: true,
      skippedCount: n / 4,
      skippedTruncated: true,
    });
    expect(report.errors).toHaveLength(IMPORT_REPORTED_MAX);
    expect(report.errors.map((e) => e.line)).toEqual(
      Array.from({ length: IMPORT_REPORTED_MAX }, (_, k) => 3 + 2 * k),
    );
    expect(report.skipped).toHaveLength(IMPORT_REPORTED_MAX);
    expect(report.skipped[0]).toEqual({
      line: 2,
      email: 'row0@example.org',
      reason: expect.stringMatching(/no recorded consent/),
    });
    expect(report.skipped.at(-1)?.line).toBe(2 + 4 * (IMPORT_REPORTED_MAX - 1));
  });

  it('names a duplicate by its first line even when that line was written several batches earlier', async () => {
    const { deps, seen } = observedSystem();
    const report = await makeImportSubscribers(deps, { batch: 10 })(
      generatedRows(100, seen, (i) => ({
        email: i === 95 ? 'row3@example.org' : `row${i}@example.org`,
        consent: 'yes',
      })),
    );
    expect(report).toMatchObject({ rows: 100, imported: 99, errorsTruncated: false });
    expect(report.errors).toEqual([{ line: 97, reason: 'duplicate of line 5' }]);
  });
});
