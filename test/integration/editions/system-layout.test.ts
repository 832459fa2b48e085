/**
 * The system-mail layout from the template store (issue 15): a saved templates/system/layout.mjml is what
 * confirmation mails (and every other system mail) are built in, within a minute of the save; a layout that
 * would lose the mail's text, footer or postal address is refused; a rollback brings the built-in one back.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_LAYOUT_TTL_MS } from '../../../src/use-cases/shared/system-layout-source.ts';
import type { SentMail } from '../../support/local-stack.ts';
import { startTestStack } from '../../support/local-stack.ts';
import { SettableClock } from '../reminders/wiring.ts';

const LAYOUT = readFileSync(new URL('../../../templates/system/layout.mjml', import.meta.url), 'utf8');
const MARK = 'Winter notice from the secretariat';

describe('system mails in the layout saved in the template store', () => {
  const clock = new SettableClock(new Date('2026-12-04T08:00:00Z'));
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack({ clock });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const version = async () => (await stack.call<{ version: number }>('GET', '/admin/templates')).body.version;
  /** Signs `email` up and answers the confirmation mail it got. */
  const confirmationFor = async (email: string): Promise<SentMail> => {
    const res = await fetch(`${stack.urls.api}/v1/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, name: 'Reader', language: 'en', audiences: ['newsletter'] }),
    });
    expect(res.status).toBe(202);
    let mail: SentMail | undefined;
    await expect
      .poll(async () => {
        mail = (await stack.sentMail()).find((m) => m.destination.to.includes(email));
        return Boolean(mail);
      })
      .toBe(true);
    return mail as SentMail;
  };

  it('refuses a layout without the slots system mails fill, naming the file, and saves nothing', async () => {
    const broken = LAYOUT.replace('{{postal_address}}', '');
    const res = await stack.call<{ details: { problems: { file: string; message: string }[] } }>(
      'PUT',
      '/admin/templates',
      { files: { 'system/layout.mjml': broken }, baseVersion: await version() },
    );
    expect(res.status).toBe(422);
    expect(res.body.details.problems).toEqual([
      expect.objectContaining({
        file: 'system/layout.mjml',
        message: expect.stringContaining('{{postal_address}}'),
      }),
    ]);
    expect(await version()).toBe(0);
  });

  it('builds the confirmation mail in a saved layout, and in the built-in one again after a rollback', async () => {
    const before = await confirmationFor('before@readers.example');
    expect(before.body.html).not.toContain(MARK);
    expect(before.body.html).toContain('/v1/confirm?token=');

    const custom = LAYOUT.replace('{{newsletter_name}}</mj-text>', `{{newsletter_name}} · ${MARK}</mj-text>`);
    expect(custom).not.toBe(LAYOUT);
    const saved = await stack.call<{ saved: { version: number; customSystemLayout: boolean } }>(
      'PUT',
      '/admin/templates',
      { files: { 'system/layout.mjml': custom }, baseVersion: await version() },
    );
    expect(saved.status).toBe(201);
    expect(saved.body.saved.customSystemLayout).toBe(true);

    // Each process reads the store at most once a minute.
    clock.set(new Date(clock.now().getTime() + SYSTEM_LAYOUT_TTL_MS + 1_000));
    const after = await confirmationFor('after@readers.example');
    expect(after.body.html).toContain(MARK);
    // Still the mail it was: its text, its button, its footer and the postal address.
    expect(after.body.html).toContain('/v1/confirm?token=');
    expect(after.body.html).toContain(before.body.html?.match(/<title>([^<]*)<\/title>/)?.[1] ?? '<title>');

    const back = await stack.call('POST', '/admin/templates/rollback', {
      version: 0,
      baseVersion: saved.body.saved.version,
    });
    expect(back.status).toBe(201);
    clock.set(new Date(clock.now().getTime() + SYSTEM_LAYOUT_TTL_MS + 1_000));
    const again = await confirmationFor('again@readers.example');
    expect(again.body.html).not.toContain(MARK);
  });
});
