import path from 'node:path';
import type { Page } from 'playwright-core';
import { ConsoleDirNotFound, resolveConsoleDir } from '../src/console/console-assets';
import { CONSOLE_CSP } from '../src/console/security-headers';
import { telegramUser } from '@twokey/test-support/fakes/telegram';
import { Browser, hasText, openBrowser, PageGlobals, screenshot, TelegramSide, visible } from './console-e2e-support';
import { ADMIN_ID, ADMIN_TOKEN, Stack, startStack } from './stack';

const BOT = { id: 7000001, username: 'twokey_e2e_bot', first_name: 'Twokey' };
const ADA = telegramUser(4242, 'Ada', { last_name: 'Lovelace', username: 'ada' });
const STRANGER = telegramUser(99887766, 'Charles', { last_name: 'Babbage', username: 'cbabbage' });
const MALLORY = telegramUser(666999, 'Mallory');
/** Someone who calls themselves Ada, with a zero-width space in the name (another ID). */
const NAMESAKE = telegramUser(5550101, 'Ada\u200b', { last_name: 'Lovelace' });
/** A name with a right-to-left override, to make the text after it read backwards. */
const EVE = telegramUser(777111, 'Eve\u202egnp.exe');
/** Format and bidi characters (\p{Cf}) that must never reach the page from a display name. */
const FORMAT_CHARS = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
const COPYCAT = telegramUser(555123, 'Copy', { last_name: 'Cat' });
/** The code Ada pairs with; consumed by then, a stranger reuses it in Attention. */
let adasCode = '';
/** A forum supergroup (topics): the stranger writes in topic 17. */
const GROUP = { id: -1001234567890, type: 'supergroup' as const, title: 'Analytical Engine', is_forum: true };
const TEAM = { id: -1009876543210, type: 'supergroup' as const, title: 'Difference Engine team' };
const name = (u: { first_name: string; last_name?: string }) => [u.first_name, u.last_name].filter(Boolean).join(' ');

/**
 * The web console in a real headless Chromium against the real stack (test/stack.ts): nats-server with JetStream,
 * the pairing-service and admin-api in process on free ports, and gateway-telegram (grammY, unmodified) polling a
 * local fake of the Telegram Bot API. The tests run in order, like one admin's session.
 */
