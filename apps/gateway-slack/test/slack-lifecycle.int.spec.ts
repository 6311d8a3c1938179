/**
 * gateway-slack's connection lifecycle: a rejected token is not retried (issue 19), an unreachable Slack at start
 * is (issue 20 P1). Bolt (unmodified) against the fake Slack.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FaultProxy } from '@twokey/test-support/fault-proxy';
import { FakeSlack } from '@twokey/test-support/fakes/slack';
import { CapturingLogger, settle, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { expectP1Recovery, playUnreachableAtStart } from '@twokey/test-support/unreachable-at-start';
import { SlackAdapter } from '../src/slack-adapter';

const BOT_TOKEN = 'xoxb-3333-4444-lifecycletoken';
const APP_TOKEN = 'xapp-1-A0FAKE0002-lifecycleapptoken';
const SIGNING_SECRET = 'slack-signing-secret-lifecycle-0123456789';

describe('gateway-slack lifecycle', () => {
  let nats: NatsHarness;
  let fake: FakeSlack;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeSlack.start({ botToken: BOT_TOKEN, appToken: APP_TOKEN, teamId: 'T0FAKE0002', users: [] });
  });
  afterAll(async () => {
    await fake?.close();
    await nats?.dispose();
  });

  it('P1: Slack unreachable at start: each attempt logged without the token, retried within 30 s, receiving false with a reason, connection test failing, then receiving', async () => {
    const proxy = await FaultProxy.start(fake.apiUrl);
    const logger = new CapturingLogger();
    const run = await playUnreachableAtStart({
      proxy,
      logger,
      start: () =>
        startGatewayUnderTest({
          nats,
          platform: 'slack',
          adapter: new SlackAdapter({ connection: 'slack', botToken: BOT_TOKEN, mode: 'http', signingSecret: SIGNING_SECRET, apiUrl: proxy.url(fake.apiUrl), logger }),
          logger,
          expectReady: false,
        }),
    });
    try {
      expectP1Recovery(run);
      expect(run.logText).not.toContain(BOT_TOKEN);
    } finally {
      await run.gw.stop();
      await proxy.close();
    }
  });

  it.each([
    ['http', { mode: 'http' as const, botToken: 'xoxb-0000-wrong-token', signingSecret: SIGNING_SECRET }],
    ['socket (a wrong app token)', { mode: 'socket' as const, botToken: BOT_TOKEN, appToken: 'xapp-1-A0-wrong-app-token' }],
  ])('invalid_auth (%s) stops the retries: halted with the reason until Reconnect', async (_label, tokens) => {
    const logger = new CapturingLogger();
    const connection = `slack-bad-${tokens.mode}`;
    const gw = await startGatewayUnderTest({
      nats,
      platform: 'slack',
      adapter: new SlackAdapter({ connection, apiUrl: fake.apiUrl, logger, ...tokens }),
      logger,
      expectReady: false,
      config: { connection },
    });
    try {
      const calls = () => fake.log.filter((c) => c.path.endsWith('/auth.test') || c.path.endsWith('/apps.connections.open')).length;
      const before = calls();
      expect(before).toBeGreaterThan(0);
      await settle(2_500); // past the first two retry delays (1 s, 2 s)
      expect(calls()).toBe(before);
      expect(await gw.status()).toMatchObject({ receiving: false, halted: true, reason: expect.stringMatching(/invalid_auth/) });
      await gw.reconnect();
      expect(calls()).toBeGreaterThan(before);
    } finally {
      await gw.stop();
    }
  });
});
