/**
 * Issue 14, each reader's language: an edition renders one variant per language its readers have (when the
 * templates have its strings), beside the configured ones, so a Japanese reader gets the Japanese edition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestResult } from '../../../src/domain/index.ts';
import { mail } from '../../fixtures/inbound/index.ts';
import { startTestStack } from '../../support/local-stack.ts';

type Stack = Awaited<ReturnType<typeof startTestStack>>;

describe('variants for the readers’ languages', () => {
  let stack: Stack;
  // biome-ignore lint/suspicious/noExplicitAny: answers of several shapes, read field by field
  const call = (method: string, path: string, body?: unknown) => stack.call<any>(method, path, body);

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('adds a ja variant for a Japanese reader, none for a language without strings (de)', async () => {
    expect(
      (
        await call('POST', '/admin/members', {
          organisation: 'GreenBuy e.V.',
          type: 'network',
          country: 'Germany',
          senders: ['news@greenbuy.example'],
        })
      ).status,
    ).toBe(201);
    const rows = [
      { line: 2, values: { email: 'tanaka@gpn.example', language: 'ja', consent: 'yes' } },
      { line: 3, values: { email: 'mueller@uba.example', language: 'de', consent: 'yes' } },
    ];
    const imported = await call('POST', '/admin/subscribers/import', { rows });
    expect(imported.body.imported).toBe(2);
    const r = (await stack.app.ingest.receiveRaw(mail({ subject: 'Green ICT criteria published' }), {
      from: 'news@greenbuy.example',
      to: [],
    })) as IngestResult;
    expect((await call('POST', `/admin/updates/${r.updateId}/approve`, {})).status).toBe(200);

    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    const compiled = await call('POST', '/admin/editions/compile', { from: day(-1), to: day(1), wait: true });
    expect(compiled.status).toBe(201);
    expect(compiled.body.edition.languages).toEqual(['en', 'zh', 'ja']);
    const ja = (await call('GET', `/admin/editions/${compiled.body.edition.number}/preview?lang=ja`)).body;
    expect(ja).toContain('ブラウザで読む');
    expect(ja).toContain('Green ICT criteria published');
  });
});
