import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import type { NatsHarness } from '@twokey/test-support';
import {
  FakeTelegram, messageUpdate, privateChat, TelegramChat, TelegramUser,
} from '@twokey/test-support/fakes/telegram';
import { CapturingLogger, GatewayUnderTest, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
// The real Telegram adapter (the gateway app's own class) runs in process, as in the gateway's own tests.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TelegramAdapter } from '../../gateway-telegram/src/telegram-adapter';

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
 * The Telegram side, for a truly end-to-end run: a local fake of the Bot API (libs/test-support) and the real
 * gateway-telegram adapter (grammY, unmodified, long polling) in the real gateway kit, publishing to the stack's
 * NATS. Messages travel fake Telegram → gateway → JetStream → pairing-service → event store → admin-api → browser.
 */
export class TelegramSide {
  gateway?: GatewayUnderTest;
  private readonly logger = new CapturingLogger([], 'warn');

  private constructor(readonly fake: FakeTelegram, private readonly nats: Pick<NatsHarness, 'url' | 'prefix'>) {}

  static async start(nats: Pick<NatsHarness, 'url' | 'prefix'>, bot: { id: number; username: string; first_name: string }): Promise<TelegramSide> {
    return new TelegramSide(await FakeTelegram.start({ token: TELEGRAM_TOKEN, bot }), nats);
  }

  /** Starts gateway-telegram for connection "telegram" (until then, nobody answers its connection test). */
  async startGateway(): Promise<void> {
    const adapter = new TelegramAdapter({
      connection: 'telegram',
      token: TELEGRAM_TOKEN,
      apiRoot: this.fake.url,
      mode: 'polling',
      logger: this.logger,
      pollingTimeoutSeconds: 1,
    });
    this.gateway = await startGatewayUnderTest({ nats: this.nats, platform: 'telegram', adapter, logger: this.logger });
  }

  /** A person writes to the bot in a private chat. */
  dm(from: TelegramUser, text: string): void {
    this.fake.pushUpdate(messageUpdate({ from, chat: privateChat(from), text }));
  }

  /** A person writes in a group or supergroup (in a forum topic when `topicId` is given). */
  inGroup(from: TelegramUser, chat: TelegramChat, text: string, topicId?: number): void {
    this.fake.pushUpdate(messageUpdate({ from, chat, text, topicId }));
  }

  async close(): Promise<void> {
    await this.gateway?.stop();
    await this.fake.close();
  }
}

const TELEGRAM_TOKEN = '7000001:AAconsole-e2e-token_0123456789';

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
