import { describe, expect, it } from 'vitest';
import { subscriberIdFor } from '../../../src/domain/ids.ts';
import { Subscriber } from '../../../src/domain/subscriber.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import type { OutboundMessage } from '../../../src/ports/mailer.ts';
import type { SubscriberRepo, SuppressionRepo } from '../../../src/ports/subscribers.ts';
import { makeLinks } from '../../../src/use-cases/shared/links.ts';
import type { SubscribersDeps } from '../../../src/use-cases/subscribers/deps.ts';
import { makeSubscribe, makeUnsubscribeByMail } from '../../../src/use-cases/subscribers/lifecycle.ts';

/** In-memory ports for the subscribe use case, with a mailer that can be made to fail. */
const SECRET = 'a-test-secret-of-at-least-32-characters!';

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
    config: {
      GAZETTE_FROM: 'news@example.org',
      GAZETTE_NEWSLETTER_NAME: 'Gazette',
      GAZETTE_OPTIN_MAILS_PER_MAILBOX_PER_DAY: 3,
    },
    rateWindows: {
      counts: new Map<string, number>(),
      async take(bucket: string, window: string, limit: number) {
        const k = `${bucket}/${window}`;
        const n = this.counts.get(k) ?? 0;
        if (n >= limit) return false;
        this.counts.set(k, n + 1);
        return true;
      },
    },
    links: async () => ({
      confirmUrl: (id: string) => `https://x.example/v1/confirm?token=${id}`,
      preferencesUrl: (id: string) => `https://x.example/v1/preferences?token=${id}`,
    }),
    tokenSecret: async () => SECRET,
  } as unknown as SubscribersDeps;
  return { deps, subs, sent, failNextMail: () => (failMail = 1) };
}

