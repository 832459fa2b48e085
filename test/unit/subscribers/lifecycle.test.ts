import { describe, expect, it } from 'vitest';
import { subscriberIdFor } from '../../../src/domain/ids.ts';
import { Subscriber } from '../../../src/domain/subscriber.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import type { OutboundMessage } from '../../../src/ports/mailer.ts';
import type { SubscriberRepo, SuppressionRepo } from '../../../src/ports/subscribers.ts';
import type { SubscribersDeps } from '../../../src/use-cases/subscribers/deps.ts';
import { makeSubscribe } from '../../../src/use-cases/subscribers/lifecycle.ts';

/** In-memory ports for the subscribe use case, with a mailer that can be made to fail. */
function fakes(now: Date) {
  const subs = new Map<string, Subscriber>();
  const sent: OutboundMessage[] = [];
  let failMail = 0;
  const subscribers = {
    get: async (id: string) => subs.get(id),
    create: async (s: Subscriber) => {
      if (subs.has(s.subscriberId)) return false;
      subs.set(s.subscriberId, { ...s, version: 1 });
      return true;
    },
    save: async (s: Subscriber) => {
      subs.set(s.subscriberId, { ...s, version: (s.version ?? 0) + 1 });
    },
    addEvent: async () => {},
  } as unknown as SubscriberRepo;
  const deps = {
    subscribers,
    suppressions: { get: async () => undefined } as unknown as SuppressionRepo,
    mailer: {
      send: async (m: OutboundMessage) => {
        if (failMail-- > 0) throw new Error('SES throttled');
        sent.push(m);
        return { messageId: `m${sent.length}` };
      },
    },
    clock: { now: () => now, sleep: async () => {} },
    logger: silentLogger,
    config: { GAZETTE_FROM: 'news@example.org', GAZETTE_NEWSLETTER_NAME: 'Gazette' },
    links: async () => ({
      confirmUrl: (id: string) => `https://x.example/v1/confirm?token=${id}`,
      preferencesUrl: (id: string) => `https://x.example/v1/preferences?token=${id}`,
    }),
  } as unknown as SubscribersDeps;
  return { deps, subs, sent, failNextMail: () => (failMail = 1) };
}

describe('subscribe', () => {
  it('a failed opt-in mail to a pending or unsubscribed address does not block the visitor’s retry', async () => {
    const now = new Date('2026-03-02T10:00:00Z');
    const f = fakes(now);
    const email = 'again@example.org';
    f.subs.set(
      subscriberIdFor(email),
      Subscriber.parse({
        subscriberId: subscriberIdFor(email),
        email,
        status: 'unsubscribed',
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-02-01T00:00:00.000Z',
        unsubscribedAt: '2026-02-01T00:00:00.000Z',
        confirmationSentAt: '2026-01-01T00:00:00.000Z',
        version: 3,
      }),
    );
    const subscribe = makeSubscribe(f.deps);
    f.failNextMail();
    await expect(subscribe({ email })).rejects.toThrow(/SES throttled/);
    expect(await subscribe({ email })).toBe('confirmation-sent');
    expect(f.sent.map((m) => m.to)).toEqual([email]);
  });
});
