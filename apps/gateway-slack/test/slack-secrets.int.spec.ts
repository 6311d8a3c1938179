/** H1 (issue 20): with Slack unreachable or refusing the token, nothing the gateway says quotes a token or secret. */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeSlack } from '@twokey/test-support/fakes/slack';
import { CapturingLogger, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { probeSecretSurfaces, quotedSecrets } from '@twokey/test-support/secret-probe';
import { SlackAdapter } from '../src/slack-adapter';

const BOT_TOKEN = 'xoxb-9999-8888-secretprobe';
const SIGNING_SECRET = 'slack-signing-secret-probe-0123456789';
const SECRETS = [BOT_TOKEN, SIGNING_SECRET];

describe('gateway-slack: no secret in errors, status, readiness, logs or dead letters', () => {
  let nats: NatsHarness;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    await nats?.dispose();
  });

  it('H1: with Slack unreachable, the connection test, send, status, /readyz, logs and dead letters hold no token', async () => {
    const fake = await FakeSlack.start({ botToken: BOT_TOKEN, teamId: 'T0PROBE001', users: [] });
    const logger = new CapturingLogger();
    const adapter = new SlackAdapter({ connection: 'sl-down', botToken: BOT_TOKEN, mode: 'http', signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl, logger });
    const gw = await startGatewayUnderTest({ nats, platform: 'slack', adapter, logger, config: { connection: 'sl-down' } });
    try {
      await fake.close();
      const seen = await probeSecretSurfaces(gw, logger, 'C0PROBE001');
      expect(JSON.parse(seen.connectionTest)).toMatchObject({ ok: false });
      expect(quotedSecrets(seen.all, SECRETS)).toEqual([]);
    } finally {
      await gw.stop();
    }
  });

  it('H1: with Slack refusing the token, the start error, connection test, dead letter and logs hold no token', async () => {
    const fake = await FakeSlack.start({ botToken: 'xoxb-1111-2222-therighttoken', teamId: 'T0PROBE001', users: [] });
    const logger = new CapturingLogger();
    const adapter = new SlackAdapter({ connection: 'sl-401', botToken: BOT_TOKEN, mode: 'http', signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl, logger });
    const gw = await startGatewayUnderTest({ nats, platform: 'slack', adapter, logger, expectReady: false, config: { connection: 'sl-401' } });
    try {
      const seen = await probeSecretSurfaces(gw, logger, 'C0PROBE001');
      expect(JSON.parse(seen.connectionTest)).toMatchObject({ ok: false, error: expect.stringContaining('invalid_auth') });
      expect(quotedSecrets(seen.all, SECRETS)).toEqual([]);
    } finally {
      await gw.stop();
      await fake.close();
    }
  });
});
