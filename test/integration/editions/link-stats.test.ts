import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import { DynamoStatsRepo } from '../../../src/adapters/dynamodb/stats-repo.ts';
import { subscriberIdFor } from '../../../src/domain/ids.ts';
import { signToken } from '../../../src/domain/tokens.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import { startTestStack, TEST_ADMIN_TOKEN, TEST_TOKEN_SECRET } from '../../support/local-stack.ts';
import { anUpdate } from '../../unit/editions/fixtures.ts';
import { sesEvent, snsEvent } from '../../unit/subscribers/ses-fixtures.ts';

// These tests start the CLI as processes (tsx, seconds each on a busy 2-core machine): minutes, not 30 s.
vi.setConfig({ testTimeout: 120_000 });

const now = new Date('2026-04-01T01:00:00.000Z');
const clock: Clock = { now: () => now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

describe('edition stats: clicks per link from SES Click events', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let edition: number;
  const call = <T>(method: string, path: string, body?: unknown) => stack.call<T>(method, path, body);
  /** A real-shaped SES Click event of this edition, as SNS delivers it to the Lambda. */
  const click = (email: string, link: string, snsMessageId: string) => {
    const e = sesEvent('click', {
      to: email,
      campaign: `edition_${edition}`,
      subscriber: subscriberIdFor(email, TEST_TOKEN_SECRET),
    }) as { click: { link: string } };
    e.click.link = link;
    return snsEvent(e, snsMessageId);
  };
  const feed = async (body: unknown) => {
    const r = await call<{ results: { duplicate: boolean; actions: string[] }[] }>(
      'POST',
      '/admin/ses-events',
      body,
    );
    expect(r.status).toBe(200);
    return r.body.results;
  };

  beforeAll(async () => {
    stack = await startTestStack({ clock });
    const u = anUpdate({ updateId: 'u_links', title: 'Forum news', receivedAt: '2026-02-01T00:00:00.000Z' });
    await stack.infra.table.put({
      ...keys.update(u.updateId),
      type: 'update',
      gsi1pk: `UPDATES#${u.status}`,
      gsi1sk: `${u.receivedAt}#${u.updateId}`,
      ...u,
    });
    const compiled = await call<{ edition: { number: number } }>('POST', '/admin/editions/compile', {
      from: '2026-01-01',
      to: '2026-03-31',
      wait: true,
    });
    expect(compiled.status).toBe(201);
    edition = compiled.body.edition.number;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('before any click the stats answer an empty links object', async () => {
    const res = await call<{ stats: { clicked: number; links: Record<string, number> } }>(
      'GET',
      `/admin/editions/${edition}/stats`,
    );
    expect(res.body.stats).toMatchObject({ clicked: 0, links: {} });
  });

  it('counts each link once per click, a redelivery not at all, and an unsubscribe link without its token', async () => {
    const article = 'https://igpn.example/news/green-procurement-2026';
    const reader = 'reader.one@example.org';
    const unsubscribe = `${stack.config.GAZETTE_PUBLIC_URL}/v1/unsubscribe?token=${signToken(
      TEST_TOKEN_SECRET,
      'unsubscribe',
      { sub: subscriberIdFor(reader, TEST_TOKEN_SECRET), exp: 2_000_000_000, scope: 'all' },
    )}`;

    await feed(click(reader, article, 'sns-click-1'));
    await feed(click('reader.two@example.org', article, 'sns-click-2'));
    const [redelivered] = await feed(click('reader.two@example.org', article, 'sns-click-2'));
    expect(redelivered?.duplicate).toBe(true);
    await feed(click(reader, unsubscribe, 'sns-click-3'));

    const res = await call<{ stats: { clicked: number; links: Record<string, number> } }>(
      'GET',
      `/admin/editions/${edition}/stats`,
    );
    expect(res.status).toBe(200);
    expect(res.body.stats.clicked).toBe(3);
    expect(res.body.stats.links).toEqual({
      [article]: 2,
      [`${stack.config.GAZETTE_PUBLIC_URL}/v1/unsubscribe`]: 1,
    });
    // Most clicked first.
    expect(Object.keys(res.body.stats.links)[0]).toBe(article);

    // No token is stored anywhere in the campaign's counters.
    const items = await stack.infra.table.queryAll({
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': `STATS#edition#${edition}` },
    });
    expect(items).toHaveLength(3);
    expect(JSON.stringify(items)).not.toContain('token=');
    expect(JSON.stringify(items)).not.toContain('eyJ');
  });

  it('gazette editions stats prints the clicks per link, most clicked first', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(import.meta.dirname, '../../../bin/gazette.js'),
        '--api',
        stack.urls.api,
        'editions',
        'stats',
        `${edition}`,
      ],
      { env: { ...process.env, GAZETTE_ADMIN_TOKEN: TEST_ADMIN_TOKEN } },
    );
    expect(stdout).not.toContain('[object Object]');
    expect(stdout).toMatch(/clicked\s+3\n/);
    expect(stdout).toContain(
      `  clicks per link\n         2  https://igpn.example/news/green-procurement-2026\n         1  ${stack.config.GAZETTE_PUBLIC_URL}/v1/unsubscribe`,
    );
  });

  it('counts at most the cap of distinct links per campaign, the rest under "other", even when concurrent', async () => {
    const repo = new DynamoStatsRepo(stack.infra.table);
    const campaign = 'test#link-cap';
    const link = (i: number) => `https://igpn.example/news/${i}`;
    await repo.addLinkClick(campaign, link(0), 3, 'other');
    // 12 first clicks of 12 new links at once: at most 2 more slots are left.
    const counted = await Promise.all(
      Array.from({ length: 12 }, (_, i) => repo.addLinkClick(campaign, link(i + 1), 3, 'other')),
    );
    expect(counted.filter((c) => c !== 'other')).toHaveLength(2);
    // An already counted link keeps counting on its own even after the cap is reached.
    expect(await repo.addLinkClick(campaign, link(0), 3, 'other')).toBe(link(0));

    const links = await repo.linkClicks(campaign);
    expect(links).toHaveLength(4);
    expect(links[0]).toEqual({ link: 'other', clicks: 10 });
    expect(links.find((l) => l.link === link(0))?.clicks).toBe(2);
    expect(links.reduce((n, l) => n + l.clicks, 0)).toBe(14);
  });
});