describe('subscribe', () => {
  it('a failed opt-in mail to a pending or unsubscribed address does not block the visitor’s retry', async () => {
    const now = new Date('2026-03-02T10:00:00Z');
    const f = fakes(now);
    const email = 'again@example.org';
    f.subs.set(
      subscriberIdFor(email, SECRET),
      Subscriber.parse({
        subscriberId: subscriberIdFor(email, SECRET),
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

describe('mail to the List-Unsubscribe mailto', () => {
  const now = new Date('2026-03-02T10:00:00Z');
  const config = {
    GAZETTE_PUBLIC_URL: 'https://news.example.org',
    GAZETTE_UNSUBSCRIBE_MAILTO: 'unsubscribe@news.example.org',
    GAZETTE_NEWSLETTER_NAME: 'IGPN Gazette',
  };
  const links = (at = now) => makeLinks({ config, secret: SECRET, now: () => at });

  function world(emails: string[], audiences = ['newsletter', 'reminders']) {
    const f = fakes(now);
    const deps = { ...f.deps, tokenSecret: async () => SECRET } as SubscribersDeps;
    for (const email of emails)
      f.subs.set(
        subscriberIdFor(email, SECRET),
        Subscriber.parse({
          subscriberId: subscriberIdFor(email, SECRET),
          email,
          status: 'confirmed',
          audiences,
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
          version: 1,
        }),
      );
    const status = (email: string) => {
      const s = f.subs.get(subscriberIdFor(email, SECRET));
      return s && { status: s.status, audiences: s.audiences };
    };
    return { unsubscribe: makeUnsubscribeByMail(deps), status };
  }

  /** The subject a mail client writes when the reader follows the List-Unsubscribe mailto. */
  function mailtoSubject(l: ReturnType<typeof links>, email: string, scope = 'all'): string {
    const header =
      l.recipientLinks(subscriberIdFor(email, SECRET), scope).listHeaders['List-Unsubscribe'] ?? '';
    const mailto = /<(mailto:[^>]+)>/.exec(header)?.[1] ?? '';
    const url = new URL(mailto);
    expect(url.pathname).toBe(config.GAZETTE_UNSUBSCRIBE_MAILTO);
    return url.searchParams.get('subject') ?? '';
  }

  it('unsubscribes the plus-addressed subscriber its token names, though sent from the bare address', async () => {
    const w = world(['jane+news@example.org']);
    const subject = mailtoSubject(links(), 'jane+news@example.org');
    expect(await w.unsubscribe({ from: 'jane@example.org', subject: `Re: ${subject}` })).toMatchObject({
      found: true,
      changed: true,
      via: 'token',
    });
    expect(w.status('jane+news@example.org')).toEqual({
      status: 'unsubscribed',
      audiences: ['newsletter', 'reminders'],
    });
  });

  it('keeps the token’s scope: a reminders mail’s mailto leaves the newsletter subscription alone', async () => {
    const w = world(['jane+news@example.org']);
    const subject = mailtoSubject(links(), 'jane+news@example.org', 'reminders');
    await w.unsubscribe({ from: 'forwarder@alias.example', subject: `Fwd: ${subject}` });
    expect(w.status('jane+news@example.org')).toEqual({ status: 'confirmed', audiences: ['newsletter'] });
  });

  it('a tampered token does nothing beyond the From-address fallback', async () => {
    const w = world(['jane+news@example.org', 'jane@example.org']);
    const subject = mailtoSubject(links(), 'jane+news@example.org');
    // Another subscriber's id in the payload, the original signature kept.
    const [body = '', sig = ''] = subject.replace(/^unsubscribe /, '').split('.');
    const forgedBody = Buffer.from(
      Buffer.from(body, 'base64url')
        .toString('utf8')
        .replace(
          subscriberIdFor('jane+news@example.org', SECRET),
          subscriberIdFor('victim@example.org', SECRET),
        ),
    ).toString('base64url');
    const flipped = `${sig.slice(0, -2)}${sig.at(-2) === 'A' ? 'B' : 'A'}${sig.at(-1)}`;
    for (const token of [`${forgedBody}.${sig}`, `${body}.${flipped}`]) {
      expect(await w.unsubscribe({ from: 'other@example.org', subject: `unsubscribe ${token}` })).toEqual({
        found: false,
        changed: false,
        via: 'sender',
      });
    }
    expect(w.status('jane+news@example.org')?.status).toBe('confirmed');
    // The sender's own subscription, as before tokens: the authenticated From address.
    await w.unsubscribe({ from: 'jane@example.org', subject: `unsubscribe ${body}.${flipped}` });
    expect(w.status('jane@example.org')?.status).toBe('unsubscribed');
    expect(w.status('jane+news@example.org')?.status).toBe('confirmed');
  });

  it('an expired token, a token of another purpose or an old id-only subject falls back to the From address', async () => {
    const w = world(['jane+news@example.org', 'jane@example.org']);
    const stale = mailtoSubject(links(new Date('2024-01-01T00:00:00Z')), 'jane+news@example.org');
    const prefs = links().preferencesUrl(subscriberIdFor('jane+news@example.org', SECRET)).split('token=')[1];
    for (const subject of [
      stale,
      `unsubscribe ${prefs}`,
      `unsubscribe ${subscriberIdFor('jane+news@example.org', SECRET)}`,
    ])
      expect(await w.unsubscribe({ from: 'nobody@example.org', subject })).toMatchObject({ via: 'sender' });
    expect(w.status('jane+news@example.org')?.status).toBe('confirmed');
    await w.unsubscribe({ from: 'jane@example.org', subject: stale });
    expect(w.status('jane@example.org')?.status).toBe('unsubscribed');
  });

  it('finds the token in a subject a client re-encoded, prefixed or broke across encoded words', async () => {
    const subject = mailtoSubject(links(), 'jane+news@example.org');
    const token = subject.replace(/^unsubscribe /, '');
    for (const s of [
      `RE: Fwd: ${subject}`,
      `[EXT] unsubscribe: ${token}.`,
      `unsubscribe ${token.slice(0, 50)} ${token.slice(50)}`,
      `Aw: unsubscribe\u00a0${token}`,
    ]) {
      const w = world(['jane+news@example.org']);
      await w.unsubscribe({ from: 'jane@example.org', subject: s });
      expect(w.status('jane+news@example.org')?.status, s).toBe('unsubscribed');
    }
  });
});
