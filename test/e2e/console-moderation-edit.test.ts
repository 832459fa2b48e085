/**
 * Every field of an update from the moderation page (issue 15 "Editing in moderation is complete"), without
 * approving it: the event's time, zone and place, the deadline, links, which attachments are published with
 * their alt text, the member shown, and a translation; kept with a new version, still pending.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoMemberRepo } from '../../src/adapters/dynamodb/member-repo.ts';
import { DynamoUpdateRepo } from '../../src/adapters/dynamodb/update-repo.ts';
import { Update } from '../../src/domain/index.ts';
import { aMember } from '../integration/reminders/wiring.ts';
import { startTestStack } from '../support/local-stack.ts';
import { buildConsole, expectAccessible, launch, screenshots, signedInPage } from './console-support.ts';

describe('secretariat console: correcting every field of an update', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let browser: Browser;
  let page: Page;
  const updates = () => new DynamoUpdateRepo(stack.infra.table);

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack(), launch(), buildConsole()]).then(
      ([s, b]) => [s, b] as const,
    );
    const members = new DynamoMemberRepo(stack.infra.table);
    await members.create(aMember('m_bme', { organisation: 'BME Germany', country: 'Germany' }));
    await members.create(aMember('m_ecoinst', { organisation: 'Ecoinstitut Barcelona', country: 'Germany' }));
    await updates().create(
      Update.parse({
        updateId: 'u_webinar',
        messageId: 'msg-webinar',
        memberId: 'm_bme',
        organisation: 'BME Germany',
        sender: 'press@m-bme.example',
        receivedAt: '2026-12-01T08:00:00.000Z',
        status: 'pending',
        title: 'Webinar on circular procurement',
        summary: 'Agenda:\n- welcome\n- case studies',
        bodyHtml: '<p>Webinar</p>',
        bodyText: 'Webinar',
        kind: 'event',
        section: 'events',
        language: 'en',
        links: [{ url: 'https://bme.example/webinar', label: 'Register' }],
        attachments: [
          {
            key: 'attachments/msg-webinar/poster.png',
            filename: 'poster.png',
            contentType: 'image/png',
            size: 2048,
            publishable: true,
          },
          {
            key: 'attachments/msg-webinar/agenda.pdf',
            filename: 'agenda.pdf',
            contentType: 'application/pdf',
            size: 4096,
            publishable: true,
          },
        ],
        // 10:00 in Berlin (CET, +01:00).
        event: { start: '2027-01-20T09:00:00.000Z', timeZone: 'Europe/Berlin', location: 'Online' },
        rawKey: 'raw/msg-webinar.eml',
      }),
    );
    page = await signedInPage(browser, stack);
    await page.getByRole('link', { name: 'Moderation' }).click();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows the event on its own wall clock and saves every corrected field without approving', async () => {
    await page.locator('.update-list li button.item').first().click();
    await page.getByText('Event, deadline, links, attachments, member, translations').click();
    // Shown as the member wrote it: 10:00 in Berlin, whatever the browser's zone.
    expect(await page.getByLabel('Starts').inputValue()).toBe('2027-01-20T10:00');
    await page.getByLabel('Starts').fill('2027-01-20T11:30');
    await page.getByLabel('Place').fill('Messe Berlin, Hall 7');
    await page
      .getByLabel('Links')
      .fill('https://bme.example/webinar Register now\nhttps://bme.example/slides Slides');
    await page.getByLabel('Publish agenda.pdf').uncheck();
    await page.getByLabel('Alt text for poster.png').fill('Poster: a circular arrow over a city');
    await page.getByLabel('Member shown').selectOption({ label: 'Ecoinstitut Barcelona' });
    await page.getByLabel('Title (zh)').fill('循环采购网络研讨会');
    await page.getByLabel('Summary (zh)').fill('议程：欢迎；案例研究');
    await expectAccessible(page, 'moderation-more');
    await screenshots(page, 'moderation-more');
    await page.getByRole('button', { name: 'Save edits' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Saved');

    const u = await updates().get('u_webinar');
    expect(u?.status).toBe('pending');
    expect(u?.event).toMatchObject({
      start: '2027-01-20T10:30:00.000Z',
      timeZone: 'Europe/Berlin',
      location: 'Messe Berlin, Hall 7',
    });
    expect(u?.links).toEqual([
      { url: 'https://bme.example/webinar', label: 'Register now' },
      { url: 'https://bme.example/slides', label: 'Slides' },
    ]);
    expect(u?.attachments.map((a) => [a.filename, a.alt])).toEqual([
      ['poster.png', 'Poster: a circular arrow over a city'],
    ]);
    expect(u?.droppedAttachments?.map((a) => a.filename)).toEqual(['agenda.pdf']);
    expect(u?.memberId).toBe('m_ecoinst');
    expect(u?.translations?.zh).toEqual({ title: '循环采购网络研讨会', summary: '议程：欢迎；案例研究' });
    expect(u?.audit.at(-1)?.action).toBe('edited');
  }, 90_000);

  it('shows a refused value at its field and changes nothing', async () => {
    const before = await updates().get('u_webinar');
    await page.getByLabel('Links').fill('not-a-url');
    await page.getByRole('button', { name: 'Save edits' }).click();
    await expect.poll(() => page.locator('.field.invalid').count()).toBeGreaterThan(0);
    expect((await updates().get('u_webinar'))?.links).toEqual(before?.links);
  }, 60_000);
});
