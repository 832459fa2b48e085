import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriberIdFor } from '../../src/domain/ids.ts';
import { form, linkIn, mailsTo } from '../integration/subscribers/support.ts';
import { startTestStack, TEST_TOKEN_SECRET } from '../support/local-stack.ts';

/**
 * Issue 12, item 3: mail security scanners (Microsoft Defender Safe Links, Proofpoint, Mimecast …) open every
 * link of a mail, with GET and HEAD. Opening a link must never confirm a sign-up or delete data.
 */
describe('links in mails survive link scanners', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const api = (path: string, init?: RequestInit) => fetch(`${stack.urls.api}${path}`, init);
  const repo = () => stack.app.subscribers.subscriberRepo;

  beforeAll(async () => {
    stack = await startTestStack({ env: { GAZETTE_SUBSCRIBE_RATE_PER_MINUTE: '1000' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('GET and HEAD on the confirm link leave the sign-up unconfirmed; the page’s POST button confirms', async () => {
    const email = 'scanned@example.org';
    await api('/v1/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    const url = linkIn(mailsTo(await stack.sentMail(), email)[0], '/v1/confirm');

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const get = await fetch(url);
    const page = await get.text();
    expect(get.status).toBe(200);
    expect(page).toContain('<form method="post">');
    expect(page).toContain('Yes, confirm my subscription');
    // A second scanner pass, as some do, changes nothing either.
    await fetch(url);
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'unconfirmed',
    });

    const post = await fetch(url, { method: 'POST', ...form({}) });
    expect(post.status).toBe(200);
    expect(await post.text()).toContain('Subscription confirmed');
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'confirmed',
    });
  });

  it('erase from the preferences page asks the mailbox again; opening the erase link deletes nothing', async () => {
    const email = 'keep-me@example.org';
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email, consent: true }),
    });
    const prefs = (await stack.app.subscribers.links()).preferencesUrl(
      subscriberIdFor(email, TEST_TOKEN_SECRET),
    );

    const asked = await fetch(prefs, { method: 'POST', ...form({ action: 'erase' }) });
    expect(asked.status).toBe(202);
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toBeDefined();

    const mail = mailsTo(await stack.sentMail(), email).at(-1);
    expect(mail?.subject).toContain('Confirm the deletion');
    const eraseUrl = linkIn(mail, '/v1/erase');
    await fetch(eraseUrl, { method: 'HEAD' });
    const question = await fetch(eraseUrl);
    expect(await question.text()).toContain('This cannot be undone');
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toBeDefined();

    const erased = await fetch(eraseUrl, { method: 'POST', ...form({ confirm: 'yes' }) });
    expect(erased.status).toBe(200);
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toBeUndefined();
    expect((await stack.app.subscribers.suppressionRepo.get(email))?.reason).toBe('erased');
  });

  it('an erase link is its own purpose: a preferences, confirm or unsubscribe token does not erase', async () => {
    const email = 'other-tokens@example.org';
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email, consent: true }),
    });
    const links = await stack.app.subscribers.links();
    const id = subscriberIdFor(email, TEST_TOKEN_SECRET);
    for (const url of [links.preferencesUrl(id), links.confirmUrl(id), links.unsubscribeUrl(id)]) {
      const token = new URL(url).searchParams.get('token') ?? '';
      const r = await api(`/v1/erase?token=${token}`, { method: 'POST', ...form({ confirm: 'yes' }) });
      expect(r.status).toBe(400);
    }
    expect(await repo().get(id)).toBeDefined();
  });
});
