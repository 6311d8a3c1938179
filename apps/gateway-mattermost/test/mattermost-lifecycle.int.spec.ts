/**
 * gateway-mattermost's connection lifecycle: a revoked token stops the reconnects (issue 19), an unreachable server
 * at start is retried (issue 20 P1). Real NATS, the fake Mattermost (REST v4 + WebSocket).
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FaultProxy } from '@twokey/test-support/fault-proxy';
import { FakeMattermost } from '@twokey/test-support/fakes/mattermost';
import { CapturingLogger, settle, startGatewayUnderTest, untilAsync } from '@twokey/test-support/gateway-harness';
import { expectP1Recovery, playUnreachableAtStart } from '@twokey/test-support/unreachable-at-start';
import { MattermostAdapter } from '../src/mattermost-adapter';

const TOKEN = 'mm-lifecycle-token-0123456789';
const bot = { id: 'botuser0000000000000000000', username: 'twokey', is_bot: true };

describe('gateway-mattermost lifecycle', () => {
  let nats: NatsHarness;
  let fake: FakeMattermost;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeMattermost.start({ token: TOKEN, bot, users: [], channels: [] });
  });
  afterAll(async () => {
    await fake?.close();
    await nats?.dispose();
  });
  afterEach(() => {
    fake.options.token = TOKEN;
  });

  it('P1: Mattermost unreachable at start: each attempt logged without the token, retried within 30 s, receiving false with a reason, connection test failing, then receiving', async () => {
    const proxy = await FaultProxy.start(fake.url);
    const logger = new CapturingLogger();
    const run = await playUnreachableAtStart({
      proxy,
      logger,
      start: () =>
        startGatewayUnderTest({
          nats,
          platform: 'mattermost',
          adapter: new MattermostAdapter({ connection: 'mattermost', baseUrl: proxy.url(fake.url), token: TOKEN, logger, backoff: { initialMs: 20, maxMs: 200 } }),
          logger,
          expectReady: false,
        }),
    });
    try {
      expectP1Recovery(run);
      expect(run.logText).not.toContain(TOKEN);
    } finally {
      await run.gw.stop();
      await proxy.close();
    }
  });

  it('a token revoked while running (401): the websocket stops reconnecting, the status says why, Reconnect resumes once it is valid', async () => {
    const logger = new CapturingLogger();
    const adapter = new MattermostAdapter({ connection: 'mattermost-r', baseUrl: fake.url, token: TOKEN, logger, backoff: { initialMs: 20, maxMs: 100 } });
    const gw = await startGatewayUnderTest({ nats, platform: 'mattermost', adapter, logger, config: { connection: 'mattermost-r' } });
    try {
      await untilAsync(async () => (await gw.status()).receiving, 5_000, 'receiving');
      fake.options.token = 'rotated-elsewhere';
      fake.dropSockets();
      const status = await untilAsync(async () => {
        const s = await gw.status();
        return s.halted ? s : undefined;
      }, 5_000, 'halted');
      expect(status).toMatchObject({ receiving: false, halted: true, reason: expect.stringMatching(/rejected MATTERMOST_TOKEN \(401/) });
      const attempts = fake.authAttempts.length;
      await settle(500); // five times the longest reconnect delay
      expect(fake.authAttempts.length).toBe(attempts);

      fake.options.token = TOKEN;
      await gw.reconnect();
      await untilAsync(async () => (await gw.status()).receiving, 5_000, 'receiving after Reconnect');
    } finally {
      await gw.stop();
    }
  });

  it('a rejected token at start is not retried', async () => {
    const logger = new CapturingLogger();
    const gw = await startGatewayUnderTest({
      nats,
      platform: 'mattermost',
      adapter: new MattermostAdapter({ connection: 'mattermost-bad', baseUrl: fake.url, token: 'wrong-token-0000', logger }),
      logger,
      expectReady: false,
      config: { connection: 'mattermost-bad' },
    });
    try {
      const calls = () => fake.log.filter((c) => c.path === '/api/v4/users/me').length;
      const before = calls();
      expect(before).toBeGreaterThan(0);
      await settle(2_500); // past the first two retry delays (1 s, 2 s)
      expect(calls()).toBe(before);
      expect(await gw.status()).toMatchObject({ receiving: false, halted: true, reason: expect.stringMatching(/401/) });
    } finally {
      await gw.stop();
    }
  });
});
