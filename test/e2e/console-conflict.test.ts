/**
 * Two people moderating one update (issue 13): the console sends the version it read, so a moderator who
 * approves with edits after a colleague changed the update gets a conflict to resolve, never a silent
 * overwrite of the colleague's change.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleUpdates } from '../../bench/editions.ts';
import { DynamoUpdateRepo } from '../../src/adapters/dynamodb/update-repo.ts';
import { Update } from '../../src/domain/index.ts';
import { startTestStack } from '../support/local-stack.ts';
import { buildConsole, launch, signedInPage } from './console-support.ts';

describe('secretariat console: two moderators, one update', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let browser: Browser;
  let page: Page;
  let updateId = '';

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack(), launch(), buildConsole()]).then(
      ([s, b]) => [s, b] as const,
    );
    const [u] = sampleUpdates(1);
    const seeded = Update.parse({ ...u, status: 'pending' });
    updateId = seeded.updateId;
    await new DynamoUpdateRepo(stack.infra.table).create(seeded);
    page = await signedInPage(browser, stack);
    await page.getByRole('link', { name: 'Moderation' }).click();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('refuses an approval with edits made on a stale copy, keeping the colleague’s change', async () => {
    await page.locator('.update-list li button.item').first().click();
    await page.getByLabel('Title', { exact: true }).fill('My edit of the title');
    // Meanwhile a colleague edits the same update (over the API, as another console would).
    const colleague = await stack.admin(`/admin/updates/${updateId}`, {
      method: 'PATCH',
      body: JSON.stringify({ summary: 'The colleague’s corrected summary.' }),
    });
    expect(colleague.status).toBe(200);
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('Someone else changed this update');
    const now = (await (await stack.admin(`/admin/updates/${updateId}`)).json()) as Update;
    expect(now.status).toBe('pending');
    expect(now.summary).toBe('The colleague’s corrected summary.');
    expect(now.title).not.toBe('My edit of the title');
  });
});
