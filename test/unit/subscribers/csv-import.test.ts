import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';
import { emailHash } from '../../../src/domain/ids.ts';
import { Subscriber, type Suppression } from '../../../src/domain/subscriber.ts';
import type { SubscriberRepo, SuppressionRepo } from '../../../src/ports/subscribers.ts';
import { parseSubscriberCsv } from '../../../src/use-cases/subscribers/csv.ts';
import {
  EXPORT_COLUMNS,
  makeExportSubscribers,
  makeImportSubscribers,
  toExportRow,
} from '../../../src/use-cases/subscribers/data.ts';
import type { SubscribersDeps } from '../../../src/use-cases/subscribers/deps.ts';

/** Import deps of a system with no subscribers and no suppressions; `created` collects what is imported. */
function emptySystem() {
  const created: Subscriber[] = [];
  const deps = {
    suppressions: { get: async () => undefined } as unknown as SuppressionRepo,
    subscribers: {
      get: async () => undefined,
      create: async (s: Subscriber) => {
        created.push(s);
        return true;
      },
      addEvent: async () => {},
    } as unknown as SubscriberRepo,
    clock: { now: () => new Date('2026-03-02T10:00:00Z'), sleep: async () => {} },
    tokenSecret: async () => 'a-test-secret-of-at-least-32-characters!',
  } as unknown as SubscribersDeps;
  return { deps, created };
}

describe('subscriber CSV parsing', () => {
  it('numbers rows by their line in the file (header = 1), across blank lines, CRLF and quoted line breaks', () => {
    const rows = parseSubscriberCsv(
      '\uFEFFE-mail,Full Name,TZ,Lists,Opt-in\r\na@example.org,A,UTC,newsletter,yes\r\n\r\n"b@example.org","B\r\nsecond line",UTC,reminders,yes\r\nc@example.org,C,UTC,newsletter,no\r\n',
    );
    expect(rows.map((r) => r.line)).toEqual([2, 4, 6]);
    expect(rows[0]?.values).toEqual({
      email: 'a@example.org',
      name: 'A',
      timeZone: 'UTC',
      audiences: 'newsletter',
      consent: 'yes',
    });
    expect(rows[1]?.values.name).toBe('B\nsecond line');
  });

  it('marks rows whose field count differs from the header instead of failing the file', () => {
    const rows = parseSubscriberCsv('email,name\na@example.org\nb@example.org,B,extra\nc@example.org,C\n');
    expect(rows.map((r) => [r.line, Boolean(r.values.__fieldCount)])).toEqual([
      [2, true],
      [3, true],
      [4, false],
    ]);
  });

  it('numbers a row by its first line even when a dropped extra field or a repeated column held a line break', () => {
    const extra = parseSubscriberCsv('email,name\na@example.org,A,"x\ny"\nb@example.org,B\n');
    expect(extra.map((r) => r.line)).toEqual([2, 4]);
    expect(extra[0]?.values.__fieldCount).toBe('mismatch');
    const repeated = parseSubscriberCsv('email,name,name\na@example.org,"A\nB",C\n\nb@example.org,B,B\n');
    expect(repeated.map((r) => r.line)).toEqual([2, 5]);
  });

  it('reads columns named like Object.prototype members as ordinary unknown columns', () => {
    const rows = parseSubscriberCsv('email,constructor,__proto__,toString\na@example.org,x,y,z\n');
    expect(rows[0]?.values).toMatchObject({
      email: 'a@example.org',
      constructor: 'x',
      proto: 'y',
      tostring: 'z',
    });
  });

  it('refuses a file without an email column, an empty file, and a broken quote (with its line)', () => {
    expect(() => parseSubscriberCsv('name\nx\n')).toThrow(/"email" column/);
    expect(() => parseSubscriberCsv('')).toThrow(ValidationError);
    expect(() => parseSubscriberCsv('email,name\na@example.org,ok\n"b@example.org,broken\n')).toThrow(
      /at line \d/,
    );
  });
});

