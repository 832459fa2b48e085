import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriberIdFor } from '../../../src/domain/ids.ts';
import { startTestStack, TEST_TOKEN_SECRET } from '../../support/local-stack.ts';
import { collect, DAY, form, linkIn, mailsTo, manualClock } from './support.ts';

describe('subscriber lifecycle over HTTP (double opt-in, preferences, RFC 8058 unsubscribe)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const clock = manualClock();
  const api = (path: string, init?: RequestInit) => fetch(`${stack.urls.api}${path}`, init);
  const subscribe = (body: Record<string, unknown>) =>
    api('/v1/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const repo = () => stack.app.subscribers.subscriberRepo;
  const activeEmails = async () => {
    const confirmed = await collect(repo().listByStatus('confirmed'));
    const out: string[] = [];
    for (const s of confirmed)
      if (!(await stack.app.subscribers.suppressionRepo.isSuppressed(s.email))) out.push(s.email);
    return out;
  };

  beforeAll(async () => {
    stack = await startTestStack({ clock, env: { GAZETTE_SUBSCRIBE_RATE_PER_MINUTE: '1000' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('subscribe → opt-in mail → confirm link → one-click POST → no longer an active recipient', async () => {
    const email = 'ada@example.org';
    const res = await subscribe({
      email: 'Ada@Example.org',
      name: '绿色 Ada',
      language: 'zh',
      timeZone: 'Asia/Shanghai',
      audiences: ['newsletter', 'reminders'],
    });
    expect(res.status).toBe(202);

    const [mail] = mailsTo(await stack.sentMail(), email);
    expect(mail?.subject).toContain('请确认订阅');
    expect(await activeEmails()).not.toContain(email);

    // Opening the link (as a mail scanner would) asks; only the page's button confirms.
    const confirmUrl = linkIn(mail, '/v1/confirm');
    const question = await fetch(confirmUrl);
    expect(question.status).toBe(200);
    expect(await question.text()).toContain('是的，确认订阅');
    expect(await activeEmails()).not.toContain(email);
    const confirm = await fetch(confirmUrl, { method: 'POST', ...form({}) });
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('订阅已确认');
    expect(await activeEmails()).toContain(email);
    const stored = await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET));
    expect(stored).toMatchObject({
      status: 'confirmed',
      name: '绿色 Ada',
      timeZone: 'Asia/Shanghai',
      consentSource: 'double-opt-in',
    });

    // What the send engine puts on every bulk mail.
    const links = (await stack.app.subscribers.links()).recipientLinks(
      subscriberIdFor(email, TEST_TOKEN_SECRET),
    );
    const httpsUrl = /<(http[^>]+)>/.exec(links.listHeaders['List-Unsubscribe'] ?? '')?.[1];
    expect(links.listHeaders['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const oneClick = await fetch(httpsUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(oneClick.headers.get('content-type')).toContain('text/plain');

    expect(await activeEmails()).not.toContain(email);
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'unsubscribed',
    });
    // A mailbox provider may retry: still 200, still unsubscribed.
    const again = await fetch(httpsUrl!, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(again.status).toBe(200);
    const history = await repo().listEvents(subscriberIdFor(email, TEST_TOKEN_SECRET));
    expect(history.map((e) => e.type)).toEqual(['subscribe-requested', 'confirmed', 'unsubscribed']);
  });

  it('answers identically for new, pending, confirmed and suppressed addresses (no enumeration)', async () => {
    await stack.app.subscribers.suppressionRepo.suppress('gone@example.org', 'hard-bounce', clock.now());
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email: 'known@example.org', consent: true }),
    });
    await subscribe({ email: 'pending@example.org' });
    const answers = [];
    for (const email of [
      'brand-new@example.org',
      'pending@example.org',
      'known@example.org',
      'gone@example.org',
    ]) {
      const r = await subscribe({ email });
      answers.push({ status: r.status, body: await r.text() });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]?.status).toBe(202);
    // …but only the right people got mail: never the suppressed address.
    expect(mailsTo(await stack.sentMail(), 'gone@example.org')).toHaveLength(0);
    const known = mailsTo(await stack.sentMail(), 'known@example.org');
    expect(known.map((m) => m.subject)).toEqual(['You already receive IGPN Gazette']);
  });

  it('does not resend the opt-in mail within ten minutes (mail-bombing guard), but does after', async () => {
    const email = 'twice@example.org';
    await subscribe({ email });
    await subscribe({ email });
    expect(mailsTo(await stack.sentMail(), email)).toHaveLength(1);
    clock.advance(11 * 60_000);
    await subscribe({ email });
    expect(mailsTo(await stack.sentMail(), email)).toHaveLength(2);
  });

  it('silently drops a bot that fills the honeypot field', async () => {
    const r = await subscribe({ email: 'bot@example.org', website: 'http://spam.example' });
    expect(r.status).toBe(202);
    expect(mailsTo(await stack.sentMail(), 'bot@example.org')).toHaveLength(0);
    expect(await repo().get(subscriberIdFor('bot@example.org', TEST_TOKEN_SECRET))).toBeUndefined();
  });

  it('accepts the HTML form (repeated checkboxes) and answers with a page', async () => {
    const page = await api('/v1/subscribe');
    const pageHtml = await page.text();
    expect(pageHtml).toContain('name="website"');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const r = await api('/v1/subscribe', {
      method: 'POST',
      ...form({ email: 'form@example.org', audiences: ['newsletter', 'member-announcements'], website: '' }),
    });
    expect(r.status).toBe(202);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(await repo().get(subscriberIdFor('form@example.org', TEST_TOKEN_SECRET))).toMatchObject({
      audiences: ['newsletter', 'member-announcements'],
      status: 'unconfirmed',
    });
  });

  it('rejects invalid input with a 400 naming the field', async () => {
    const r = await subscribe({ email: 'not-an-address', audiences: ['spam'] });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { details: { problems: { field: string }[] } };
    expect(body.details.problems.map((p) => p.field).sort()).toEqual(['audiences.0', 'email']);
  });

  it('rejects a tampered token and an expired one', async () => {
    const email = 'tamper@example.org';
    await subscribe({ email });
    const url = linkIn(mailsTo(await stack.sentMail(), email)[0], '/v1/confirm');
    const u = new URL(url);
    const token = u.searchParams.get('token')!;
    const [body, sig] = token.split('.') as [string, string];
    // Payload swapped for another subscriber's id, signature kept.
    const forged = `${Buffer.from(JSON.stringify({ sub: subscriberIdFor('victim@example.org', TEST_TOKEN_SECRET), exp: 4e9 })).toString('base64url')}.${sig}`;
    for (const bad of [
      forged,
      `${body}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`,
      `${body}x.${sig}`,
    ]) {
      u.searchParams.set('token', bad);
      const r = await fetch(u, { headers: { accept: 'application/json' } });
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ error: 'invalid_token' });
    }
    u.searchParams.set('token', token);
    const page = await fetch(u);
    expect(page.status).toBe(200);

    const late = 'late@example.org';
    await subscribe({ email: late });
    const lateUrl = linkIn(mailsTo(await stack.sentMail(), late)[0], '/v1/confirm');
    clock.advance(8 * DAY);
    const expired = await fetch(lateUrl);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('This link has expired');
    expect(await repo().get(subscriberIdFor(late, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'unconfirmed',
    });
  });

  it('GET on the unsubscribe link shows a confirm page with a button and changes nothing', async () => {
    const email = 'page@example.org';
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email, consent: true }),
    });
    const links = (await stack.app.subscribers.links()).recipientLinks(
      subscriberIdFor(email, TEST_TOKEN_SECRET),
    );
    const r = await fetch(links.unsubscribeUrl);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(/<form method="post">/);
    expect(text).toContain('<button type="submit">Unsubscribe</button>');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'confirmed',
    });

    const pressed = await fetch(links.unsubscribeUrl, { method: 'POST', ...form({ confirm: 'yes' }) });
    expect(pressed.status).toBe(200);
    expect(await pressed.text()).toContain('You are unsubscribed');
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'unsubscribed',
    });
  });

  it('a list-scoped one-click unsubscribe removes only that list', async () => {
    const email = 'scoped@example.org';
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email, consent: true, audiences: ['newsletter', 'reminders'] }),
    });
    const links = (await stack.app.subscribers.links()).recipientLinks(
      subscriberIdFor(email, TEST_TOKEN_SECRET),
      'reminders',
    );
    const r = await fetch(links.unsubscribeUrl, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(r.status).toBe(200);
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'confirmed',
      audiences: ['newsletter'],
    });
  });

  it('preferences: read as JSON, change by form, unticking every list unsubscribes, ticking again re-subscribes', async () => {
    const email = 'prefs@example.org';
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email, consent: true }),
    });
    const url = (await stack.app.subscribers.links()).preferencesUrl(
      subscriberIdFor(email, TEST_TOKEN_SECRET),
    );
    const view = await fetch(url, { headers: { accept: 'application/json' } });
    // A preferences link travels in every newsletter, forwarded ones too: the address is never shown whole.
    expect(await view.json()).toEqual({
      email: 'p•••@example.org',
      name: '',
      language: 'en',
      timeZone: 'UTC',
      audiences: ['newsletter'],
      status: 'confirmed',
    });
    const page = await fetch(url);
    expect(await page.text()).toContain('name="audiences" value="reminders"');

    const saved = await fetch(url, {
      method: 'POST',
      ...form({
        action: 'save',
        name: '<b>Lin</b>',
        language: 'zh',
        timeZone: 'Asia/Tokyo',
        audiences: 'reminders',
      }),
    });
    expect(saved.status).toBe(200);
    const savedHtml = await saved.text();
    expect(savedHtml).toContain('&lt;b&gt;Lin&lt;/b&gt;');
    expect(savedHtml).not.toContain('<b>Lin</b>');
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      name: '<b>Lin</b>',
      language: 'zh',
      timeZone: 'Asia/Tokyo',
      audiences: ['reminders'],
    });

    await fetch(url, { method: 'POST', ...form({ action: 'save', name: 'Lin' }) });
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'unsubscribed',
    });
    await fetch(url, { method: 'POST', ...form({ action: 'save', audiences: 'newsletter' }) });
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'confirmed',
      audiences: ['newsletter'],
    });

    const bad = await fetch(url, { method: 'POST', ...form({ action: 'save', timeZone: 'Mars/Olympus' }) });
    expect(bad.status).toBe(400);
  });

  it('an old confirmation link cannot undo a later unsubscribe', async () => {
    const email = 'undo@example.org';
    await subscribe({ email });
    const confirmUrl = linkIn(mailsTo(await stack.sentMail(), email)[0], '/v1/confirm');
    expect((await fetch(confirmUrl, { method: 'POST', ...form({}) })).status).toBe(200);
    const unsub = (await stack.app.subscribers.links()).unsubscribeUrl(
      subscriberIdFor(email, TEST_TOKEN_SECRET),
    );
    await fetch(unsub, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    const replay = await fetch(confirmUrl, { method: 'POST', ...form({}) });
    expect(replay.status).toBe(409);
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'unsubscribed',
    });
  });

  it('unsubscribeByEmail (the List-Unsubscribe mailto) unsubscribes from everything', async () => {
    const email = 'mailto@example.org';
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email, consent: true }),
    });
    expect(await stack.app.subscribers.useCases.unsubscribeByEmail('MailTo@Example.org')).toEqual({
      found: true,
      changed: true,
    });
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'unsubscribed',
    });
    expect(await stack.app.subscribers.useCases.unsubscribeByEmail('nobody@example.org')).toEqual({
      found: false,
      changed: false,
    });
  });

  it('a mail to the List-Unsubscribe mailto unsubscribes the subscriber its token names, sent from another address', async () => {
    const email = 'jane+news@example.org';
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email, consent: true }),
    });
    const header =
      (await stack.app.subscribers.links()).recipientLinks(subscriberIdFor(email, TEST_TOKEN_SECRET))
        .listHeaders['List-Unsubscribe'] ?? '';
    const mailto = new URL(/<(mailto:[^>]+)>/.exec(header)?.[1] ?? '');
    const subject = mailto.searchParams.get('subject') ?? '';
    const send = (from: string, subjectHeader: string) =>
      stack.admin('/admin/inbound?verdicts=pass', {
        method: 'POST',
        headers: { 'content-type': 'message/rfc822' },
        body: Buffer.from(
          [
            `From: ${from}`,
            `To: ${mailto.pathname}`,
            `Subject: ${subjectHeader}`,
            `Message-ID: <${Math.random().toString(36).slice(2)}@example.org>`,
            'Content-Type: text/plain; charset=utf-8',
            '',
            'unsubscribe',
            '',
          ].join('\r\n'),
        ),
      });

    // A forged token (the signature of another payload) unsubscribes nobody: the bare address is no subscriber.
    const forged = subject.replace(/\.[A-Za-z0-9_-]+$/, `.${'A'.repeat(43)}`);
    expect((await send('jane@example.org', forged)).status).toBe(200);
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'confirmed',
    });

    // The client answered from the bare address and RFC 2047-encoded the prefixed subject.
    const encoded = `=?UTF-8?B?${Buffer.from(`AW: ${subject}`).toString('base64')}?=`;
    expect((await send('Jane <jane@example.org>', encoded)).status).toBe(200);
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toMatchObject({
      status: 'unsubscribed',
    });
  });

  it('public routes never expose admin routes or data', async () => {
    const r = await api('/admin/subscribers');
    expect(r.status).toBe(401);
    const s = await api(`/admin/subscribers/${encodeURIComponent('known@example.org')}`);
    expect(s.status).toBe(401);
  });
});
