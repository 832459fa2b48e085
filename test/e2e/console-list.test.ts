/**
 * A long moderation queue in headless Chromium: the list renders its first rows at once and grows as it is
 * scrolled, with "Show more" and j/k for the keyboard, so a queue of 1,000 stays quick (the bench's
 * moderation_render_ms_1000 / moderation_filter_ms_1000 time it); filtering searches all of it. Also the one
 * page console.test.ts cannot reach signed in: sign-in, checked with axe-core and at phone width.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleUpdates } from '../../bench/editions.ts';
import { DynamoUpdateRepo } from '../../src/adapters/dynamodb/update-repo.ts';
import { Update } from '../../src/domain/index.ts';
import { startTestStack } from '../support/local-stack.ts';
import { buildConsole, expectAccessible, launch, screenshots, signedInPage } from './console-support.ts';

// biome-ignore lint/suspicious/noExplicitAny: a browser global inside a page.evaluate callback
declare const document: any;

const N = 130;

describe('secretariat console: a long moderation queue', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack(), launch(), buildConsole()]).then(
      ([s, b]) => [s, b] as const,
    );
    const repo = new DynamoUpdateRepo(stack.infra.table);
    for (const u of sampleUpdates(N)) await repo.create(Update.parse({ ...u, status: 'pending' }));
    page = await signedInPage(browser, stack);
    await page.getByRole('link', { name: 'Moderation' }).click();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const rows = () => page.locator('.update-list li:not(.more)');
  /** How many rows the list shows at first (and adds per step): read from the page. */
  let PAGE = 0;

  it('renders the first rows of the queue, and more as it is scrolled or "Show more" is pressed', async () => {
    await expect.poll(() => page.locator('.queue .count').textContent()).toBe(`${N} updates`);
    PAGE = await rows().count();
    expect(PAGE).toBeGreaterThanOrEqual(20); // a few screens of it
    expect(PAGE).toBeLessThan(N / 2);
    await expectAccessible(page, 'moderation-long');

    // The keyboard: "Show more" adds the next rows and moves the focus to the first one added (while it has
    // the focus, scrolling it into view adds none by itself: that could remove it under the keyboard).
    const more = page.getByRole('button', { name: `Show ${PAGE} more` });
    await more.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => rows().count()).toBe(2 * PAGE);
    const focusedRow = () =>
      page.evaluate(() => {
        const ids = [...document.querySelectorAll('.update-list button.item')].map((b) => b.id);
        return ids.indexOf(document.activeElement?.id);
      });
    await expect.poll(focusedRow).toBeGreaterThanOrEqual(PAGE);

    // Scrolling the list to its end adds the rest.
    await page.locator('.update-list').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect.poll(() => rows().count()).toBe(N);
    expect(await page.locator('.update-list li.more').count()).toBe(0);
  });

  it('the sign-in page, without a session, passes axe and fits a phone', async () => {
    const fresh = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await fresh.goto(`${stack.urls.api}/console/`);
    await fresh.getByText('npx gazette console', { exact: false }).waitFor();
    await expectAccessible(fresh, 'sign-in');
    await screenshots(fresh, 'sign-in');
    await fresh.close();
  });

  it('filters the whole queue, not only the rows shown, and j walks past the first rows', async () => {
    // The last update is far past the first rows; a search finds it.
    const last = `${N - 2}`; // an even one: its title is "Green procurement case study <i>"
    await page.getByLabel('Search').fill(`case study ${last}`);
    await expect.poll(() => page.locator('.queue .count').textContent()).toBe('1 updates');
    await page.getByLabel('Search').fill('');
    await expect.poll(() => rows().count()).toBe(PAGE);

    // j from the last row shown: the next one is rendered, selected and focused.
    const lastShown = rows()
      .nth(PAGE - 1)
      .locator('button.item');
    await lastShown.click();
    await page.keyboard.press('j');
    await expect.poll(() => rows().count()).toBeGreaterThan(PAGE);
    const focused = await page.evaluate(() => document.activeElement?.id);
    expect(focused).toBe(await rows().nth(PAGE).locator('button.item').getAttribute('id'));
    expect(await rows().nth(PAGE).getAttribute('class')).toBe('current');
  });
});
