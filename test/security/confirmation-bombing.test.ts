import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSubscribers } from '../../src/app/subscribers.ts';
import { form, linkIn, mailsTo } from '../integration/subscribers/support.ts';
import { startTestStack } from '../support/local-stack.ts';

/**
 * Issue 12, item 4: a visitor (or a bot) must not turn the sign-up form into a mail cannon against one
 * mailbox, whether by spelling the address differently, by spreading requests over containers, or by making
 * other people's browsers post the form from a hostile page.
 */
describe('confirmation-mail bombing', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const api = (path: string, init?: RequestInit) => fetch(`${stack.urls.api}${path}`, init);
  const subscribe = (email: string, headers: Record<string, string> = {}) =>
    api('/v1/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ email }),
    });
  const mailsToGmail = async () =>
    (await stack.sentMail()).filter((m) => m.destination.to.some((to) => /gmail\.com$/i.test(to)));

  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        GAZETTE_SUBSCRIBE_RATE_PER_MINUTE: '1000',
        GAZETTE_OPTIN_MAILS_PER_MAILBOX_PER_DAY: '3',
        GAZETTE_FORM_ORIGINS: 'https://www.igpn.example',
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('+tag, dot and case variants of one Gmail mailbox get at most the daily limit of mails in all', async () => {
    const variants = [
      'victim@gmail.com',
      'Victim+1@gmail.com',
      'v.ictim@gmail.com',
      'vi.c.tim+x@googlemail.com',
      'VICTIM+2@GMAIL.COM',
      'v.i.c.t.i.m@gmail.com',
    ];
    for (const v of variants) expect((await subscribe(v)).status).toBe(202);
    expect(await mailsToGmail()).toHaveLength(3);
  });

  it('the limit is kept in the table: another container (a fresh in-memory limiter) is held to it too', async () => {
    const container2 = composeSubscribers(stack.infra);
    const container3 = composeSubscribers(stack.infra);
    const outcomes = [
      await container2.useCases.subscribe({ email: 'shared@example.org' }),
      await container3.useCases.subscribe({ email: 'shared+a@example.org' }),
      await container2.useCases.subscribe({ email: 'shared+b@example.org' }),
      await container3.useCases.subscribe({ email: 'shared+c@example.org' }),
      await container2.useCases.subscribe({ email: 'Shared+d@example.org' }),
    ];
    expect(outcomes).toEqual([
      'confirmation-sent',
      'confirmation-sent',
      'confirmation-sent',
      'throttled',
      'throttled',
    ]);
    const mails = (await stack.sentMail()).filter((m) => m.destination.to.some((t) => /^shared/i.test(t)));
    expect(mails).toHaveLength(3);
  });

  it('a browser POST from another site’s page is refused (403) and sends nothing', async () => {
    const before = (await stack.sentMail()).length;
    const hostile = await subscribe('target@example.org', { origin: 'https://evil.example' });
    expect(hostile.status).toBe(403);
    const hostileForm = await api('/v1/subscribe', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'cross-site',
      },
      body: 'email=target2%40example.org',
    });
    expect(hostileForm.status).toBe(403);
    expect(await hostileForm.text()).toContain('only works on our own pages');
    const nullOrigin = await subscribe('target3@example.org', { origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    expect((await stack.sentMail()).length).toBe(before);
  });

  it('the form on our own pages, an embedding site that is configured, and non-browser clients are served', async () => {
    const own = new URL(stack.config.GAZETTE_PUBLIC_URL).origin;
    expect(
      (await subscribe('own@example.org', { origin: own, 'sec-fetch-site': 'same-origin' })).status,
    ).toBe(202);
    expect((await subscribe('embedded@example.org', { origin: 'https://www.igpn.example' })).status).toBe(
      202,
    );
    expect((await subscribe('curl@example.org')).status).toBe(202);
  });

  it('cross-site POSTs to confirm and preferences are refused too; RFC 8058 one-click unsubscribe is not', async () => {
    await subscribe('xs@example.org');
    const confirmUrl = linkIn(mailsTo(await stack.sentMail(), 'xs@example.org')[0], '/v1/confirm');
    const r = await fetch(confirmUrl, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(r.status).toBe(403);
    const { useCases } = stack.app.subscribers;
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email: 'oneclick@example.org', consent: true }),
    });
    const added = await useCases.show('oneclick@example.org');
    const links = await stack.app.subscribers.links();
    const prefs = links.preferencesUrl(added.subscriber.subscriberId);
    const p = await fetch(prefs, {
      method: 'POST',
      ...form({ action: 'unsubscribe' }),
      headers: { ...form({}).headers, origin: 'https://evil.example' },
    });
    expect(p.status).toBe(403);
    // Mailbox providers' servers post one-click unsubscribes; whatever they send as Origin, it works.
    const oneClick = await fetch(links.unsubscribeUrl(added.subscriber.subscriberId), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://mail.provider.example',
      },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect((await useCases.show('oneclick@example.org')).subscriber.status).toBe('unsubscribed');
  });
});
