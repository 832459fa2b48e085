/**
 * The compiled newsletter in a real browser engine: headless Chromium at phone (375 px) and e-mail
 * client (600 px) widths, with Chinese, Japanese and Korean content. Screenshots are kept under
 * test-results/editions/ as artifacts (look at them: CJK must render as text, not boxes).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/adapters/dynamodb/keys.ts';
import type { Update } from '../../src/domain/index.ts';
import type { Clock } from '../../src/ports/clock.ts';
import { startTestStack } from '../support/local-stack.ts';
import { anUpdate } from '../unit/editions/fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '../../test-results/editions');
const WIDTHS = [375, 600];
const now = new Date('2026-04-01T01:00:00.000Z');
const clock: Clock = { now: () => now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

const updates: Update[] = [
  anUpdate({
    title: '亚太绿色公共采购论坛：政府绿色采购标准国际互认研讨会',
    organisation: '中国环境联合认证中心（CEC）',
    section: 'events',
    kind: 'event',
    summary:
      '来自十四个经济体的采购官员将在北京比较办公设备和公共餐饮的环境标志标准。\n\n论坛还将发布年度案例集，并讨论绿色采购数据的统一统计口径。',
    event: {
      start: '2026-05-12T01:00:00.000Z',
      end: '2026-05-12T09:30:00.000Z',
      timeZone: 'Asia/Shanghai',
      location: '北京国际会议中心 3号厅',
    },
    links: [
      { url: 'https://www.example.cn/events/gpp-forum-2026' },
      { url: 'https://www.example.cn/register', label: '报名' },
    ],
  }),
  anUpdate({
    title: 'グリーン購入ネットワーク全国フォーラム2026のご案内',
    organisation: 'グリーン購入ネットワーク（GPN）',
    section: 'events',
    kind: 'event',
    summary: '持続可能な調達の最新事例を紹介します。オンライン参加も可能です。',
    event: { start: '2026-06-03T04:00:00.000Z', timeZone: 'Asia/Tokyo', location: '東京都千代田区' },
  }),
  anUpdate({
    title: '한국녹색구매네트워크, 새 회원 기관 12곳 환영',
    organisation: '한국녹색구매네트워크',
    summary:
      '지방자치단체와 공공기관 12곳이 새로 가입하여 회원 수가 200곳을 넘었습니다. Details: https://www.example.kr/a/very/long/path/that/goes/on/and/on/without/any/spaces/at/all/so/it/must/wrap/index.html',
    receivedAt: '2026-03-01T00:00:00.000Z',
  }),
  anUpdate({
    title:
      'Guide: sustainable procurement of textiles & uniforms (with a deliberately long title to test wrapping)',
    organisation: 'Ecolabelling Sweden',
    section: 'publications',
    kind: 'publication',
    links: [{ url: 'https://www.example.se/guides/textiles-and-uniforms-criteria-2026-final-version.pdf' }],
  }),
  anUpdate({
    title: '绿色采购奖案例征集',
    organisation: 'IGPN 秘书处',
    section: 'deadlines',
    kind: 'deadline',
    deadline: '2026-06-30T15:59:00.000Z',
  }),
];

describe('the compiled newsletter in headless Chromium', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let browser: Browser;
  const pages: Record<string, string> = {};
  const texts: Record<string, string> = {};

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: apt-get install -y chromium fonts-wqy-microhei fonts-noto-color-emoji`,
      );
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startTestStack({ clock });
    for (const u of updates)
      await stack.infra.table.put({
        ...keys.update(u.updateId),
        type: 'update',
        gsi1pk: 'UPDATES#approved',
        gsi1sk: `${u.receivedAt}#${u.updateId}`,
        ...u,
      });
    const res = await stack.admin('/admin/editions/compile', {
      method: 'POST',
      body: JSON.stringify({ wait: true }),
    });
    expect(res.status).toBe(201);
    const { edition } = (await res.json()) as { edition: { number: number } };
    for (const lang of ['en', 'zh']) {
      pages[lang] = await (
        await stack.admin(`/admin/editions/${edition.number}/preview?lang=${lang}`)
      ).text();
      texts[lang] = await (
        await stack.admin(`/admin/editions/${edition.number}/preview?lang=${lang}&format=text`)
      ).text();
    }
    pages.archive = await (
      await stack.admin(`/admin/editions/${edition.number}/preview?lang=zh&archive=1`)
    ).text();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  for (const variant of ['en', 'zh', 'archive']) {
    for (const width of WIDTHS) {
      it(`fits ${width} px without horizontal scrolling (${variant}), loading nothing from the network`, async () => {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        const requests: string[] = [];
        await page.route('**/*', (route) => {
          requests.push(route.request().url());
          return route.abort();
        });
        await page.setContent(pages[variant] ?? '', { waitUntil: 'load' });
        // A string: the test tsconfig has no DOM types, the code runs in the page.
        const { scrollWidth, cjk } = await page.evaluate<{ scrollWidth: number; cjk: boolean }>(
          `({ scrollWidth: document.documentElement.scrollWidth, cjk: document.body.textContent.includes('亚太绿色公共采购论坛') })`,
        );
        await page.screenshot({ path: join(ARTIFACTS, `${variant}-${width}.png`), fullPage: true });
        await page.close();
        expect(scrollWidth).toBeLessThanOrEqual(width);
        expect(cjk).toBe(true);
        expect(requests).toEqual([]);
      });
    }
  }

  it('links only to absolute http(s) addresses', async () => {
    const page = await browser.newPage();
    await page.setContent(pages.zh ?? '');
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    await page.close();
    expect(hrefs.length).toBeGreaterThan(5);
    for (const href of hrefs) expect(href).toMatch(/^https?:\/\/[^/]+/);
  });

  it('has a plain-text part with every item and the unsubscribe link', () => {
    const text = texts.zh ?? '';
    for (const u of updates) expect(text).toContain(u.title);
    expect(text).toContain('== 近期活动 ==');
    expect(text).toMatch(/退订: https?:\/\/\S+\/v1\/unsubscribe\?token=/);
    expect(text).not.toMatch(/<\/?(p|a|div|table)[\s>]/);
  });
});
