/** The member-notice outbox over the real DynamoDB client against the embedded stack's table. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoNoticeOutbox } from '../../../src/adapters/dynamodb/notice-outbox-repo.ts';
import type { PendingNotice } from '../../../src/ports/notices.ts';
import { startTestStack } from '../../support/local-stack.ts';

const notice = (over: Partial<PendingNotice>): PendingNotice => ({
  key: 'notice:u1:approved:3',
  event: 'approved',
  updateId: 'u1',
  occurrence: '3',
  to: 'news@greenbuy.example',
  title: 'Forum on green textiles',
  attempts: 1,
  status: 'pending',
  nextAttemptAt: '2026-03-04T02:05:00.000Z',
  lastError: 'MailerThrottledError: Maximum sending rate exceeded.',
  createdAt: '2026-03-04T02:00:00.000Z',
  updatedAt: '2026-03-04T02:00:00.000Z',
  ...over,
});

describe('notice outbox (DynamoDB)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let outbox: DynamoNoticeOutbox;
  beforeAll(async () => {
    stack = await startTestStack();
    outbox = new DynamoNoticeOutbox(stack.infra.table);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('records a failure once, refuses a stale write, lists what is due soonest first, and the given-up ones', async () => {
    expect(await outbox.save(notice({}), 0)).toBe(true);
    // A second first failure (another attempt got there first) loses.
    expect(await outbox.save(notice({ lastError: 'other' }), 0)).toBe(false);
    expect(await outbox.get('notice:u1:approved:3')).toEqual(notice({}));
    const later = notice({
      key: 'notice:u2:published:8',
      updateId: 'u2',
      event: 'published',
      occurrence: '8',
      url: 'https://news.example.org/archive/8/',
      nextAttemptAt: '2026-03-04T02:01:00.000Z',
    });
    expect(await outbox.save(later, 0)).toBe(true);
    expect((await outbox.due(new Date('2026-03-04T02:04:59.000Z'), 10)).map((n) => n.key)).toEqual([
      'notice:u2:published:8',
    ]);
    expect((await outbox.due(new Date('2026-03-04T02:05:00.000Z'), 10)).map((n) => n.key)).toEqual([
      'notice:u2:published:8',
      'notice:u1:approved:3',
    ]);
    expect(await outbox.due(new Date('2026-03-04T03:00:00.000Z'), 1)).toHaveLength(1);

    // The second attempt's outcome replaces the first's only from attempts = 1.
    const given = notice({ attempts: 2, status: 'given-up', updatedAt: '2026-03-04T02:05:01.000Z' });
    expect(await outbox.save(given, 2)).toBe(false);
    expect(await outbox.save(given, 1)).toBe(true);
    expect((await outbox.due(new Date('2026-03-05T00:00:00.000Z'), 10)).map((n) => n.key)).toEqual([
      'notice:u2:published:8',
    ]);
    expect(await outbox.givenUpSince(new Date('2026-03-04T00:00:00.000Z'))).toEqual([given]);
    expect(await outbox.givenUpSince(new Date('2026-03-04T02:05:02.000Z'))).toEqual([]);

    await outbox.remove('notice:u2:published:8');
    expect(await outbox.get('notice:u2:published:8')).toBeUndefined();
  });
});
