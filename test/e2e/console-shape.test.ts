/**
 * The Editions page beyond compile-and-send, in headless Chromium against the real embedded stack: shape a
 * draft (move an item to another section and up, feature one, set the title, period and foreword) with the
 * keyboard, recompile, read the new order and the foreword in the preview, and go back to the computed
 * shape; then, after the send, the stats chart (with SES open and click events fed in) and clicks per link.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Edition } from '../../src/domain/campaign.ts';
import { demoSubscribers } from '../../src/runtimes/cli/demo/seed-data.ts';
import { startTestStack } from '../support/local-stack.ts';
import {
  approveAllWaiting,
  buildConsole,
  expectAccessible,
  launch,
  screenshots,
  seedDemoMail,
  signedInPage,
} from './console-support.ts';

// biome-ignore lint/suspicious/noExplicitAny: a browser global inside a page.evaluate callback
declare const document: any;

describe('secretariat console: shaping an edition and reading its stats', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let browser: Browser;
  let page: Page;
  const edition = async (): Promise<Edition> =>
    ((await (await stack.admin('/admin/editions/1')).json()) as { edition: Edition }).edition;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startTestStack({ env: { GAZETTE_LOCAL_SES_MAX_RATE: '200' } }),
      launch(),
      buildConsole(),
    ]).then(([s, b]) => [s, b] as const);
    await seedDemoMail(stack, 'shape');
    // Moderation is console.test.ts's subject: here everything waiting is approved over the API.
    await approveAllWaiting(stack);
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    const compiled = await stack.admin('/admin/editions/compile', {
      method: 'POST',
      body: JSON.stringify({ from: day(-92), to: day(1), wait: true }),
    });
    expect(compiled.status).toBe(201);
    const csv = [
      'email,name,language,timeZone,audiences,consent',
      ...demoSubscribers(3).map((s) =>
        [s.email, s.name, s.language, s.timeZone, s.audiences.join(' '), 'yes'].join(','),
      ),
    ].join('\n');
    const imported = await stack.admin('/admin/subscribers/import', {
      method: 'POST',
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBe(200);

    page = await signedInPage(browser, stack);
    await page.getByRole('heading', { name: 'What needs you now' }).waitFor();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('moves an item to another section and up, features one, sets the foreword, previews the result, and goes back', async () => {
    const before = await edition();
    // An item to move into "Member news" (which has items), and another one to feature.
    const news = before.items.filter((i) => i.section === 'news');
    const moved = before.items.find((i) => i.section !== 'news');
    const star = news[0];
    expect(news.length).toBeGreaterThanOrEqual(2);
    expect(moved).toBeDefined();
    if (!moved || !star) return;
    const lastNews = news.at(-1)!;

    await page.getByRole('link', { name: 'Editions' }).click();
    const editor = page.locator('form.shape');
    await expect.poll(() => editor.count(), { timeout: 15_000 }).toBe(1);
    await expectAccessible(page, 'editions-shape');

    // Into "Member news" (appended at its end), then one place up with the keyboard only.
    await editor.getByLabel(`Section: ${moved.title}`).selectOption('news');
    const up = editor.getByRole('button', { name: `Move up: ${moved.title}` });
    await up.focus();
    await page.keyboard.press('Enter');
    const newsGroup = editor.locator('[data-group=news] li');
    await expect
      .poll(() => newsGroup.evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))))
      .toEqual([...news.slice(0, -1).map((i) => i.updateId), moved.updateId, lastNews.updateId]);
    // Focus stayed on the item that moved, so pressing again keeps moving it.
    expect(await up.evaluate((el) => el === document.activeElement), 'focus stays on the moved item').toBe(
      true,
    );

    await editor.getByLabel(`Section: ${star.title}`).selectOption('__featured');
    await expect.poll(() => editor.locator('[data-group=__featured] li').count()).toBe(1);
    await editor.getByLabel('Edition title').fill('IGPN Gazette: the spring issue');
    await editor.getByLabel('Year').fill('2027');
    await editor.getByLabel('Quarter').selectOption('1');
    const foreword = 'A word from the secretariat: the forum in Beijing is the highlight of this quarter.';
    await editor.getByLabel('Foreword').fill(foreword);

    // A bad value is refused with the server schema's message at the field, before anything is saved.
    await editor.getByLabel('Year').fill('1999');
    await editor.getByRole('button', { name: 'Save and recompile' }).click();
    await expect.poll(() => editor.locator('.field.invalid').count()).toBe(1);
    await editor.getByLabel('Year').fill('2027');

    // Unsaved, the shape survives a reload.
    await page.reload();
    await expect.poll(() => page.locator('form.shape').getByLabel('Foreword').inputValue()).toBe(foreword);
    await expect
      .poll(() => newsGroup.evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))))
      .toContain(moved.updateId);

    const revision = before.revision;
    await page.getByRole('button', { name: 'Save and recompile' }).click();
    await expect.poll(async () => (await edition()).revision, { timeout: 30_000 }).not.toBe(revision);

    const shape = (await (await stack.admin('/admin/editions/1/shape')).json()) as { shape: unknown };
    expect(shape.shape).toMatchObject({
      title: 'IGPN Gazette: the spring issue',
      period: { year: 2027, quarter: 1 },
      foreword,
      featured: [star.updateId],
      assign: { [moved.updateId]: 'news' },
    });
    // The editor starts again from what the server kept.
    await expect
      .poll(() => page.locator('form.shape [data-group=__featured] li').getAttribute('data-id'))
      .toBe(star.updateId);
    expect(await page.locator('form.shape').getByLabel('Foreword').inputValue()).toBe(foreword);
    const after = await edition();
    expect(after.number).toBe(1);
    expect(after.title).toBe('IGPN Gazette: the spring issue');

    // The previews show the recompiled draft: foreword on top, the featured item first, the moved item in
    // "Member news" just before the one that was last there.
    const frame = page.frameLocator('.preview[data-lang=en] iframe[data-width="600"]');
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 20_000 }).toContain(foreword);
    const text = (await frame.locator('body').textContent()) ?? '';
    const at = (s: string) => {
      const i = text.indexOf(s);
      expect(i, `"${s}" in the preview`).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(at(foreword)).toBeLessThan(at('Featured'));
    expect(at('Featured')).toBeLessThan(at(star.title));
    expect(at(star.title)).toBeLessThan(at('Member news'));
    expect(at('Member news')).toBeLessThan(at(moved.title));
    expect(at(moved.title)).toBeLessThan(at(lastNews.title));
    const zh = page.frameLocator('.preview[data-lang=zh] iframe[data-width="375"]');
    await expect.poll(() => zh.locator('body').textContent(), { timeout: 20_000 }).toContain(foreword);

    await expectAccessible(page, 'editions-shaped');
    await screenshots(page, 'editions-shape');

    // And back: the computed shape again, recompiled (the foreword leaves the preview).
    const shaped = (await edition()).revision;
    await page.getByRole('button', { name: 'Back to the computed shape' }).click();
    await expect.poll(async () => (await edition()).revision, { timeout: 30_000 }).not.toBe(shaped);
    expect(
      ((await (await stack.admin('/admin/editions/1/shape')).json()) as { shape: unknown }).shape,
    ).toEqual({});
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 20_000 }).not.toContain(foreword);
    await expect.poll(() => page.locator('form.shape').getByLabel('Foreword').inputValue()).toBe('');
    expect(await page.locator('form.shape [data-group=__featured]').count()).toBe(0);
  }, 180_000);

  it('after the send, charts the counters and lists clicks per link', async () => {
    // From the keyboard, as an approver without a mouse would.
    await page.getByRole('button', { name: 'Approve edition' }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(
        async () => [
          (await edition()).status,
          ...(await page.locator('.form-error, .banner').allTextContents()),
        ],
        {
          timeout: 30_000,
        },
      )
      .toEqual(['approved']);
    await page.getByRole('button', { name: 'Send now' }).click();
    await expect.poll(() => page.locator('[data-testid=sent]').textContent(), { timeout: 30_000 }).toBe('3');
    await expect.poll(async () => (await edition()).status, { timeout: 30_000 }).toBe('sent');

    // What SES reports afterwards: every mail delivered, two opened, one link clicked.
    const subjects = (await edition()).variants.map((v) => v.subject);
    const sent = (await stack.sentMail()).filter((m) => subjects.includes(m.subject));
    expect(sent).toHaveLength(3);
    const event = (type: string, m: (typeof sent)[number], extra: Record<string, unknown> = {}) => ({
      eventType: type,
      mail: {
        timestamp: new Date().toISOString(),
        messageId: m.messageId,
        destination: m.destination.to,
        tags: { campaign: ['edition_1'] },
      },
      ...extra,
    });
    const post = async (body: unknown) =>
      expect(
        (await stack.admin('/admin/ses-events', { method: 'POST', body: JSON.stringify(body) })).status,
      ).toBe(200);
    for (const m of sent) await post(event('Delivery', m, { delivery: { recipients: m.destination.to } }));
    for (const m of sent.slice(0, 2)) await post(event('Open', m, { open: { ipAddress: '192.0.2.1' } }));
    await post(
      event('Click', sent[0]!, { click: { link: 'https://igpn.example/forum', ipAddress: '192.0.2.1' } }),
    );

    // Clicks per link: the forum's click comes from the stats answer itself; a link nobody clicked (which the
    // server never lists) is added here to see the table's order.
    await page.route('**/admin/editions/1/stats', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { stats: { links?: Record<string, number> } };
      body.stats.links = { ...body.stats.links, 'https://igpn.example/awards': 0 };
      await route.fulfill({ response: res, json: body });
    });
    await page.reload();
    const stats = page.locator('section.stats');
    await expect.poll(() => stats.count(), { timeout: 30_000 }).toBe(1);
    const value = (k: string) => stats.locator(`td[data-stat="${k}"]`).textContent();
    await expect.poll(() => value('Delivered')).toBe('3');
    expect(await value('Opened')).toBe('2');
    expect(await value('Clicked')).toBe('1');
    // The chart: one bar per counter, as long as its share of the largest.
    const bars = await stats
      .locator('svg rect')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-stat'), Number(e.getAttribute('width'))]));
    const width = Object.fromEntries(bars) as Record<string, number>;
    expect(width.Delivered).toBeGreaterThan(0);
    expect(width.Opened).toBeCloseTo((width.Delivered! * 2) / 3, 1);
    expect(width.Clicked).toBeCloseTo(width.Delivered! / 3, 1);
    expect(width.Bounced).toBe(0);
    expect(await stats.locator('svg').getAttribute('aria-label')).toContain('Opened 2 (67%)');
    const rows = await stats
      .locator('table.links-table tbody tr')
      .evaluateAll((els) => els.map((e) => e.textContent));
    expect(rows).toEqual(['https://igpn.example/forum1', 'https://igpn.example/awards0']);
    // A sent edition lists its items under the headings readers saw.
    expect(await page.locator('.items h3').allTextContents()).toEqual(
      expect.arrayContaining(['Events ahead', 'Member news']),
    );
    await expectAccessible(page, 'editions-stats');
    await screenshots(page, 'editions-stats');
    await page.unroute('**/admin/editions/1/stats');
  }, 120_000);
});
