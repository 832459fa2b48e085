/**
 * An approved edition's audience and send time through the console, in headless Chromium against the real
 * embedded stack: pick a saved segment and read its dry-run count and sample, schedule the send at a wall
 * time in a chosen zone, move it, cancel it, see a past time and a skipped DST hour refused at the field,
 * see an empty segment refused (Send stays off), then send now to the segment and watch it finish, with mail
 * in the local SES store for the segment's readers only.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Edition } from '../../src/domain/campaign.ts';
import { REPUTATION_GUARD_PAUSER, type SendStatus } from '../../src/domain/sending.ts';
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

describe('secretariat console: audience and scheduled send of an edition', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let browser: Browser;
  let page: Page;
  const readers = demoSubscribers(6);
  // The segment: the English readers (reader004–006); the other three must get nothing.
  const english = readers.filter((r) => r.language === 'en').map((r) => r.email);
  const edition = async (): Promise<Edition> =>
    ((await (await stack.admin('/admin/editions/1')).json()) as { edition: Edition }).edition;
  const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startTestStack({ env: { GAZETTE_LOCAL_SES_MAX_RATE: '200' } }),
      launch(),
      buildConsole(),
    ]).then(([s, b]) => [s, b] as const);
    await seedDemoMail(stack, 'schedule');
    // Moderation, compile and approval are the other console tests' subject: done over the API here.
    await approveAllWaiting(stack);
    const compiled = await stack.admin('/admin/editions/compile', {
      method: 'POST',
      body: JSON.stringify({ from: day(-92), to: day(1), wait: true }),
    });
    expect(compiled.status).toBe(201);
    const csv = [
      'email,name,language,timeZone,audiences,consent',
      ...readers.map((s) =>
        [s.email, s.name, s.language, s.timeZone, s.audiences.join(' '), 'yes'].join(','),
      ),
    ].join('\n');
    const imported = await stack.admin('/admin/subscribers/import', {
      method: 'POST',
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBe(200);
    const approved = await stack.admin('/admin/editions/1/approve', {
      method: 'POST',
      body: JSON.stringify({ revision: (await edition()).revision }),
    });
    expect(approved.status).toBe(200);
    // Saved segments, made over the API (the Audiences page is console-audiences.test.ts's subject).
    for (const seg of [
      { segmentId: 'english-readers', name: 'English readers', filter: { languages: ['en'] } },
      { segmentId: 'nobody', name: 'Nobody', filter: { countries: ['Atlantis'] } },
    ])
      expect(
        (await stack.admin('/admin/segments', { method: 'POST', body: JSON.stringify(seg) })).status,
      ).toBe(201);

    page = await signedInPage(browser, stack);
    await page.getByRole('heading', { name: 'What needs you now' }).waitFor();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const count = () => page.getByTestId('audience-count').textContent();
  const sendNow = () => page.getByRole('button', { name: 'Send now' });

  it('picks a saved segment, shows its count and sample, and saves the choice', async () => {
    await page.getByRole('link', { name: 'Editions' }).click();
    await expect.poll(count, { timeout: 15_000 }).toContain('6 readers will receive it');
    await page.getByLabel('Audience', { exact: true }).selectOption('english-readers');
    await expect.poll(count).toContain('3 readers will receive it');
    const sample = page.locator('.send-panel .sample li');
    await expect.poll(() => sample.count()).toBe(3);
    expect((await sample.allTextContents()).map((s) => s.split(' ')[0]).sort()).toEqual(english);
    await expect.poll(async () => (await edition()).target?.segmentId).toBe('english-readers');
    // Enabled once the page has the saved choice back (a render after the server answered): waited for.
    await expect.poll(() => sendNow().isEnabled()).toBe(true);
    await expectAccessible(page, 'editions-audience');
    await screenshots(page, 'editions-audience');
  });

  it('schedules the send in a chosen zone, moves it and cancels it; a past time and a skipped hour are refused at the field', async () => {
    const panel = page.locator('.send-panel');
    // The default zone is named, not only "the edition's".
    await expect
      .poll(() => panel.getByLabel('Time zone').locator('option').first().textContent())
      .toBe("The edition's zone (Asia/Shanghai)");
    const date = panel.getByLabel('Send on (date)');
    // In the past: the server's message at the date field, nothing scheduled.
    await date.fill(day(-1));
    await panel.getByLabel('At (time)').fill('09:00');
    await panel.getByLabel('Time zone').selectOption('Europe/Brussels');
    await panel.getByRole('button', { name: 'Schedule send' }).click();
    await expect.poll(() => panel.locator('.field.invalid .error').textContent()).toMatch(/future|past/i);
    // 02:30 on the night Brussels's clocks go forward (last Sunday of March 2027) does not exist.
    await date.fill('2027-03-28');
    await panel.getByLabel('At (time)').fill('02:30');
    await panel.getByRole('button', { name: 'Schedule send' }).click();
    await expect
      .poll(() => panel.locator('.field.invalid .error').textContent())
      .toContain('does not exist in Europe/Brussels');
    expect((await edition()).schedule).toBeUndefined();

    await date.fill(day(3));
    await panel.getByLabel('At (time)').fill('09:00');
    await panel.getByRole('button', { name: 'Schedule send' }).click();
    const scheduled = page.getByTestId('scheduled');
    await expect.poll(() => scheduled.textContent()).toBe(`Scheduled for ${day(3)} 09:00 (Europe/Brussels)`);
    // Listed with the edition too (the tabs come from GET /admin/editions).
    await expect
      .poll(() => page.locator('.tabs .tab-schedule').textContent())
      .toContain(`Scheduled for ${day(3)} 09:00 (Europe/Brussels)`);
    expect((await edition()).schedule).toMatchObject({
      localTime: `${day(3)}T09:00`,
      timeZone: 'Europe/Brussels',
    });
    await expectAccessible(page, 'editions-scheduled');
    await screenshots(page, 'editions-scheduled');

    // Move: the form comes back filled with the current time; another day and zone.
    await panel.getByRole('button', { name: 'Move', exact: true }).click();
    expect(await date.inputValue()).toBe(day(3));
    await date.fill(day(4));
    await panel.getByLabel('At (time)').fill('10:30');
    await panel.getByLabel('Time zone').selectOption('Asia/Shanghai');
    await panel.getByRole('button', { name: 'Move the send' }).click();
    await expect.poll(() => scheduled.textContent()).toBe(`Scheduled for ${day(4)} 10:30 (Asia/Shanghai)`);
    expect((await edition()).schedule).toMatchObject({
      localTime: `${day(4)}T10:30`,
      timeZone: 'Asia/Shanghai',
    });

    await panel.getByRole('button', { name: 'Cancel schedule' }).click();
    await expect.poll(() => scheduled.count()).toBe(0);
    await expect.poll(() => page.locator('.tabs .tab-schedule').count()).toBe(0);
    await expect.poll(async () => (await edition()).schedule).toBeUndefined();
  });

  it("schedules the send at a time on each reader's own clock, keeps that when moved, and cancels it", async () => {
    const panel = page.locator('.send-panel');
    await panel.getByLabel('Send on (date)').fill(day(3));
    await panel.getByLabel('At (time)').fill('09:00');
    await panel.getByLabel("At this time on each reader's own clock").check();
    await panel.getByRole('button', { name: 'Schedule send' }).click();
    const scheduled = page.getByTestId('scheduled');
    await expect.poll(() => scheduled.textContent()).toContain("each reader's own time");
    expect((await edition()).schedule).toMatchObject({ localTime: `${day(3)}T09:00`, perReader: true });

    await panel.getByRole('button', { name: 'Move', exact: true }).click();
    expect(await panel.getByLabel("At this time on each reader's own clock").isChecked()).toBe(true);
    await panel.getByLabel('At (time)').fill('08:00');
    await panel.getByRole('button', { name: 'Move the send' }).click();
    await expect.poll(async () => (await edition()).schedule?.localTime).toBe(`${day(3)}T08:00`);
    expect((await edition()).schedule?.perReader).toBe(true);

    await panel.getByRole('button', { name: 'Cancel schedule' }).click();
    await expect.poll(async () => (await edition()).schedule).toBeUndefined();
  });

  it('refuses an empty segment with the server message, and Send stays off', async () => {
    await page.getByLabel('Audience', { exact: true }).selectOption('nobody');
    await expect
      .poll(() => page.locator('.send-panel .field.invalid .error').first().textContent())
      .toMatch(/no confirmed, unsuppressed subscribers/);
    await expect.poll(count).toContain('0 readers will receive it');
    expect(await sendNow().isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Schedule send' }).isDisabled()).toBe(true);
    // Nothing was saved: the edition still targets the English readers.
    expect((await edition()).target?.segmentId).toBe('english-readers');
    await expectAccessible(page, 'editions-audience-empty');
  });

  it('sends now to the segment and watches it finish; only its readers get the mail', async () => {
    await page.getByLabel('Audience', { exact: true }).selectOption('english-readers');
    await expect.poll(count).toContain('3 readers will receive it');
    await expect.poll(() => sendNow().isEnabled()).toBe(true);
    await sendNow().click();
    await expect.poll(() => page.locator('[data-testid=sent]').textContent(), { timeout: 30_000 }).toBe('3');
    await expect.poll(() => page.locator('.stats').count(), { timeout: 30_000 }).toBe(1);
    const subjects = (await edition()).variants.map((v) => v.subject);
    const to = (await stack.sentMail())
      .filter((m) => subjects.includes(m.subject))
      .flatMap((m) => m.destination.to)
      .map((a) => a.replace(/^.*</, '').replace(/>$/, ''))
      .sort();
    expect(to).toEqual(english);
  });

  it("shows the reputation guard's reason beside Resume when it paused the send", async () => {
    // The guard's pause itself is test/fault/reputation-guard.test.ts's subject (it needs SES bounce events
    // mid-send); here the console is shown the job such a pause leaves, the finished job's answer with the
    // guard's record, to check that the page says why before anyone resumes.
    const real = (await (await stack.admin('/admin/sends/edition%231')).json()) as SendStatus;
    const reason =
      'paused by the reputation guard: 30 hard bounces among 100 SES outcomes: more than 5% of 500; check the list, then resume';
    const paused: SendStatus = {
      ...real,
      status: 'paused',
      job: {
        ...real.job,
        status: 'paused',
        pausedAt: new Date().toISOString(),
        pausedBy: REPUTATION_GUARD_PAUSER,
        reputation: {
          reason,
          pausedAt: new Date().toISOString(),
          counts: { outcomes: 100, hardBounces: 30, complaints: 0 },
        },
      },
    };
    const job = (url: URL) => url.pathname.endsWith('/admin/sends/edition%231');
    await page.route(job, (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(paused) }),
    );
    await page.reload();
    const progress = page.locator('.progress');
    await expect
      .poll(() => progress.getByRole('button', { name: 'Resume' }).count(), { timeout: 15_000 })
      .toBe(1);
    await expect
      .poll(() => progress.getByRole('alert').textContent())
      .toBe(`Paused by the reputation guard: ${reason}`);
    await expectAccessible(page, 'editions-reputation-pause');
    await page.unroute(job);
  });
});
