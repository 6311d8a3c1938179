import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NatsConnection } from 'nats';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import type { Subjects } from '@twokey/contracts';

/** Debian's chromium (tools/scripts/setup-browser.sh); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Requests to any origin other than the console's, which must stay empty. */
  foreignRequests: string[];
  /** Uncaught page errors and console errors. */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh headless Chromium profile; records every request that leaves the console's origin. */
export async function openBrowser(origin: string): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}: run tools/scripts/setup-browser.sh (Debian's chromium) or set CHROMIUM_PATH`);
  }
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'twokey-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const foreignRequests: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('about:')) foreignRequests.push(url);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Chromium logs every non-2xx fetch; those answers are asserted by the tests themselves.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  return {
    context,
    page,
    foreignRequests,
    errors,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Answers `<prefix>.rpc.gateway.<connection>.connection-test` the way a running gateway does after its platform
 * accepted the credentials (the platform side of the test is outside this suite; the inbound side is
 * `Stack.inbound`, which publishes exactly what a gateway publishes).
 */
export function answerConnectionTests(nc: NatsConnection, s: Subjects, connection: string, bot: { id: string; name: string }): void {
  nc.subscribe(s.rpcGateway(connection, 'connection-test'), {
    callback: (_err, msg) => msg.respond(Buffer.from(JSON.stringify({ ok: true, bot, latencyMs: 12 }))),
  });
}

/** docs/screenshots, written only with UPDATE_SCREENSHOTS=1. */
export const SCREENSHOTS = path.resolve(__dirname, '../../../docs/screenshots');
export const updateScreenshots = process.env.UPDATE_SCREENSHOTS === '1';

export async function screenshot(page: Page, name: string, width = 1280): Promise<void> {
  if (!updateScreenshots) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  const previous = page.viewportSize();
  await page.setViewportSize({ width, height: width < 600 ? 720 : 900 });
  // Let the layout settle and the countdowns tick once at the new width.
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
  if (previous) await page.setViewportSize(previous);
}

/** Waits until the locator is visible (10 s). */
export async function visible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 10_000 });
}

/** Polls until the (first) element's text contains `text`; fails naming what it said instead. */
export async function hasText(locator: Locator, text: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = (await locator.first().textContent({ timeout: 1_000 }).catch(() => null)) ?? '';
    if (last.includes(text)) return;
    if (Date.now() > deadline) throw new Error(`expected ${locator} to contain "${text}"; it says "${last.trim().slice(0, 300)}"`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The browser globals the tests read inside page.evaluate (the project's TypeScript lib has no DOM on purpose).
 * Use as `const w = globalThis as unknown as PageGlobals` inside the evaluated function.
 */
export interface PageGlobals {
  e2eMark?: number;
  innerWidth: number;
  document: {
    documentElement: { scrollWidth: number };
    activeElement: unknown;
    querySelector(selector: string): { textContent: string | null } | null;
  };
  navigator: { clipboard: { readText(): Promise<string> } };
  getComputedStyle(el: unknown): { fontSize: string; boxShadow: string };
  fetch: typeof fetch;
}