describe('web console (headless Chromium, real stack)', () => {
  let stack: Stack;
  let api: Stack['api'];
  let telegram: TelegramSide;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack();
    api = stack.api;
    telegram = await TelegramSide.start(stack.nats, BOT);
    browser = await openBrowser(api.url);
    page = browser.page;
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api.url });
  });

  afterAll(async () => {
    await browser?.close();
    await telegram?.close();
    await stack?.close();
  });

  afterEach(() => {
    // No script error and no request leaving the console's origin (no CDN, fonts or trackers), on any screen.
    expect(browser.errors.splice(0)).toEqual([]);
    expect(browser.foreignRequests.splice(0)).toEqual([]);
  });

  /** Set on the page's window; still there later = the page was never reloaded. */
  const markPage = () => page.evaluate(() => ((globalThis as unknown as PageGlobals).e2eMark = 1));
  const stillSamePage = () => page.evaluate(() => (globalThis as unknown as PageGlobals).e2eMark === 1);
  const nav = () => page.getByRole('navigation', { name: 'Console sections' });
  const noHorizontalScroll = () =>
    page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth <= (globalThis as unknown as PageGlobals).innerWidth);

  describe('without a session', () => {
    it.each(['/console/', '/console', '/console/settings/messaging/telegram', '/console/activity/attention?connection=telegram'])(
      'redirects %s to the login page, remembering where to go',
      async (url) => {
        const res = await fetch(api.url + url, { redirect: 'manual' });
        expect(res.status).toBe(302);
        expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(url)}`);
        expect(res.headers.get('cache-control')).toBe('no-store');
      },
    );

    it('sends / to the console and serves the login page with a strict CSP', async () => {
      const root = await fetch(api.url + '/', { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/console/');
      const login = await fetch(api.url + '/login');
      expect(login.status).toBe(200);
      expect(login.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(login.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(login.headers.get('x-frame-options')).toBe('DENY');
      expect(await login.text()).toContain('Admin token');
    });

    it('serves assets publicly with revalidation, and nothing outside them', async () => {
      const css = await fetch(api.url + '/console/assets/console.css');
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toContain('text/css');
      expect(css.headers.get('cache-control')).toBe('no-cache');
      const again = await fetch(api.url + '/console/assets/console.css', { headers: { 'If-None-Match': css.headers.get('etag')! } });
      expect(again.status).toBe(304);
      // Only files read at start-up are served: an encoded traversal never reaches the file system.
      expect((await fetch(api.url + '/console/assets/%2e%2e%2flogin.html')).status).toBe(404);
      expect((await fetch(api.url + '/console/assets/..%2f..%2fconsole.module.ts')).status).toBe(404);
      expect((await fetch(api.url + '/console/assets/nope.js')).status).toBe(404);
    });

    it('in the browser, a console page lands on the login form', async () => {
      await page.goto(api.url + '/console/activity/attention');
      await page.waitForURL(/\/login\?next=%2Fconsole%2Factivity%2Fattention$/);
      await visible(page.getByLabel('Admin token'));
      await screenshot(page, 'login');
    });

    it('refuses a wrong token with a plain explanation', async () => {
      await page.getByLabel('Admin token').fill('not-the-token');
      await page.getByRole('button', { name: 'Log in' }).click();
      await visible(page.getByRole('alert').filter({ hasText: 'That token is not valid' }));
      expect(page.url()).toContain('/login');
    });
  });

  describe('logged in', () => {
    it('logs in with the admin token (keyboard only) and goes where the admin was headed', async () => {
      await page.getByLabel('Admin token').focus();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type(ADMIN_TOKEN);
      await page.keyboard.press('Enter');
      await page.waitForURL(api.url + '/console/activity/attention');
      await page.locator('body[data-ready]').waitFor();
      await visible(page.getByRole('heading', { level: 1, name: 'Attention' }));
      await visible(page.getByText(`Signed in as ${ADMIN_ID}`));
      await visible(page.getByText('Nobody was turned away'));
      const cookie = (await browser.context.cookies()).find((c) => c.name === 'twokey_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      // The login page itself now forwards a logged-in admin.
      const res = await page.request.get(api.url + '/login?next=%2Fconsole%2F', { maxRedirects: 0 });
      expect(res.status()).toBe(302);
      expect(res.headers()['location']).toBe('/console/');
    });

    it('lists a page per connection under Settings → Messaging', async () => {
      for (const name of ['Telegram', 'Discord', 'Slack', 'Mattermost', 'Feishu / Lark', 'LINE']) {
        await visible(nav().getByRole('link', { name: new RegExp(name) }));
      }
    });

    it('refuses a state change without the CSRF token (403), even with the session cookie', async () => {
      const attempt = (csrf?: string) =>
        page.evaluate(async (token) => {
          const res = await fetch('/api/v1/connections/telegram/users', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...(token ? { 'X-CSRF-Token': token } : {}) },
            body: JSON.stringify({ id: '666' }),
          });
          return { status: res.status, body: (await res.json()) as { type: string } };
        }, csrf);
      const without = await attempt();
      expect(without.status).toBe(403);
      expect(without.body.type).toMatch(/csrf$/);
      expect((await attempt('forged')).status).toBe(403);
      const users = await page.evaluate(async () => ((await (await fetch('/api/v1/connections/telegram/users')).json()) as { items: unknown[] }).items);
      expect(users).toEqual([]);
    });
  });

  describe('Settings → Messaging → Telegram', () => {
    it('explains a missing gateway in plain words', async () => {
      await nav().getByRole('link', { name: /Telegram/ }).click();
      await page.waitForURL(/\/console\/settings\/messaging\/telegram$/);
      await markPage();
      await visible(page.getByRole('heading', { level: 1, name: 'Telegram' }));
      await visible(page.locator('#connection-status').getByText('Gateway not running'));
      await hasText(page.locator('#connection-status'), 'Give gateway-telegram the Telegram bot’s credentials');
      await visible(page.getByText('Nothing observed yet'));
      await visible(page.getByText('Nobody is authorized yet'));
      await page.getByRole('button', { name: 'Test', exact: true }).click();
      const result = page.locator('#test-result');
      await visible(result.getByText('Gateway not running.'));
      await hasText(result, 'Give gateway-telegram the Telegram bot’s credentials');
      await hasText(result, 'NATS_URL');
    });

    it('shows the bot from a passing connection test', async () => {
      // The operator starts gateway-telegram; its connection test calls getMe on the (fake) Bot API.
      await telegram.startGateway();
      await page.getByRole('button', { name: 'Test', exact: true }).click();
      await visible(page.locator('#test-result').getByText(`@${BOT.username}`));
      await hasText(page.locator('#test-result'), `ID ${BOT.id}`);
      await visible(page.locator('#connection-status').getByText('Connected'));
    });

    let code = '';
    it('Generate shows the code large and copyable, a live countdown and the Telegram deep link', async () => {
      await page.getByRole('button', { name: 'Generate' }).click();
      const shown = page.locator('#pairing-code');
      await visible(shown);
      code = (await shown.textContent()) ?? '';
      adasCode = code;
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      expect(await shown.evaluate((el) => parseFloat((globalThis as unknown as PageGlobals).getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(28);

      await page.getByRole('button', { name: 'Copy pairing code' }).click();
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText())).toBe(code);
      await hasText(page.locator('#announcer'), 'pairing code copied');

      const countdown = page.locator('#code-panel .countdown');
      const first = (await countdown.textContent()) ?? '';
      expect(first).toMatch(/^[45]:[0-5]\d$/);
      await page.waitForFunction((before) => (globalThis as unknown as PageGlobals).document.querySelector('#code-panel .countdown')?.textContent !== before, first);

      const link = page.locator('#deep-link');
      expect(await link.getAttribute('href')).toBe(`https://t.me/${BOT.username}?start=${code.replace('-', '')}`);
      await screenshot(page, 'pairing-code');
    });

    it('a DM with the code appears as an observation without reload, with name, IDs, chat and space', async () => {
      telegram.dm(ADA, `/start ${code.replace('-', '')}`);
      const observation = page.locator('.observation').filter({ hasText: name(ADA) });
      await visible(observation);
      await hasText(observation, '@ada');
      await hasText(observation.locator('dd').first(), String(ADA.id));
      await hasText(observation, 'Direct message');
      await hasText(observation, 'none (direct message)');
      await visible(page.getByText('Code used.'));
      await hasText(page.locator('#announcer'), 'New observation: Ada Lovelace');
      expect(await stillSamePage()).toBe(true);
      await screenshot(page, 'messaging-telegram');
      await screenshot(page, 'messaging-telegram-320', 320);
    });

    it('Approve puts the user into Authorized User IDs, with how and when', async () => {
      const approve = page.locator('.observation').filter({ hasText: name(ADA) }).getByRole('button', { name: 'Approve' });
      await approve.focus();
      await page.keyboard.press('Enter');
      const entry = page.locator('#users-list li').filter({ hasText: String(ADA.id) });
      await visible(entry);
      await hasText(entry, name(ADA));
      await hasText(entry, `Paired with a code just now by ${ADMIN_ID}`);
      await visible(page.getByText('Nothing observed yet'));
      await hasText(page.locator('#announcer'), 'Approved Ada Lovelace');
      // The navigation's "waiting for approval" badge follows live too.
      await page.locator('#nav-connections .badge').waitFor({ state: 'detached' });
      expect(await stillSamePage()).toBe(true);
      await screenshot(page, 'users');
    });

    it('M3: warns when an observation borrows an allowed user’s name with another ID; L6: shows the ID beside the cleaned name', async () => {
      await page.getByRole('button', { name: 'Generate' }).click();
      const shown = (await page.locator('#pairing-code').textContent()) ?? '';
      telegram.dm(NAMESAKE, shown);
      const observation = page.locator('.observation').filter({ hasText: String(NAMESAKE.id) });
      await visible(observation);
      const warning = observation.locator('.notice.warn');
      await visible(warning);
      await hasText(warning, `has ID ${ADA.id}; this sender is ID ${NAMESAKE.id}`);
      const who = (await observation.locator('.who').textContent()) ?? '';
      expect(who).toContain(`Ada Lovelace ID ${NAMESAKE.id}`);
      expect(who).not.toMatch(FORMAT_CHARS);
      // Ada herself would raise no warning: the check is "same name, other ID".
      await observation.getByRole('button', { name: 'Reject' }).click();
      await observation.waitFor({ state: 'detached' });
    });

    it('Reject drops an observation and allows nobody', async () => {
      await page.getByRole('button', { name: 'Generate' }).click();
      const shown = (await page.locator('#pairing-code').textContent()) ?? '';
      telegram.dm(MALLORY, shown);
      const observation = page.locator('.observation').filter({ hasText: name(MALLORY) });
      await observation.getByRole('button', { name: 'Reject' }).click();
      await observation.waitFor({ state: 'detached' });
      await visible(page.getByText('Nothing observed yet'));
      expect(await page.locator('#users-list li').filter({ hasText: String(MALLORY.id) }).count()).toBe(0);
    });

    it('pairs a space: an authorized user posts a space code inside the group', async () => {
      await page.getByLabel('a space (posted inside it)').check();
      await page.getByRole('button', { name: 'Generate' }).click();
      await visible(page.getByText('Space pairing code'));
      const shown = (await page.locator('#pairing-code').textContent()) ?? '';
      expect(await page.locator('#deep-link').count()).toBe(0);
      telegram.inGroup(ADA, TEAM, shown.toLowerCase());
      const observation = page.locator('.observation').filter({ hasText: 'sent the space code' });
      await visible(observation);
      await hasText(observation, `Telegram supergroup “${TEAM.title}”`);
      await observation.getByRole('button', { name: 'Approve' }).click();
      const space = page.locator('#spaces-list li').filter({ hasText: String(TEAM.id) });
      await visible(space);
      await hasText(space, TEAM.title);
      await hasText(space, 'code posted by Ada Lovelace');
      await page.getByLabel('a user (sent in a DM)').check();
    });

    it('adds a user by ID (discovery fallback) and removes one only after confirmation', async () => {
      await page.getByText('Add a user by ID').click();
      await page.getByLabel('User ID', { exact: true }).fill('31337');
      await page.getByLabel('Display name (optional)').fill('Manual Person');
      await page.getByRole('button', { name: 'Add user' }).click();
      const manual = page.locator('#users-list li').filter({ hasText: '31337' });
      await visible(manual);
      await hasText(manual, 'Added by ID');

      await manual.getByRole('button', { name: /Remove Manual Person/ }).click();
      const dialog = page.getByRole('dialog', { name: 'Remove Manual Person?' });
      await visible(dialog);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect(await manual.count()).toBe(1);

      await manual.getByRole('button', { name: /Remove Manual Person/ }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
      await manual.waitFor({ state: 'detached' });
      await visible(page.locator('#users-list li').filter({ hasText: String(ADA.id) }));
    });
  });

  describe('Activity → Attention', () => {
    it('a stranger appears live with every ID, the reason and the count', async () => {
      await nav().getByRole('link', { name: /^Attention/ }).click();
      await page.waitForURL(/\/console\/activity\/attention$/);
      await visible(page.getByText('Nobody was turned away'));
      telegram.inGroup(STRANGER, GROUP, 'Good morning, can the engine compute Bernoulli numbers?', 17);
      const card = page.locator('.group').filter({ hasText: name(STRANGER) });
      await visible(card);
      await hasText(card, 'Not on the Authorized User IDs list.');
      for (const id of [String(STRANGER.id), String(GROUP.id), '17']) await visible(card.locator('code', { hasText: id }).first());
      await hasText(card, 'Topic ID');
      await hasText(card, 'Telegram supergroup');
      await hasText(card, '1 message');

      // A second message within the coalescing window is counted into the same group when the window ends.
      telegram.inGroup(STRANGER, GROUP, 'Is anybody reading this channel today?', 17);
      await visible(card.getByText('2 messages'));
      expect(await stillSamePage()).toBe(true);

      await card.getByRole('button', { name: 'Copy Space ID' }).click();
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText())).toBe(String(GROUP.id));
      await screenshot(page, 'attention');
      await screenshot(page, 'attention-320', 320);
    });

    it('a stranger reusing a consumed code shows as pairing-code-used, explained in a sentence', async () => {
      expect(adasCode).not.toBe('');
      telegram.dm(COPYCAT, `my code is ${adasCode}`);
      const card = page.locator('.group').filter({ hasText: name(COPYCAT) });
      await visible(card);
      await hasText(card, 'Sent a pairing code that someone had already used');
    });

    it('filters by platform', async () => {
      await page.getByLabel('Platform').selectOption({ label: 'Discord' });
      await visible(page.getByText('No denied messages on Discord.'));
      expect(page.url()).toContain('connection=discord');
      await page.getByLabel('Platform').selectOption({ label: 'Telegram' });
      await visible(page.locator('.group').filter({ hasText: name(STRANGER) }));
    });

    it('L6: a display name loses its format characters, shows its ID, and Allow asks to confirm the ID', async () => {
      telegram.dm(EVE, 'hello there');
      const card = page.locator('.group').filter({ hasText: String(EVE.id) });
      await visible(card);
      const head = (await card.locator('.group-head').textContent()) ?? '';
      expect(head).toContain(`Evegnp.exe ID ${EVE.id}`);
      expect(head).not.toMatch(FORMAT_CHARS);
      await card.getByRole('button', { name: /^Allow this user/ }).click();
      const dialog = page.getByRole('dialog', { name: `Allow user ID ${EVE.id}?` });
      await visible(dialog);
      await hasText(dialog, `Messages from ID ${EVE.id} on Telegram will reach the agent.`);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await card.getByText('✓ User allowed').count()).toBe(0);
    });

    it('allows the user, then the space, each after confirming its ID; both then show in the allowlists', async () => {
      const card = page.locator('.group').filter({ hasText: name(STRANGER) });
      await card.getByRole('button', { name: /^Allow this user/ }).click();
      await page.getByRole('dialog', { name: `Allow user ID ${STRANGER.id}?` }).getByRole('button', { name: `Allow ${STRANGER.id}` }).click();
      await visible(card.getByText('✓ User allowed'));
      await hasText(page.locator('#announcer'), `Charles Babbage (${STRANGER.id}) is now allowed on Telegram`);
      await card.getByRole('button', { name: /^Allow this space/ }).click();
      await page.getByRole('dialog', { name: `Allow space ID ${GROUP.id}?` }).getByRole('button', { name: `Allow ${GROUP.id}` }).click();
      await visible(card.getByText('✓ Space allowed'));

      await nav().getByRole('link', { name: /Telegram/ }).click();
      await visible(page.locator('#users-list li').filter({ hasText: String(STRANGER.id) }).getByText(name(STRANGER)));
      await hasText(page.locator('#users-list li').filter({ hasText: String(STRANGER.id) }), 'Added by ID');
      await visible(page.locator('#spaces-list li').filter({ hasText: String(GROUP.id) }));
      expect(await stillSamePage()).toBe(true);
    });
  });

  it('the bot wrote nothing to anyone: no reply to the denied stranger, nothing before a decision', () => {
    expect(telegram.fake.userFacingCalls().map((c) => c.path)).toEqual([]);
    expect(telegram.fake.calls('getUpdates').length).toBeGreaterThan(0);
  });

  describe('narrow screens and keyboard', () => {
    it('every main screen is readable at 320 px without horizontal scrolling', async () => {
      await page.setViewportSize({ width: 320, height: 720 });
      try {
        for (const url of ['/console/', '/console/settings/messaging/telegram', '/console/activity/attention']) {
          await page.goto(api.url + url);
          await page.locator('body[data-ready]').waitFor();
          expect({ url, fits: await noHorizontalScroll() }).toEqual({ url, fits: true });
        }
      } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    });

    it('shows where the keyboard focus is', async () => {
      await page.goto(api.url + '/console/settings/messaging/telegram');
      await page.locator('body[data-ready]').waitFor();
      await page.keyboard.press('Tab');
      const skip = page.getByRole('link', { name: 'Skip to content' });
      expect(await skip.evaluate((el) => el === (globalThis as unknown as PageGlobals).document.activeElement)).toBe(true);
      expect(await skip.evaluate((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).boxShadow)).not.toBe('none');
    });
  });

  describe('expiry and logout', () => {
    it('explains an expired code: Generate again', async () => {
      await page.getByRole('button', { name: 'Generate' }).click();
      await visible(page.locator('#pairing-code'));
      await page.clock.install();
      await page.clock.fastForward('05:05');
      await visible(page.getByText('The code expired.'));
      await page.locator('#code-panel').waitFor({ state: 'detached' });
      await hasText(page.locator('#announcer'), 'Generate again');
    });

    it('logs out; the console then sends the browser to the login page again', async () => {
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(/\/login$/);
      await page.goto(api.url + '/console/');
      await page.waitForURL(/\/login\?next=%2Fconsole%2F$/);
    });
  });
});

describe('console static folder', () => {
  const source = path.resolve(__dirname, '../console');

  it('is found from the sources and from the compiled layout (the build copies only .ts to dist)', () => {
    expect(resolveConsoleDir({}, path.resolve(__dirname, '../src/console'))).toBe(source);
    const compiled = path.resolve(__dirname, '../../../dist/apps/admin-api/src/console');
    expect(resolveConsoleDir({}, compiled)).toBe(source);
  });

  it('takes CONSOLE_DIR as the only place when set, and names it when it is wrong', () => {
    expect(resolveConsoleDir({ CONSOLE_DIR: source }, '/nowhere')).toBe(source);
    expect(() => resolveConsoleDir({ CONSOLE_DIR: '/nowhere/console' })).toThrow(ConsoleDirNotFound);
    expect(() => resolveConsoleDir({ CONSOLE_DIR: '/nowhere/console' })).toThrow(/CONSOLE_DIR.*\/nowhere\/console/);
  });
});
