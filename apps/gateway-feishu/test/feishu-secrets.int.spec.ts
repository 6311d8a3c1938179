/** H1 (issue 20): with Feishu unreachable or refusing the app secret, nothing the gateway says quotes a secret. */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeFeishu } from '@twokey/test-support/fakes/feishu';
import { CapturingLogger, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { probeSecretSurfaces, quotedSecrets } from '@twokey/test-support/secret-probe';
import { FeishuAdapter } from '../src/feishu-adapter';

const APP_ID = 'cli_secretprobe000001';
const APP_SECRET = 'feishu-app-secret-probe-0123';
const VERIFICATION = 'verification-token-probe-0123';
const ENCRYPT_KEY = 'encrypt-key-probe-0123456789';
const SECRETS = [APP_SECRET, VERIFICATION, ENCRYPT_KEY];

describe('gateway-feishu: no secret in errors, status, readiness, logs or dead letters', () => {
  let nats: NatsHarness;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    await nats?.dispose();
  });

  it('H1: with Feishu unreachable, the connection test, send, status, /readyz, logs and dead letters hold no secret', async () => {
    const fake = await FakeFeishu.start({ appId: APP_ID, appSecret: APP_SECRET, verificationToken: VERIFICATION, users: [] });
    const logger = new CapturingLogger();
    const a = new FeishuAdapter({ connection: 'fs-down', appId: APP_ID, appSecret: APP_SECRET, domain: fake.url, mode: 'webhook', verificationToken: VERIFICATION, encryptKey: ENCRYPT_KEY, logger, requestTimeoutMs: 2_000 });
    const gw = await startGatewayUnderTest({ nats, platform: 'feishu', adapter: a, logger, config: { connection: 'fs-down' } });
    try {
      await fake.close();
      const seen = await probeSecretSurfaces(gw, logger, 'oc_probe00000000000000000000000');
      expect(JSON.parse(seen.connectionTest)).toMatchObject({ ok: false, error: 'Feishu API unreachable while getting a tenant access token: ECONNREFUSED' });
      expect(quotedSecrets(seen.all, SECRETS)).toEqual([]);
    } finally {
      await gw.stop();
    }
  });

  it('H1: with Feishu refusing the app secret, the start error, connection test, dead letter and logs hold no secret', async () => {
    const fake = await FakeFeishu.start({ appId: APP_ID, appSecret: 'the-right-app-secret-0123', verificationToken: VERIFICATION, users: [] });
    const logger = new CapturingLogger();
    const a = new FeishuAdapter({ connection: 'fs-401', appId: APP_ID, appSecret: APP_SECRET, domain: fake.url, mode: 'webhook', verificationToken: VERIFICATION, encryptKey: ENCRYPT_KEY, logger });
    const gw = await startGatewayUnderTest({ nats, platform: 'feishu', adapter: a, logger, expectReady: false, config: { connection: 'fs-401' } });
    try {
      const seen = await probeSecretSurfaces(gw, logger, 'oc_probe00000000000000000000000');
      expect(JSON.parse(seen.connectionTest)).toMatchObject({ ok: false, error: expect.stringContaining('tenant access token') });
      expect(quotedSecrets(seen.all, SECRETS)).toEqual([]);
    } finally {
      await gw.stop();
      await fake.close();
    }
  });
});