describe('subscriber CSV export', () => {
  const base = {
    subscriberId: 's_1',
    email: 'left@example.org',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-02-01T00:00:00.000Z',
    confirmedAt: '2026-01-01T00:00:00.000Z',
    consentedAt: '2026-01-01T00:00:00.000Z',
    consentSource: 'double-opt-in',
  } as const;

  it('writes consent=no for someone who unsubscribed, so importing the export never re-subscribes them', () => {
    const left = Subscriber.parse({
      ...base,
      status: 'unsubscribed',
      unsubscribedAt: '2026-02-01T00:00:00.000Z',
    });
    expect(toExportRow(left)).toMatchObject({ status: 'unsubscribed', consent: 'no' });
    expect(toExportRow(left).consented_at).toBe('2026-01-01T00:00:00.000Z');
    expect(toExportRow(Subscriber.parse({ ...base, status: 'confirmed' })).consent).toBe('yes');
  });

  it('an export re-imports to the same addresses and names: the formula guard (a leading apostrophe) is undone', async () => {
    const people = [
      Subscriber.parse({
        ...base,
        subscriberId: 's_a',
        email: '-dash@example.org',
        name: '=Ops team',
        status: 'confirmed',
      }),
      Subscriber.parse({
        ...base,
        subscriberId: 's_b',
        email: 'plain@example.org',
        name: "'quoted'",
        status: 'confirmed',
      }),
    ];
    const csv = stringify(people.map(toExportRow), { header: true, columns: [...EXPORT_COLUMNS] });
    const { deps, created } = emptySystem();
    const report = await makeImportSubscribers(deps)(parseSubscriberCsv(csv));
    expect(report).toMatchObject({ imported: 2, errors: [] });
    expect(created.map((s) => [s.email, s.name]).sort()).toEqual([
      ['-dash@example.org', '=Ops team'],
      ['plain@example.org', "'quoted'"],
    ]);
  });

  /** An export of `people` from a system holding `suppressions`, then an import of it into an empty system. */
  async function exportThenImport(people: Subscriber[], suppressions: Suppression[]) {
    const source = {
      subscribers: {
        listByStatus: async function* (status: string) {
          yield people.filter((p) => p.status === status);
        },
      } as unknown as SubscriberRepo,
      suppressions: { list: async () => suppressions } as unknown as SuppressionRepo,
    } as unknown as SubscribersDeps;
    const { body } = await makeExportSubscribers(source)({ format: 'csv' });
    const { deps: target, created } = emptySystem();
    const report = await makeImportSubscribers(target)(parseSubscriberCsv(body));
    return { body, rows: parseSubscriberCsv(body), report, created };
  }

  it('marks a suppressed address with the reason and date, and a re-import elsewhere never subscribes it', async () => {
    const people = [
      Subscriber.parse({ ...base, subscriberId: 's_dead', email: 'dead@example.org', status: 'confirmed' }),
      Subscriber.parse({ ...base, subscriberId: 's_ok', email: 'ok@example.org', status: 'confirmed' }),
    ];
    const bounce: Suppression = {
      emailHash: emailHash('dead@example.org'),
      email: 'dead@example.org',
      reason: 'hard-bounce',
      at: '2026-02-10T08:00:00.000Z',
      detail: 'smtp; 550 5.1.1 user unknown',
    };
    // Another address's suppression (kept as a hash only) marks nobody else.
    const others: Suppression[] = [
      { emailHash: emailHash('x@example.org'), reason: 'complaint', at: '2026-02-01T00:00:00.000Z' },
    ];
    const { rows, report, created } = await exportThenImport(people, [bounce, ...others]);
    const byEmail = new Map(rows.map((r) => [r.values.email, r.values]));
    expect(byEmail.get('dead@example.org')).toMatchObject({
      status: 'confirmed',
      suppressed: 'hard-bounce',
      suppressedAt: '2026-02-10T08:00:00.000Z',
    });
    expect(byEmail.get('ok@example.org')).toMatchObject({ suppressed: '', suppressedAt: '' });
    expect(created.map((s) => s.email)).toEqual(['ok@example.org']);
    expect(report.skipped).toEqual([
      { line: 2, email: 'dead@example.org', reason: expect.stringMatching(/suppressed \(hard-bounce\)/) },
    ]);
  });
});
