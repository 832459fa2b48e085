/**
 * A whole quarter through the secretariat console only, in headless Chromium against the real embedded stack:
 * sign in with the one-time URL, moderate the demo mail (edit one, merge two, reject one, approve the rest),
 * import subscribers, compile, preview both languages, test-send (the mail reaches the local SES inbox), approve,
 * send, watch it finish, read the stats, add a deadline and see its reminders. Every page is checked with
 * axe-core and for sideways scrolling at 1280 and 375 px; screenshots go to test-results/console/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSubscribers } from '../../src/runtimes/cli/demo/seed-data.ts';
import { startTestStack } from '../support/local-stack.ts';
import { buildConsole, expectAccessible, launch, screenshots, seedDemoMail } from './console-support.ts';

// biome-ignore lint/suspicious/noExplicitAny: a browser global inside a page.evaluate callback
declare const document: any;

describe('secretariat console: a whole quarter in the browser', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startTestStack({ env: { GAZETTE_LOCAL_SES_MAX_RATE: '200' } }),
      launch(),
      buildConsole(),
    ]).then(([s, b]) => [s, b] as const);
    // What arrives before the secretariat opens the console: the registry and the members' mail.
    await seedDemoMail(stack, 'console');
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs in with a one-time URL, which works once only', async () => {
    const res = await stack.admin('/admin/console/sign-in-codes', { method: 'POST', body: '{}' });
    expect(res.status).toBe(201);
    const { url } = (await res.json()) as { url: string };
    await page.goto(url);
    await expect.poll(() => page.getByRole('heading', { name: 'What needs you now' }).count()).toBe(1);
    expect(page.url()).not.toContain('code=');
    // The same link in another browser: refused.
    const other = await browser.newPage();
    await other.goto(url);
    await expect.poll(() => other.getByRole('alert').textContent()).toMatch(/already used or has expired/);
    await other.close();
    await expectAccessible(page, 'dashboard');
    await screenshots(page, 'dashboard');
  });

  it('moderates: edit one, merge two, reject one, bulk-approve the rest', async () => {
    await page.getByRole('link', { name: 'Moderation' }).click();
    const items = page.locator('.update-list li');
    await expect.poll(() => items.count()).toBe(6); // the four untrusted members' mail waits
    await items.first().locator('button.item').click();
    await expect
      .poll(() => page.getByRole('link', { name: 'Moderation' }).getAttribute('aria-current'))
      .toBe('page');
    await expectAccessible(page, 'moderation');
    await screenshots(page, 'moderation');

    // Edit one and approve it (the edit is kept as a draft until saved).
    const title = page.getByLabel('Title', { exact: true });
    await title.fill('Thai Green Label: 1,000 certified products');
    await page.reload();
    await items.first().locator('button.item').click();
    await expect
      .poll(() => page.getByLabel('Title', { exact: true }).inputValue())
      .toBe('Thai Green Label: 1,000 certified products');
    const firstId = await items.first().locator('button.item').getAttribute('id');
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Approved');
    const edited = await (await stack.admin(`/admin/updates/${firstId!.slice(2)}`)).json();
    expect(edited).toMatchObject({ status: 'approved', title: 'Thai Green Label: 1,000 certified products' });

    // Merge: tick a duplicate, open another, merge the ticked one into it.
    await page.getByLabel('Status').selectOption('pending');
    await expect.poll(() => items.count()).toBe(5);
    await items.nth(1).locator('input[type=checkbox]').check();
    await items.nth(0).locator('button.item').click();
    await page.getByRole('button', { name: /Merge selected into this one/ }).click();
    await expect.poll(() => items.count()).toBe(4);

    // Reject with a reason, from the keyboard: j to the next one, r, type, confirm.
    await items.nth(0).locator('button.item').focus();
    await page.keyboard.press('j');
    await page.keyboard.press('r');
    const reason = page.getByLabel('Reason for rejecting');
    await expect.poll(() => reason.evaluate((el) => el === document.activeElement)).toBe(true);
    // An empty reason is refused with the server schema's message at the field.
    await page.getByRole('button', { name: 'Confirm reject' }).click();
    await expect.poll(() => page.locator('.field.invalid').count()).toBe(1);
    await reason.fill('Not about green purchasing');
    await page.getByRole('button', { name: 'Confirm reject' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Rejected');

    // Bulk-approve the rest.
    const left = await items.count();
    for (let i = 0; i < left; i++) await items.nth(i).locator('input[type=checkbox]').check();
    await page.getByRole('button', { name: `Approve selected (${left})` }).click();
    await expect
      .poll(async () => {
        const r = (await (await stack.admin('/admin/updates?status=pending')).json()) as {
          updates: unknown[];
        };
        return r.updates.length;
      })
      .toBe(0);
    const counts: Record<string, number> = {};
    for (const s of ['merged', 'rejected', 'approved']) {
      const r = (await (await stack.admin(`/admin/updates?status=${s}`)).json()) as { updates: unknown[] };
      counts[s] = r.updates.length;
    }
    const count = (s: string) => counts[s];
    expect({ merged: count('merged'), rejected: count('rejected'), approved: count('approved') }).toEqual({
      merged: 1,
      rejected: 1,
      approved: 8,
    });
  }, 120_000);

  it('imports subscribers, checking every line first', async () => {
    await page.getByRole('link', { name: 'Subscribers' }).click();
    const rows = demoSubscribers(12).map((s) =>
      [s.email, s.name, s.language, s.timeZone, s.audiences.join(' '), 'yes'].join(','),
    );
    const csv = [
      'email,name,language,timeZone,audiences,consent',
      ...rows,
      'not-an-address,Bad Row,en,UTC,newsletter,yes',
    ].join('\n');
    await page.getByLabel('CSV', { exact: true }).fill(csv);
    await page.getByRole('button', { name: 'Check file' }).click();
    await expect.poll(() => page.locator('.errors li').first().textContent()).toMatch(/^Line 14: /);
    await expectAccessible(page, 'subscribers');
    await page.getByRole('button', { name: /Import \d+ rows/ }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(12);
    await screenshots(page, 'subscribers');
  });

  // Many steps, each with its own poll budget (up to 30 s): the default 30 s per test ran out on CI's 2 cores.
  it('compiles, previews both languages, test-sends, approves, sends and reads the stats', async () => {
    await page.getByRole('link', { name: 'Editions' }).click();
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('From (date)').fill(day(-92));
    await page.getByLabel('To (date)').fill(day(1));
    await page.getByRole('button', { name: 'Compile', exact: true }).click();
    await expect
      .poll(() => page.getByRole('button', { name: /Edition 1/ }).count(), { timeout: 30_000 })
      .toBe(1);
    // Every language variant, each at phone and desktop width, with the edition in it.
    const previews = page.locator('.preview');
    await expect.poll(() => previews.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const langs = await previews.evaluateAll((els) => els.map((e) => e.getAttribute('data-lang')));
    expect(langs).toEqual(expect.arrayContaining(['en', 'zh']));
    for (const lang of ['en', 'zh']) {
      for (const w of [375, 600]) {
        const frame = page.frameLocator(`.preview[data-lang=${lang}] iframe[data-width="${w}"]`);
        await expect
          .poll(() => frame.locator('body').textContent(), { timeout: 15_000 })
          .toContain('绿色采购国际论坛');
      }
    }
    await expectAccessible(page, 'editions');
    await screenshots(page, 'editions');

    await page.getByLabel('Test-send to').fill('secretariat@igpn.example.org');
    await page.getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Test sent');
    await expect
      .poll(
        async () =>
          (await stack.sentMail()).filter((m) =>
            m.destination.to.some((to) => to.includes('secretariat@igpn.example.org')),
          ).length,
      )
      .toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Approve edition' }).click();
    await page.getByRole('button', { name: 'Send now' }).click();
    await expect.poll(() => page.locator('[data-testid=sent]').textContent(), { timeout: 30_000 }).toBe('12');
    await expect.poll(() => page.locator('.stats').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.locator('.stats td').first().textContent()).toBe('12');
    // The list of editions says so too, without a reload.
    await expect
      .poll(() =>
        page
          .getByRole('button', { name: /Edition 1/ })
          .locator('.badge')
          .textContent(),
      )
      .toBe('sent');
    await expectAccessible(page, 'editions-sent');
    await screenshots(page, 'editions-sent');
  }, 180_000);

  it('adds a deadline and shows its reminders in the secretariat zone', async () => {
    await page.getByRole('link', { name: 'Deadlines and events' }).click();
    const due = new Date(Date.now() + 30 * 86_400_000);
    const local = `${due.toISOString().slice(0, 10)}T17:00`;
    await page.getByLabel('Title').fill('Big Buyers Initiative: applications close');
    await page.getByLabel('Due').fill(local);
    await page.getByLabel('Time zone').fill('Europe/Brussels');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.locator('.reminders li').count()).toBe(3);
    await expect.poll(() => page.locator('.deadlines li').count()).toBe(1);
    await expectAccessible(page, 'deadlines');
    await screenshots(page, 'deadlines');
    await page.getByRole('button', { name: 'Calendar' }).click();
    await expectAccessible(page, 'deadlines-calendar');
  });

  it('shows the member registry, in Chinese too', async () => {
    await page.getByRole('link', { name: 'Members' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(6);
    await expectAccessible(page, 'members');
    await screenshots(page, 'members');
    await page.getByLabel('Interface language').selectOption('zh');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('会员名录');
    await expectAccessible(page, 'members-zh');
    await screenshots(page, 'members-zh');
    await page.getByLabel('界面语言').selectOption('en');
  });
});
