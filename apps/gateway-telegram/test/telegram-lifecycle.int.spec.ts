/**
 * gateway-telegram's connection lifecycle (issue 20 P1, issue 19): an unreachable Bot API at start, a rejected token.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FaultProxy } from '@twokey/test-support/fault-proxy';
import { FakeTelegram } from '@twokey/test-support/fakes/telegram';
import { CapturingLogger, settle, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { expectP1Recovery, playUnreachableAtStart } from '@twokey/test-support/unreachable-at-start';
import { TelegramAdapter } from '../src/telegram-adapter';

const TOKEN = '7000000002:AAtelegram-lifecycle-token_0123456789';

describe('gateway-telegram lifecycle', () => {
  let nats: NatsHarness;
  let fake: FakeTelegram;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeTelegram.start({ token: TOKEN });
  });
  afterAll(async () => {
    await fake?.close();
    await nats?.dispose();
  });

  it('P1: the Bot API unreachable at start: each attempt logged without the token, retried within 30 s, receiving false with a reason, connection test failing, then receiving', async () => {
    const proxy = await FaultProxy.start(fake.url);
    const logger = new CapturingLogger();
    const run = await playUnreachableAtStart({
      proxy,
      logger,
      start: () =>
        startGatewayUnderTest({
          nats,
          platform: 'telegram',
          adapter: new TelegramAdapter({ connection: 'telegram', token: TOKEN, apiRoot: proxy.url(fake.url), mode: 'polling', logger, pollingTimeoutSeconds: 1 }),
          logger,
          expectReady: false,
        }),
    });
    try {
      expectP1Recovery(run, expect.stringMatching(/Telegram API unreachable/));
      expect(run.afterBack.readyz).toBe(200);
      // The log line of each attempt and the status: the connection test's own error text is H1's (describeTelegramError).
      expect(JSON.stringify(run.failedAttempts)).not.toContain(TOKEN);
      expect(JSON.stringify(run.whileDown.status)).not.toContain(TOKEN);
    } finally {
      await run.gw.stop();
      await proxy.close();
    }
  });

  it('a rejected token (401) stops the retries: halted with the reason until Reconnect', async () => {
    const logger = new CapturingLogger();
    const gw = await startGatewayUnderTest({
      nats,
      platform: 'telegram',
      adapter: new TelegramAdapter({ connection: 'telegram-bad', token: '7000000003:AAwrong-token-wrong-token-0123', apiRoot: fake.url, mode: 'polling', logger }),
      logger,
      expectReady: false,
      config: { connection: 'telegram-bad' },
    });
    try {
      const calls = () => fake.log.filter((c) => c.path.endsWith('/getMe')).length;
      const before = calls();
      expect(before).toBeGreaterThan(0);
      await settle(2_500); // longer than the first two retry delays (1 s, 2 s)
      expect(calls()).toBe(before);
      expect(await gw.status()).toMatchObject({ receiving: false, halted: true, reason: expect.stringMatching(/401/) });
      expect(logger.find('error', /not retrying until the configuration changes or an admin asks to reconnect/)).toHaveLength(1);
      const again = await gw.reconnect();
      expect(again).toMatchObject({ receiving: false, halted: true });
      expect(calls()).toBe(before + 1);
    } finally {
      await gw.stop();
    }
  });
});
