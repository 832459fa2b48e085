import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/runtimes/cli/api-client.ts';
import { runDemo } from '../../src/runtimes/cli/commands/demo.ts';
import { startTestStack, TEST_ADMIN_TOKEN } from '../support/local-stack.ts';

describe('gazette demo: the whole loop on the embedded default', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack({ env: { GAZETTE_LOCAL_SES_MAX_RATE: '200' } });
  });
  afterAll(() => stack?.stop());

  const demo = () =>
    runDemo({
      api: new ApiClient(stack.urls.api, { kind: 'bearer', token: TEST_ADMIN_TOKEN }),
      progress: () => ({ update() {}, stop() {} }),
      config: stack.config,
      sesUrl: stack.endpoints.ses,
      subscribers: 40,
    });

  it('ingests member mail, approves, compiles, sends once to every subscriber and publishes the archive', async () => {
    const s = await demo();
    expect(s.updates).toBe(10);
    expect(s.approved).toBe(10);
    expect(s.edition).toEqual({ number: 1, recipients: 40, sent: 40, duplicates: 0, failed: 0 });
    const mails = (await stack.sentMail()).filter((m) => m.subject.includes('Gazette'));
    expect(new Set(mails.map((m) => m.destination.to[0])).size).toBe(40);
    expect(mails.every((m) => m.headers?.some((h) => h.name === 'List-Unsubscribe-Post'))).toBe(true);
    const archive = await fetch(`${stack.urls.api}/archive/editions/1/`);
    expect(archive.status).toBe(200);
    const page = await archive.text();
    expect(page).toContain('绿色采购国际论坛');
    expect(page).not.toMatch(/unsubscribe\?token=/); // no personal links in the public archive
  });

  it('re-running makes a new edition without re-adding members or subscribers', async () => {
    const s = await demo();
    expect(s.edition).toMatchObject({ number: 2, recipients: 40, sent: 40, duplicates: 0 });
    const members = (await (await stack.admin('/admin/members')).json()) as { members: unknown[] };
    expect(members.members).toHaveLength(6);
  });
});
