import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSesEventsHandler } from '../../../functions/ses-events.ts';
import { subscriberIdFor } from '../../../src/domain/ids.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import { startTestStack, TEST_TOKEN_SECRET } from '../../support/local-stack.ts';
import { type FixtureName, sesEvent, snsEvent } from '../../unit/subscribers/ses-fixtures.ts';
import { collect } from './support.ts';

describe('SES events → suppression, soft-bounce threshold and campaign stats', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const add = (email: string) =>
    stack.admin('/admin/subscribers', { method: 'POST', body: JSON.stringify({ email, consent: true }) });
  const feed = async (body: unknown) => {
    const r = await stack.admin('/admin/ses-events', { method: 'POST', body: JSON.stringify(body) });
    expect(r.status).toBe(200);
    return ((await r.json()) as { results: { actions: string[]; duplicate: boolean; type: string }[] })
      .results;
  };
  const event = (name: FixtureName, email: string, campaign = 'edition_8') =>
    snsEvent(sesEvent(name, { to: email, campaign, subscriber: subscriberIdFor(email, TEST_TOKEN_SECRET) }));
  const suppressions = () => stack.app.subscribers.suppressionRepo;

  beforeAll(async () => {
    stack = await startTestStack({ env: { GAZETTE_SOFT_BOUNCE_THRESHOLD: '3' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a permanent bounce (SES event-publishing JSON) suppresses the address at once', async () => {
    const email = 'hard@example.org';
    await add(email);
    const [r] = await feed(event('bounce-permanent', email));
    expect(r?.type).toBe('bounce-hard');
    expect(await suppressions().isSuppressed(email)).toBe(true);
    expect(await suppressions().get(email)).toMatchObject({
      reason: 'hard-bounce',
      email,
      detail: '5.1.1 smtp; 550 5.1.1 user unknown',
    });
    const history = await stack.app.subscribers.subscriberRepo.listEvents(
      subscriberIdFor(email, TEST_TOKEN_SECRET),
    );
    expect(history.at(-1)).toMatchObject({ type: 'bounce-hard', campaign: 'edition#8' });
  });

  it('a complaint suppresses and unsubscribes', async () => {
    const email = 'angry@example.org';
    await add(email);
    await feed(event('complaint', email));
    expect(await suppressions().get(email)).toMatchObject({ reason: 'complaint', detail: 'abuse' });
    expect(
      await stack.app.subscribers.subscriberRepo.get(subscriberIdFor(email, TEST_TOKEN_SECRET)),
    ).toMatchObject({
      status: 'unsubscribed',
    });
  });

  it('understands the older identity notification shape (notificationType) too', async () => {
    const email = 'legacy@example.org';
    const msg = sesEvent('notification-bounce', { to: email });
    await feed({ Type: 'Notification', MessageId: 'legacy-1', Message: JSON.stringify(msg) });
    expect(await suppressions().get(email)).toMatchObject({ reason: 'hard-bounce' });
  });

  it('counts soft bounces and suppresses at the threshold; a delivery in between starts the count again', async () => {
    const email = 'full@example.org';
    await add(email);
    await feed(event('bounce-transient', email));
    await feed(event('bounce-transient', email));
    await feed(event('delivery', email));
    expect(
      await stack.app.subscribers.subscriberRepo.get(subscriberIdFor(email, TEST_TOKEN_SECRET)),
    ).toMatchObject({
      softBounces: 0,
    });
    await feed(event('bounce-transient', email));
    await feed(event('bounce-transient', email));
    expect(await suppressions().isSuppressed(email)).toBe(false);
    const [third] = await feed(event('bounce-transient', email));
    expect(third?.actions).toContainEqual(expect.stringMatching(/^suppressed:soft-bounce-threshold:/));
    expect(await suppressions().get(email)).toMatchObject({ reason: 'soft-bounce-threshold' });
  });

  it('keeps per-campaign counters from the campaign tag, and an SNS redelivery is counted once', async () => {
    const email = 'reader@example.org';
    await add(email);
    const campaign = 'reminder_dl_0abc-Z_9_P7D';
    const delivered = event('delivery', email, campaign);
    await feed(delivered);
    const [dup] = await feed(delivered); // same SNS MessageId
    expect(dup?.duplicate).toBe(true);
    for (const name of ['open', 'click', 'reject', 'bounce-transient'] as const)
      await feed(event(name, email, campaign));
    for (const name of ['send', 'delivery-delay', 'rendering-failure'] as const)
      await feed(event(name, email, campaign));
    const stats = await stack.app.subscribers.statsRepo.get('reminder#dl_0abc-Z_9#P7D');
    expect(stats).toMatchObject({
      delivered: 1,
      opened: 1,
      clicked: 1,
      failed: 1,
      bounced: 1,
      complained: 0,
    });
  });

  it('the ses-events Lambda handler processes the SNS event and drops (does not retry) malformed ones', async () => {
    const email = 'lambda@example.org';
    await add(email);
    const handle = makeSesEventsHandler(stack.app.subscribers, silentLogger);
    expect(await handle(event('bounce-permanent', email))).toEqual({ processed: 1, dropped: 0 });
    expect(await suppressions().isSuppressed(email)).toBe(true);
    expect(await handle(snsEvent({ eventType: 'Bounce', mail: { messageId: 'x' } }))).toEqual({
      processed: 0,
      dropped: 1,
    });
    expect(await handle({ not: 'sns' })).toEqual({ processed: 0, dropped: 1 });
  });

  it('the next send excludes every suppressed address (what the send engine checks)', async () => {
    const confirmed = await collect(stack.app.subscribers.subscriberRepo.listByStatus('confirmed'));
    const active = [];
    for (const s of confirmed) if (!(await suppressions().isSuppressed(s.email))) active.push(s.email);
    expect(active).toContain('reader@example.org');
    for (const gone of ['hard@example.org', 'angry@example.org', 'full@example.org', 'lambda@example.org'])
      expect(active).not.toContain(gone);
  });

  it('admin can list, add and remove suppressions', async () => {
    const add = await stack.admin('/admin/suppressions', {
      method: 'POST',
      body: JSON.stringify({ email: 'Manual@Example.org', detail: 'asked by phone' }),
    });
    expect(add.status).toBe(201);
    const list = (await (await stack.admin('/admin/suppressions')).json()) as { items: { email?: string }[] };
    expect(list.items.map((i) => i.email)).toContain('manual@example.org');
    const del = await stack.admin(`/admin/suppressions/${encodeURIComponent('manual@example.org')}`, {
      method: 'DELETE',
    });
    expect(del.status).toBe(200);
    expect(await suppressions().isSuppressed('manual@example.org')).toBe(false);
    const again = await stack.admin(`/admin/suppressions/${encodeURIComponent('manual@example.org')}`, {
      method: 'DELETE',
    });
    expect(again.status).toBe(404);
  });

  it('lifting a soft-bounce suppression starts the count again: one more soft bounce does not re-suppress', async () => {
    const email = 'mailbox-was-full@example.org';
    await add(email);
    for (let i = 0; i < 3; i++) await feed(event('bounce-transient', email));
    expect(await suppressions().get(email)).toMatchObject({ reason: 'soft-bounce-threshold' });
    const lift = await stack.admin(`/admin/suppressions/${encodeURIComponent(email)}`, { method: 'DELETE' });
    expect(lift.status).toBe(200);
    await feed(event('bounce-transient', email));
    expect(await suppressions().isSuppressed(email)).toBe(false);
    expect(
      await stack.app.subscribers.subscriberRepo.get(subscriberIdFor(email, TEST_TOKEN_SECRET)),
    ).toMatchObject({
      softBounces: 1,
    });
  });
});
