import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import type { Update } from '../../../src/domain/index.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import { startTestStack } from '../../support/local-stack.ts';
import { anUpdate } from '../../unit/editions/fixtures.ts';

const now = new Date('2026-04-01T01:00:00.000Z');
const clock: Clock = { now: () => now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

describe('the secretariat shapes a draft edition over the API', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const call = <T>(method: string, path: string, body?: unknown) => stack.call<T>(method, path, body);
  const compile = () =>
    call<{ edition: { number: number } }>('POST', '/admin/editions/compile', {
      from: '2026-01-01',
      to: '2026-03-31',
      wait: true,
    });
  const seed = async (u: Update) =>
    stack.infra.table.put({
      ...keys.update(u.updateId),
      type: 'update',
      gsi1pk: `UPDATES#${u.status}`,
      gsi1sk: `${u.receivedAt}#${u.updateId}`,
      ...u,
    });

  beforeAll(async () => {
    stack = await startTestStack({ clock });
    await seed(anUpdate({ updateId: 'u_a', title: 'Alpha news', receivedAt: '2026-02-01T00:00:00.000Z' }));
    await seed(anUpdate({ updateId: 'u_b', title: 'Beta news', receivedAt: '2026-02-02T00:00:00.000Z' }));
    await seed(anUpdate({ updateId: 'u_c', title: 'Council vote', receivedAt: '2026-02-03T00:00:00.000Z' }));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('keeps title, foreword, featured items and a custom section for the recompile of that draft', async () => {
    const first = await compile();
    expect(first.status).toBe(201);
    const n = first.body.edition.number;
    const patched = await call<{ shape: Record<string, unknown> }>('PATCH', `/admin/editions/${n}/shape`, {
      title: 'Special edition: the council year',
      foreword: 'Dear members,\n\nthis edition is about the council.',
      featured: ['u_b'],
      sections: [{ id: 'council', title: 'Council corner' }, { id: 'news' }],
      assign: { u_c: 'council' },
    });
    expect(patched.status).toBe(200);
    expect((await call<{ shape: unknown }>('GET', `/admin/editions/${n}/shape`)).body.shape).toEqual(
      patched.body.shape,
    );

    const again = await compile();
    expect(again.body.edition.number).toBe(n);
    const e = await stack.app.editions.lifecycle.show(n);
    expect(e.variants.map((v) => v.subject)).toEqual(
      e.variants.map(() => 'Special edition: the council year'),
    );
    expect(e.items.map((i) => i.updateId)).toEqual(['u_b', 'u_c', 'u_a']);
    const html = await stack.infra.blobs.content.getText(e.variants[0]?.htmlKey ?? '');
    expect(html).toContain('this edition is about the council.');
    expect(html).toContain('Council corner');
    expect(html.indexOf('Beta news')).toBeLessThan(html.indexOf('Council vote'));
    expect(html.indexOf('Council vote')).toBeLessThan(html.indexOf('Alpha news'));

    // null clears a field: back to the computed subject.
    await call('PATCH', `/admin/editions/${n}/shape`, { title: null });
    await compile();
    const cleared = await stack.app.editions.lifecycle.show(n);
    expect(cleared.variants[0]?.subject).not.toContain('Special edition');
  }, 60_000);

  it('refuses a bad shape with 400 and reshaping an approved edition with 409', async () => {
    const n = (await stack.app.editions.lifecycle.list())[0]?.number ?? 0;
    const bad = await call<{ message: string }>('PATCH', `/admin/editions/${n}/shape`, {
      sections: [{ id: 'Council News!' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/section id/);
    expect(
      (await call('PATCH', `/admin/editions/${n}/shape`, { featured: ['a', 'b', 'c', 'd', 'e', 'f'] }))
        .status,
    ).toBe(400);
    await stack.app.editions.lifecycle.approve(n, 'test');
    expect((await call('PATCH', `/admin/editions/${n}/shape`, { title: 'Late' })).status).toBe(409);
    expect((await call('GET', '/admin/editions/999/shape')).status).toBe(404);
  });
});
