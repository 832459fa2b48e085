import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack } from '../../support/local-stack.ts';
import { manualClock } from './support.ts';

describe('per-IP throttling of the public routes (embedded runtime)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const clock = manualClock();
  const subscribe = (i: number) =>
    fetch(`${stack.urls.api}/v1/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `t${i}@example.org` }),
    });

  beforeAll(async () => {
    stack = await startTestStack({
      clock,
      env: { GAZETTE_SUBSCRIBE_RATE_PER_MINUTE: '3', GAZETTE_PUBLIC_RATE_PER_MINUTE: '2' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 429 with Retry-After once an IP exceeds the subscribe rate, and recovers with time', async () => {
    for (let i = 0; i < 3; i++) expect((await subscribe(i)).status).toBe(202);
    const limited = await subscribe(3);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: 'rate_limited' });
    clock.advance(60_000);
    expect((await subscribe(4)).status).toBe(202);
  });

  it('limits the pages too (HTML answer), but never the RFC 8058 one-click POST', async () => {
    for (let i = 0; i < 2; i++) expect((await fetch(`${stack.urls.api}/v1/subscribe`)).status).toBe(200);
    const page = await fetch(`${stack.urls.api}/v1/subscribe`);
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toContain('text/html');
    const url = (await stack.app.subscribers.links()).unsubscribeUrl('s_nobody');
    for (let i = 0; i < 5; i++) {
      const r = await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
      expect(r.status).toBe(200);
    }
  });
});
