/**
 * Shared by the console's browser tests: build the console once, start Chromium, check a page for WCAG 2.1 AA
 * problems (axe-core) and horizontal overflow, and keep screenshots under test-results/console/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

// These run inside Chromium via page.evaluate; the project compiles without the DOM lib (it would clash with
// Node's fetch types), so the two browser globals are declared loosely here only.
// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate callbacks
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate callbacks
declare const document: any;

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '../../test-results/console');
const CONFIG = join(import.meta.dirname, '../../console/vite.config.ts');

export async function buildConsole(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: CONFIG, logLevel: 'warn' });
}

export function launch(): Promise<Browser> {
  return chromium.launch({
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
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** 0 serious or critical WCAG 2.1 A/AA violations on what the page shows now. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  // Evaluated over CDP: the console's CSP (rightly) refuses injected inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(o: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const r = await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations;
  })) as AxeViolation[];
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${name}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  expect(bad).toEqual([]);
}

/** Screenshots at desktop and phone widths; the page must not scroll sideways at either. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(100);
    const { overflow, culprit } = await page.evaluate(() => {
      const wide = Array.from(
        document.querySelectorAll('body *') as ArrayLike<{
          getBoundingClientRect(): { right: number };
          tagName: string;
          className: string;
        }>,
      ).filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1);
      const last = wide.at(-1);
      return {
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        culprit: last ? `${last.tagName.toLowerCase()}.${last.className}` : '',
      };
    });
    expect(
      overflow,
      `${name} at ${width}px scrolls sideways by ${overflow}px (${culprit})`,
    ).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  // Let the page settle at the working width before the next step clicks: right after the resize the
  // layout (and the preview frames in it) still move, and a click aimed at the nav can land in a frame.
  await page.waitForTimeout(100);
  await page.evaluate(
    () => new Promise((r) => window.requestAnimationFrame(() => window.requestAnimationFrame(r))),
  );
}
