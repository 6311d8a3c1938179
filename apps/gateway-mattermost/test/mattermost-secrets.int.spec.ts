/**
 * H1 (issue 20): with Mattermost unreachable or answering 401, nothing the gateway says quotes the token. A
 * Mattermost token looks like any Mattermost id, so only the adapter's own error texts can keep it out.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeMattermost } from '@twokey/test-support/fakes/mattermost';
import { CapturingLogger, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { probeSecretSurfaces, quotedSecrets } from '@twokey/test-support/secret-probe';
import { MattermostAdapter } from '../src/mattermost-adapter';

const TOKEN = 'mmsecretprobe0123456789abc';
const bot = { id: 'bot0000000000000000000000a', username: 'twokey-bot' };

describe('gateway-mattermost: no secret in errors, status, readiness, logs or dead letters', () => {
  let nats: NatsHarness;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    await nats?.dispose();
  });

  it('H1: with Mattermost unreachable, the connection test, send, status, /readyz, logs and dead letters hold no token', async () => {
    const fake = await FakeMattermost.start({ token: TOKEN, bot, users: [], channels: [] });
    const logger = new CapturingLogger();
    const adapter = new MattermostAdapter({ connection: 'mm-down', baseUrl: fake.url, token: TOKEN, logger, backoff: { initialMs: 50, maxMs: 200 } });
    const gw = await startGatewayUnderTest({ nats, platform: 'mattermost', adapter, logger, config: { connection: 'mm-down' } });
    try {
      await fake.close();
      const seen = await probeSecretSurfaces(gw, logger, 'chan0000000000000000000000');
      expect(JSON.parse(seen.connectionTest)).toMatchObject({ ok: false, error: 'Mattermost GET /api/v4/users/me unreachable: ECONNREFUSED' });
      expect(quotedSecrets(seen.all, [TOKEN])).toEqual([]);
    } finally {
      await gw.stop();
    }
  });

  it('H1: with Mattermost answering 401, the start error, connection test, dead letter and logs hold no token', async () => {
    const fake = await FakeMattermost.start({ token: 'therighttoken0123456789abc', bot, users: [], channels: [] });
    const logger = new CapturingLogger();
    const adapter = new MattermostAdapter({ connection: 'mm-401', baseUrl: fake.url, token: TOKEN, logger });
    const gw = await startGatewayUnderTest({ nats, platform: 'mattermost', adapter, logger, expectReady: false, config: { connection: 'mm-401' } });
    try {
      const seen = await probeSecretSurfaces(gw, logger, 'chan0000000000000000000000');
      expect(JSON.parse(seen.connectionTest)).toMatchObject({ ok: false, error: expect.stringContaining('401') });
      expect(quotedSecrets(seen.all, [TOKEN])).toEqual([]);
    } finally {
      await gw.stop();
      await fake.close();
    }
  });
});
