/**
 * Saved audiences from the console (issue 14's segments, for a secretariat that does not use the CLI): build
 * one from check boxes, count it before saving, target a deadline at it, and be stopped from deleting it
 * while that deadline still needs it.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoMemberRepo } from '../../src/adapters/dynamodb/member-repo.ts';
import { DynamoSubscriberRepo } from '../../src/adapters/dynamodb/subscriber-repo.ts';
import { aMember, confirmedSubscriber } from '../integration/reminders/wiring.ts';
import { startTestStack } from '../support/local-stack.ts';
import { buildConsole, expectAccessible, launch, screenshots, signedInPage } from './console-support.ts';

describe('secretariat console: saved audiences', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack(), launch(), buildConsole()]).then(
      ([s, b]) => [s, b] as const,
    );
    const members = new DynamoMemberRepo(stack.infra.table);
    await members.create(aMember('m_cec', { type: 'council' }));
    await members.create(aMember('m_jgpn', { type: 'network' }));
    const subscribers = new DynamoSubscriberRepo(stack.infra.table);
    for (const s of [
      confirmedSubscriber('li@cec.example', {
        memberId: 'm_cec',
        memberRole: 'main-contact',
        language: 'zh',
      }),
      confirmedSubscriber('comms@cec.example', { memberId: 'm_cec', memberRole: 'communications' }),
      confirmedSubscriber('tanaka@jgpn.example', { memberId: 'm_jgpn', language: 'ja' }),
      confirmedSubscriber('reader@readers.example'),
    ])
      await subscribers.create(s);
    page = await signedInPage(browser, stack);
    await page.getByRole('link', { name: 'Audiences' }).click();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('builds an audience from check boxes, counts it before saving, and saves it', async () => {
    await expect.poll(() => page.getByText('No saved audiences yet.').count()).toBe(1);
    await page.getByLabel('Name', { exact: true }).fill('Council contacts');
    expect(await page.getByLabel('Short id').inputValue()).toBe('council-contacts');
    const lists = page.getByRole('group', { name: 'Lists (any of)' });
    await lists.getByLabel('reminders').check();
    await page
      .getByRole('group', { name: 'Contacts of members of type (any of)' })
      .getByLabel('council')
      .check();
    await page.getByRole('button', { name: 'Count readers' }).click();
    await expect.poll(() => page.getByTestId('audience-count').textContent()).toBe('2 confirmed readers');
    const sample = await page.locator('.sample li').allTextContents();
    expect(sample.sort()).toEqual(['comms@cec.example · communications', 'li@cec.example · main-contact']);
    await expectAccessible(page, 'audiences');
    await screenshots(page, 'audiences');

    await page.getByRole('button', { name: 'Save audience' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Saved “Council contacts”.');
    const row = page.locator('tbody tr', { hasText: 'Council contacts' });
    await expect.poll(() => row.textContent()).toContain('reminders · council');
    const saved = (await (await stack.admin('/admin/segments/council-contacts')).json()) as {
      filter: unknown;
    };
    expect(saved.filter).toEqual({ lists: ['reminders'], memberTypes: ['council'], statuses: ['confirmed'] });
  }, 90_000);

  it('shows the server’s reason at the field for a filter it refuses, and saves nothing', async () => {
    await page.getByLabel('Name', { exact: true }).fill('Bad languages');
    await page.getByLabel('Languages').fill('not a language tag!');
    await page.getByRole('button', { name: 'Save audience' }).click();
    await expect.poll(() => page.locator('.field.invalid').count()).toBeGreaterThan(0);
    expect((await stack.admin('/admin/segments/bad-languages')).status).toBe(404);
    await page.getByLabel('Languages').fill('');
    await page.getByLabel('Name', { exact: true }).fill('');
  }, 60_000);

  it('targets a deadline at it and will not delete it while that deadline is live', async () => {
    await page.getByRole('link', { name: 'Deadlines and events' }).click();
    await page.getByLabel('Title').fill('Council vote closes');
    const due = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 16);
    await page.getByLabel('Due').fill(due);
    await page.getByLabel('Who receives it').selectOption({ label: 'Council contacts' });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent(), { timeout: 20_000 })
      .toBe('It reaches 2 confirmed readers.');
    await expect
      .poll(() => page.getByTestId('deadline-audience').textContent())
      .toBe('Saved audiences: council-contacts');
    const { deadlines } = (await (await stack.admin('/admin/deadlines')).json()) as {
      deadlines: { title: string; audience: unknown }[];
    };
    expect(deadlines.find((d) => d.title === 'Council vote closes')?.audience).toEqual({
      kind: 'segment',
      segmentId: 'council-contacts',
    });

    await page.getByRole('link', { name: 'Audiences' }).click();
    page.once('dialog', (d) => void d.accept());
    await page
      .locator('tbody tr', { hasText: 'Council contacts' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('still the audience of deadline "Council vote closes"');
    expect((await stack.admin('/admin/segments/council-contacts')).status).toBe(200);
  }, 90_000);

  it('edits it with the version read: a colleague’s change meanwhile is refused, not overwritten', async () => {
    await page
      .locator('tbody tr', { hasText: 'Council contacts' })
      .getByRole('button', { name: 'Edit' })
      .click();
    await page
      .getByRole('group', { name: 'Contacts of members of type (any of)' })
      .getByLabel('network')
      .check();
    // A colleague renames it in the meantime.
    const other = await stack.admin('/admin/segments/council-contacts', {
      method: 'PATCH',
      body: JSON.stringify({ name: 'Council contacts (renamed)' }),
    });
    expect(other.status).toBe(200);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('.form-error').textContent()).toMatch(/version/);
    const kept = (await (await stack.admin('/admin/segments/council-contacts')).json()) as {
      name: string;
      filter: { memberTypes: string[] };
    };
    expect(kept.name).toBe('Council contacts (renamed)');
    expect(kept.filter.memberTypes).toEqual(['council']);
  }, 60_000);
});
