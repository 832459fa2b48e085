/**
 * A scheduled send firing in the same seconds as a move or a cancel (the fire has read the edition, the
 * secretariat then moves it): against the real table's conditional writes, one of the two wins, and a send
 * never starts at a time the edition no longer shows.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoEditionRepo } from '../../../src/adapters/dynamodb/edition-repo.ts';
import { ConflictError, type Edition } from '../../../src/domain/index.ts';
import type { EditionRepo } from '../../../src/ports/editions.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import { makeEditionSends } from '../../../src/use-cases/editions/schedule.ts';
import type { EditionAudience } from '../../../src/use-cases/editions/schedule-audience.ts';
import { startTestStack } from '../../support/local-stack.ts';

const AT = '2027-01-05T01:00:00.000Z';
let number = 40;

const approved = (n: number): Edition => ({
  number: n,
  title: `IGPN Gazette No. ${n}`,
  status: 'approved',
  windowStart: '2026-10-01T00:00:00.000Z',
  windowEnd: '2027-01-01T00:00:00.000Z',
  items: [],
  variants: [{ language: 'en', subject: `No. ${n}`, htmlKey: 'h', textKey: 't' }],
  audience: 'newsletter',
  createdAt: '2027-01-01T00:00:00.000Z',
  compiledAt: '2027-01-01T00:00:00.000Z',
  skipped: [],
  schedule: {
    at: AT,
    localTime: '2027-01-05T09:00',
    timeZone: 'Asia/Shanghai',
    scheduleName: `gz-edition-send-${n}`,
    scheduledBy: 'alice',
    scheduledAt: '2027-01-02T00:00:00.000Z',
  },
});

describe('a scheduled send and a move or cancel in the same seconds', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let repo: DynamoEditionRepo;
  let starts: string[];

  beforeAll(async () => {
    stack = await startTestStack();
    repo = new DynamoEditionRepo(stack.infra.table);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    number += 1;
    starts = [];
    await repo.save(approved(number), 'absent');
  });

  const sendsOver = (editions: EditionRepo, onStart?: () => Promise<void>) =>
    makeEditionSends({
      editions,
      audience: { requireRecipients: async () => ({ count: 3 }) } as unknown as EditionAudience,
      scheduler: { upsert: async () => {}, delete: async () => {} },
      startSend: async (campaign) => {
        await onStart?.();
        starts.push(campaign);
        return {} as never;
      },
      clock: { now: () => new Date('2027-01-05T01:00:02Z'), sleep: async () => {} },
      logger: silentLogger,
      timeZone: () => 'Asia/Shanghai',
    });
  /** The table as the fire sees it: `meanwhile` runs right after the fire's first read. */
  const racing = (meanwhile: () => Promise<unknown>): EditionRepo => {
    let first = true;
    return Object.assign(Object.create(repo) as EditionRepo, {
      get: async (n: number) => {
        const e = await repo.get(n);
        if (first) {
          first = false;
          await meanwhile();
        }
        return e;
      },
    });
  };
  const secretariat = () => sendsOver(repo);

  it('a move made after the fire read the edition wins: nothing starts at the old time', async () => {
    const fire = sendsOver(
      racing(() =>
        secretariat().schedule(number, { at: '2027-01-06 09:00', timeZone: 'Asia/Shanghai' }, 'bob'),
      ),
    );
    expect(await fire.fire({ number, at: AT })).toEqual({ outcome: 'ignored', reason: 'moved' });
    expect(starts).toEqual([]);
    expect((await repo.get(number))?.schedule).toMatchObject({ at: '2027-01-06T01:00:00.000Z' });
  });

  it('a cancel made after the fire read the edition wins: nothing starts', async () => {
    const fire = sendsOver(racing(() => secretariat().unschedule(number, 'bob')));
    expect(await fire.fire({ number, at: AT })).toEqual({ outcome: 'ignored', reason: 'not-scheduled' });
    expect(starts).toEqual([]);
    expect((await repo.get(number))?.schedule).toBeUndefined();
  });

  it('once the fire has taken the schedule, a move is refused and the send starts at its time, once', async () => {
    let refused: unknown;
    const fire = sendsOver(repo, async () => {
      refused = await secretariat()
        .schedule(number, { at: '2027-01-06 09:00', timeZone: 'Asia/Shanghai' }, 'bob')
        .catch((e) => e);
    });
    expect(await fire.fire({ number, at: AT })).toEqual({
      outcome: 'started',
      campaign: `edition#${number}`,
    });
    expect(refused).toBeInstanceOf(ConflictError);
    expect(String((refused as Error).message)).toMatch(/is starting/);
    expect(starts).toEqual([`edition#${number}`]);
    const s = (await repo.get(number))?.schedule;
    expect(s?.at).toBe(AT);
    expect(s?.firedAt).toBeDefined();
    // A repeat of the same fire finds it started.
    expect(await sendsOver(repo).fire({ number, at: AT })).toEqual({
      outcome: 'already-started',
      campaign: `edition#${number}`,
    });
  });
});
