import { describe, expect, it } from 'vitest';
import { emailHash, subscriberIdFor } from '../../../src/domain/ids.ts';
import { Subscriber, type Suppression } from '../../../src/domain/subscriber.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import type { StatCounter, StatsRepo } from '../../../src/ports/stats.ts';
import type { EventLedger, SubscriberRepo, SuppressionRepo } from '../../../src/ports/subscribers.ts';
import type { SubscribersDeps } from '../../../src/use-cases/subscribers/deps.ts';
import { makeRecordSesEvent } from '../../../src/use-cases/subscribers/ses-events.ts';
import { sesEvent } from './ses-fixtures.ts';

const SECRET = 'a-test-secret-of-at-least-32-characters!';

const addConfirmed = (subs: Map<string, Subscriber>, email: string) =>
  subs.set(
    subscriberIdFor(email, SECRET),
    Subscriber.parse({
      subscriberId: subscriberIdFor(email, SECRET),
      email,
      status: 'confirmed',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    }),
  );

/** In-memory ports: enough to check the use case's ordering and idempotency without a database. */
function fakes() {
  const subs = new Map<string, Subscriber>();
  const supp = new Map<string, Suppression>();
  const counters = new Map<string, number>();
  const claimed = new Set<string>();
  let failSuppress = 0;
  const subscribers = {
    get: async (id: string) => subs.get(id),
    addSoftBounce: async (id: string) => {
      const s = subs.get(id);
      if (!s) return undefined;
      s.softBounces++;
      return s.softBounces;
    },
    resetSoftBounces: async () => {},
    addEvent: async () => {},
    save: async (s: Subscriber) => {
      subs.set(s.subscriberId, s);
    },
  } as unknown as SubscriberRepo;
  const suppressions = {
    suppress: async (email: string, reason: Suppression['reason'], at: Date) => {
      if (failSuppress-- > 0) throw new Error('DynamoDB is having a moment');
      if (!supp.has(emailHash(email)))
        supp.set(emailHash(email), { emailHash: emailHash(email), reason, at: at.toISOString() });
    },
  } as unknown as SuppressionRepo;
  const stats: StatsRepo = {
    increment: async (campaign, c) => {
      for (const [k, n] of Object.entries(c))
        counters.set(`${campaign}:${k}`, (counters.get(`${campaign}:${k}`) ?? 0) + (n ?? 0));
    },
    get: async () => {
      throw new Error('unused');
    },
  };
  let failRelease = false;
  const ledger: EventLedger = {
    claim: async (k) => {
      if (claimed.has(k)) return false;
      claimed.add(k);
      return true;
    },
    release: async (k) => {
      if (failRelease) throw new Error('DynamoDB is still having a moment');
      claimed.delete(k);
    },
  };
  const deps = {
    subscribers,
    suppressions,
    stats,
    ledger,
    clock: { now: () => new Date('2026-03-02T10:00:00Z'), sleep: async () => {} },
    logger: silentLogger,
    config: { GAZETTE_SOFT_BOUNCE_THRESHOLD: 2 },
    tokenSecret: async () => SECRET,
  } as unknown as SubscribersDeps;
  const count = (k: StatCounter) => counters.get(`edition#8:${k}`) ?? 0;
  return {
    deps,
    subs,
    supp,
    count,
    ledger,
    failNextSuppress: (n = 1) => (failSuppress = n),
    failReleases: (on: boolean) => (failRelease = on),
  };
}

