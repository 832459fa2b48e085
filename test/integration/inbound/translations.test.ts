/**
 * Issue 14 over the admin API of the embedded stack: a moderator adds a translation to a member's update and
 * the edition's variant in that language shows it, the other variant the member's own words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from '../../../src/domain/index.ts';
import { mail } from '../../fixtures/inbound/index.ts';
import { startTestStack } from '../../support/local-stack.ts';

type Stack = Awaited<ReturnType<typeof startTestStack>>;

describe('moderator translations reach the edition', () => {
  let stack: Stack;
  // biome-ignore lint/suspicious/noExplicitAny: answers of several shapes, read field by field
  const call = (method: string, path: string, body?: unknown) => stack.call<any>(method, path, body);

  beforeAll(async () => {
    stack = await startTestStack();
    const res = await call('POST', '/admin/members', {
      organisation: 'GreenBuy e.V.',
      type: 'network',
      country: 'Germany',
      senders: ['news@greenbuy.example'],
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('shows the zh translation in the zh variant and the original in the en one', async () => {
    const r = (await stack.app.ingest.receiveRaw(
      mail({ subject: 'Green ICT criteria published', body: 'Our new criteria for green ICT are online.' }),
      { from: 'news@greenbuy.example', to: [] },
    )) as IngestResult;
    expect(r.outcome).toBe('accepted');
    const id = r.updateId as string;

    const bad = await call('PATCH', `/admin/updates/${id}`, { translations: { zh: {} } });
    expect(bad.status).toBe(400);
    const edited = await call('PATCH', `/admin/updates/${id}`, {
      translations: {
        zh: { title: '绿色信息通信技术标准发布', summary: '我们的绿色信息通信技术新标准已上线。' },
      },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.status).toBe('pending');
    expect((await call('POST', `/admin/updates/${id}/approve`, {})).status).toBe(200);

    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    const compiled = await call('POST', '/admin/editions/compile', { from: day(-1), to: day(1), wait: true });
    expect(compiled.status).toBe(201);
    const n = compiled.body.edition.number as number;
    const zh = (await call('GET', `/admin/editions/${n}/preview?lang=zh`)).body as string;
    const en = (await call('GET', `/admin/editions/${n}/preview?lang=en`)).body as string;
    expect(zh).toContain('绿色信息通信技术标准发布');
    expect(zh).toContain('我们的绿色信息通信技术新标准已上线。');
    expect(zh).not.toContain('Green ICT criteria published');
    expect(en).toContain('Green ICT criteria published');
    expect(en).not.toContain('绿色信息通信技术标准发布');
  });
});
