/**
 * gateway-line's start: a rejected access token is not retried (issue 19), an unreachable LINE is (issue 20 P1).
 * The real SDK against the fake LINE.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FaultProxy } from '@twokey/test-support/fault-proxy';
import { FakeLine } from '@twokey/test-support/fakes/line';
import { CapturingLogger, settle, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { expectP1Recovery, playUnreachableAtStart } from '@twokey/test-support/unreachable-at-start';
import { LineAdapter } from '../src/line-adapter';

const TOKEN = 'line-lifecycle-channel-access-token-0123456789';
const SECRET = 'line-lifecycle-channel-secret';

describe('gateway-line lifecycle', () => {
  let nats: NatsHarness;
  let fake: FakeLine;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeLine.start({ channelAccessToken: TOKEN, profiles: [] });
  });
  afterAll(async () => {
    await fake?.close();
    await nats?.dispose();
  });

  it('P1: LINE unreachable at start: each attempt logged without the token, retried within 30 s, receiving false with a reason, connection test failing, then receiving', async () => {
    const proxy = await FaultProxy.start(fake.url);
    const logger = new CapturingLogger();
    const run = await playUnreachableAtStart({
      proxy,
      logger,
      start: () =>
        startGatewayUnderTest({
          nats,
          platform: 'line',
          adapter: new LineAdapter({ connection: 'line', channelSecret: SECRET, channelAccessToken: TOKEN, apiBaseUrl: proxy.url(fake.url), logger }),
          logger,
          expectReady: false,
        }),
    });
    try {
      expectP1Recovery(run, expect.stringMatching(/LINE API unreachable/));
      expect(run.logText).not.toContain(TOKEN);
    } finally {
      await run.gw.stop();
      await proxy.close();
    }
  });

  it('a rejected access token (401) stops the retries: halted with the reason', async () => {
    const logger = new CapturingLogger();
    const gw = await startGatewayUnderTest({
      nats,
      platform: 'line',
      adapter: new LineAdapter({ connection: 'line-bad', channelSecret: SECRET, channelAccessToken: 'wrong-token-000000', apiBaseUrl: fake.url, logger }),
      logger,
      expectReady: false,
      config: { connection: 'line-bad' },
    });
    try {
      const calls = () => fake.log.filter((c) => c.path === '/v2/bot/info').length;
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
