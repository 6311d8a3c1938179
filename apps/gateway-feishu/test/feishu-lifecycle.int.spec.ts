/**
 * gateway-feishu's connection lifecycle: refused app credentials are not retried (issue 19), an unreachable Open
 * Platform at start is (issue 20 P1). The real SDK against the fake Feishu.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FaultProxy } from '@twokey/test-support/fault-proxy';
import { FakeFeishu } from '@twokey/test-support/fakes/feishu';
import { CapturingLogger, settle, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { expectP1Recovery, playUnreachableAtStart } from '@twokey/test-support/unreachable-at-start';
import { FeishuAdapter } from '../src/feishu-adapter';

const APP_ID = 'cli_9f5343c5807125aa';
const APP_SECRET = 'feishu-lifecycle-app-secret-0123456789';

describe('gateway-feishu lifecycle', () => {
  let nats: NatsHarness;
  let fake: FakeFeishu;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeFeishu.start({ appId: APP_ID, appSecret: APP_SECRET, verificationToken: 'v-token', users: [] });
  });
  afterAll(async () => {
    await fake?.close();
    await nats?.dispose();
  });

  it.each(['webhook', 'long-connection'] as const)(
    'P1 (%s): the Open Platform unreachable at start: each attempt logged without the secret, retried within 30 s, receiving false with a reason, connection test failing, then receiving',
    async (mode) => {
      const proxy = await FaultProxy.start(fake.url);
      const logger = new CapturingLogger();
      const connection = `feishu-${mode}`;
      const run = await playUnreachableAtStart({
        proxy,
        logger,
        start: () =>
          startGatewayUnderTest({
            nats,
            platform: 'feishu',
            adapter: new FeishuAdapter({ connection, appId: APP_ID, appSecret: APP_SECRET, domain: proxy.url(fake.url), mode, verificationToken: 'v-token', encryptKey: 'k'.repeat(32), logger }),
            logger,
            expectReady: false,
            config: { connection },
          }),
      });
      try {
        expectP1Recovery(run);
        expect(run.logText).not.toContain(APP_SECRET);
      } finally {
        await run.gw.stop();
        await proxy.close();
      }
    },
  );

  it('a refused app secret stops the retries: halted with the reason', async () => {
    const logger = new CapturingLogger();
    const gw = await startGatewayUnderTest({
      nats,
      platform: 'feishu',
      adapter: new FeishuAdapter({ connection: 'feishu-bad', appId: APP_ID, appSecret: 'wrong-secret-0000000000', domain: fake.url, mode: 'webhook', verificationToken: 'v-token', encryptKey: 'lifecycle-encrypt-key', logger }),
      logger,
      expectReady: false,
      config: { connection: 'feishu-bad' },
    });
    try {
      const calls = () => fake.log.filter((c) => c.path.includes('tenant_access_token')).length;
      const before = calls();
      expect(before).toBeGreaterThan(0);
      await settle(2_500); // past the first two retry delays (1 s, 2 s)
      expect(calls()).toBe(before);
      expect(await gw.status()).toMatchObject({ receiving: false, halted: true, reason: expect.stringMatching(/10014|app secret invalid/) });
    } finally {
      await gw.stop();
    }
  });
});