describe('recordSesEvent', () => {
  it('counts an SNS redelivery once', async () => {
    const f = fakes();
    const record = makeRecordSesEvent(f.deps);
    const message = sesEvent('bounce-permanent', { to: 'x@example.org', campaign: 'edition_8' });
    await record({ key: 'sns-1', message });
    expect(await record({ key: 'sns-1', message })).toMatchObject({ duplicate: true, actions: [] });
    expect(f.count('bounced')).toBe(1);
    expect(f.supp.get(emailHash('x@example.org'))?.reason).toBe('hard-bounce');
  });

  it('a failure releases the event so the retry does the work, and counts it once', async () => {
    const f = fakes();
    const record = makeRecordSesEvent(f.deps);
    const message = sesEvent('bounce-permanent', { to: 'y@example.org', campaign: 'edition_8' });
    f.failNextSuppress();
    await expect(record({ key: 'sns-2', message })).rejects.toThrow(/having a moment/);
    expect(f.count('bounced')).toBe(0);
    await record({ key: 'sns-2', message });
    expect(f.count('bounced')).toBe(1);
    expect(f.supp.has(emailHash('y@example.org'))).toBe(true);
  });

  it('counts hard bounces on their own as well (the reputation guard reads them), soft ones only as bounced', async () => {
    const f = fakes();
    const record = makeRecordSesEvent(f.deps);
    await record({
      key: 'h-1',
      message: sesEvent('bounce-permanent', { to: 'h@example.org', campaign: 'edition_8' }),
    });
    await record({
      key: 's-1',
      message: sesEvent('bounce-transient', { to: 's@example.org', campaign: 'edition_8' }),
    });
    expect(f.count('bounced')).toBe(2);
    expect(f.count('bouncedHard')).toBe(1);
  });

  it('suppresses at the soft-bounce threshold, not before', async () => {
    const f = fakes();
    const email = 'z@example.org';
    addConfirmed(f.subs, email);
    const record = makeRecordSesEvent(f.deps);
    await record({ key: 'a', message: sesEvent('bounce-transient', { to: email }) });
    expect(f.supp.size).toBe(0);
    await record({ key: 'b', message: sesEvent('bounce-transient', { to: email }) });
    expect(f.supp.get(emailHash(email))?.reason).toBe('soft-bounce-threshold');
  });

  it('a "not-spam" feedback report (a provider withdrawing a spam verdict) neither suppresses, unsubscribes nor counts', async () => {
    const f = fakes();
    const email = 'w@example.org';
    addConfirmed(f.subs, email);
    const message = sesEvent('complaint', { to: email, campaign: 'edition_8' }) as {
      complaint: { complaintFeedbackType: string };
    };
    message.complaint.complaintFeedbackType = 'not-spam';
    await makeRecordSesEvent(f.deps)({ key: 'ns-1', message });
    expect(f.supp.size).toBe(0);
    expect(f.subs.get(subscriberIdFor(email, SECRET))?.status).toBe('confirmed');
    expect(f.count('complained')).toBe(0);
  });

  it('an event whose first attempt died after claiming it (crash, or the release failed too) is still processed on redelivery', async () => {
    const f = fakes();
    const record = makeRecordSesEvent(f.deps);
    const message = sesEvent('bounce-permanent', { to: 'v@example.org', campaign: 'edition_8' });
    f.failNextSuppress();
    f.failReleases(true);
    await expect(record({ key: 'sns-3', message })).rejects.toThrow(/having a moment/);
    f.failReleases(false);
    expect(await record({ key: 'sns-3', message })).toMatchObject({ duplicate: false });
    expect(f.supp.get(emailHash('v@example.org'))?.reason).toBe('hard-bounce');
    expect(f.count('bounced')).toBe(1);
    // Finished now: a further redelivery changes and counts nothing.
    expect(await record({ key: 'sns-3', message })).toMatchObject({ duplicate: true });
    expect(f.count('bounced')).toBe(1);

    // A Lambda that timed out between the claim and the work left only the claim.
    const other = sesEvent('complaint', { to: 'u@example.org', campaign: 'edition_8' });
    await f.ledger.claim('sns:sns-4', 7);
    expect(await record({ key: 'sns-4', message: other })).toMatchObject({ duplicate: false });
    expect(f.supp.get(emailHash('u@example.org'))?.reason).toBe('complaint');
  });
});
