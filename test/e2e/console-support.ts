/**
 * Shared by the console's browser tests: build the console once, start Chromium, check a page for WCAG 2.1 AA
 * problems (axe-core) and horizontal overflow, and keep screenshots under test-results/console/.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_MAILS, DEMO_MEMBERS } from '../../src/runtimes/cli/demo/seed-data.ts';
import type { startTestStack } from '../support/local-stack.ts';

// These run inside Chromium via page.evaluate; the project compiles without the DOM lib (it would clash with
// Node's fetch types), so the two browser globals are declared loosely here only.
// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate callbacks
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: browser globals in page.evaluate callbacks
declare const document: any;

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '../../test-results/console');
const CONFIG = join(import.meta.dirname, '../../console/vite.config.ts');

const ROOT = join(import.meta.dirname, '../..');
const DIST_INDEX = join(ROOT, 'console/dist/index.html');
const LOCK = join(ROOT, 'console/.build-lock');

/** Newest modification time of the console's inputs: its own files and the server code it imports. */
function newestInput(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'dist' && e.name !== 'node_modules') walk(path);
      } else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(ROOT, 'console'));
  walk(join(ROOT, 'src'));
  return newest;
}

/**
 * Builds the console once for every browser test of a run: the test files run in parallel, and a second
 * build empties console/dist while the first file's page loads from it (its scripts 404, the page stays
 * blank). The first file builds under a lock; the others wait and reuse the build while it is fresh.
 */
export async function buildConsole(): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock left by a killed run is taken over after two minutes.
      const held = statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs;
      if (held !== undefined && Date.now() - held > 120_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() - started > 180_000) throw new Error(`console build lock ${LOCK} held for 3 minutes`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    const built = statSync(DIST_INDEX, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (built > newestInput()) return;
    const { build } = await import('vite');
    await build({ configFile: CONFIG, logLevel: 'warn' });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
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

type Stack = Awaited<ReturnType<typeof startTestStack>>;

/** A desktop-sized page signed in to the console with a one-time code, as `npx gazette console` opens it. */
export async function signedInPage(browser: Browser, stack: Stack): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const res = await stack.admin('/admin/console/sign-in-codes', { method: 'POST', body: '{}' });
  await page.goto(((await res.json()) as { url: string }).url);
  return page;
}

const compose = (m: Record<string, unknown>) =>
  new Promise<Buffer>((resolve, reject) =>
    new MailComposer(m).compile().build((err, buf) => (err ? reject(err) : resolve(buf))),
  );

/**
 * What arrives before the secretariat opens the console: the demo registry and the members' mail, sent to
 * the updates address an hour ago (Message-IDs unique per run and `prefix`).
 */
export async function seedDemoMail(stack: Stack, prefix: string): Promise<void> {
  for (const m of DEMO_MEMBERS)
    expect((await stack.admin('/admin/members', { method: 'POST', body: JSON.stringify(m) })).status).toBe(
      201,
    );
  const now = Date.now();
  for (const [i, mail] of DEMO_MAILS.entries()) {
    const raw = await compose({
      ...mail,
      to: stack.config.GAZETTE_UPDATES_ADDRESS,
      date: new Date(now - 3600_000 + i * 1000),
      messageId: `<${prefix}-${now}-${i}@gazette.test>`,
    });
    const res = await stack.admin('/admin/inbound?verdicts=pass', {
      method: 'POST',
      body: raw,
      headers: { 'content-type': 'message/rfc822' },
    });
    expect(res.status).toBe(200);
  }
}

/** Approves everything waiting (pending and quarantined) over the API, for tests whose subject is later. */
export async function approveAllWaiting(stack: Stack): Promise<void> {
  for (const status of ['pending', 'quarantined']) {
    const r = (await (await stack.admin(`/admin/updates?status=${status}`)).json()) as {
      updates: { updateId: string }[];
    };
    for (const u of r.updates)
      expect(
        (await stack.admin(`/admin/updates/${u.updateId}/approve`, { method: 'POST', body: '{}' })).status,
      ).toBe(200);
  }
}
