import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriberIdFor } from '../../src/domain/ids.ts';
import { startTestStack, TEST_TOKEN_SECRET } from '../support/local-stack.ts';

/**
 * Issue 12, item 10: what the public routes give away. Subscribe answers alike — in body and in time — for
 * new, known and suppressed addresses; a link forwarded with a newsletter shows no address in full.
 */
describe('small leaks on the public routes', () => {
  const FLOOR_MS = 400;
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const subscribe = async (email: string) => {
    const started = performance.now();
    const r = await fetch(`${stack.urls.api}/v1/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    return { status: r.status, body: await r.text(), ms: performance.now() - started };
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        GAZETTE_SUBSCRIBE_RATE_PER_MINUTE: '1000',
        GAZETTE_OPTIN_MAILS_PER_MAILBOX_PER_DAY: '100',
        GAZETTE_SUBSCRIBE_MIN_RESPONSE_MS: String(FLOOR_MS),
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('subscribe takes the same time and says the same for a new, a known and a suppressed address', async () => {
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email: 'known@example.org', consent: true }),
    });
    await stack.app.subscribers.suppressionRepo.suppress('bounced@example.org', 'hard-bounce', new Date());
    const runs = { fresh: [] as number[], known: [] as number[], suppressed: [] as number[] };
    const bodies = new Set<string>();
    for (let i = 0; i < 5; i++) {
      for (const [kind, email] of [
        ['fresh', `new${i}@example.org`],
        ['known', 'known@example.org'],
        ['suppressed', 'bounced@example.org'],
      ] as const) {
        const r = await subscribe(email);
        expect(r.status).toBe(202);
        bodies.add(r.body);
        runs[kind].push(r.ms);
      }
    }
    expect(bodies.size).toBe(1);
    // Every answer waits for the floor, so the work behind it (a mail, or none) does not show.
    for (const ms of [...runs.fresh, ...runs.known, ...runs.suppressed])
      expect(ms).toBeGreaterThanOrEqual(FLOOR_MS - 5);
    const medians = [median(runs.fresh), median(runs.known), median(runs.suppressed)];
    expect(Math.max(...medians) - Math.min(...medians)).toBeLessThan(100);
  });

  it('the preferences and unsubscribe pages show the address masked, never whole', async () => {
    const email = 'forwarded.reader@example.org';
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email, consent: true }),
    });
    const links = await stack.app.subscribers.links();
    const id = subscriberIdFor(email, TEST_TOKEN_SECRET);
    for (const url of [links.preferencesUrl(id), links.unsubscribeUrl(id)]) {
      const page = await (await fetch(url)).text();
      expect(page).not.toContain(email);
      expect(page).not.toContain('forwarded.reader');
      expect(page).toContain('f•••@example.org');
    }
    const json = await (
      await fetch(links.preferencesUrl(id), { headers: { accept: 'application/json' } })
    ).json();
    expect(json).toMatchObject({ email: 'f•••@example.org' });
  });

  it('erasing through a forwarded preferences link needs the mailbox: it only mails the owner', async () => {
    const email = 'owner@example.org';
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email, consent: true }),
    });
    const prefs = (await stack.app.subscribers.links()).preferencesUrl(
      subscriberIdFor(email, TEST_TOKEN_SECRET),
    );
    const r = await fetch(prefs, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'erase' }),
    });
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ status: 'confirmation-sent', email: 'o•••@example.org' });
    expect(
      await stack.app.subscribers.subscriberRepo.get(subscriberIdFor(email, TEST_TOKEN_SECRET)),
    ).toBeDefined();
    const mails = (await stack.sentMail()).filter((m) => m.destination.to.includes(email));
    expect(mails.at(-1)?.body.text).toMatch(/\/v1\/erase\?token=/);
  });
});
