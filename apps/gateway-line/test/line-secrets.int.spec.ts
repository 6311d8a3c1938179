/** H1 (issue 20): with LINE unreachable or answering 401, nothing the gateway says quotes the token or secret. */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeLine } from '@twokey/test-support/fakes/line';
import { CapturingLogger, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { probeSecretSurfaces, quotedSecrets } from '@twokey/test-support/secret-probe';
import { LineAdapter } from '../src/line-adapter';

const SECRET = 'line-channel-secret-probe-0123';
const TOKEN = 'line-channel-access-token-probe-0123';
const USER = 'U' + 'a'.repeat(32);

describe('gateway-line: no secret in errors, status, readiness, logs or dead letters', () => {
  let nats: NatsHarness;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    await nats?.dispose();
  });

  it('H1: with LINE unreachable, the connection test, send, status, /readyz, logs and dead letters hold no secret', async () => {
    const fake = await FakeLine.start({ channelAccessToken: TOKEN, profiles: [] });
    const logger = new CapturingLogger();
    const adapter = new LineAdapter({ connection: 'ln-down', channelSecret: SECRET, channelAccessToken: TOKEN, apiBaseUrl: fake.url, logger });
    const gw = await startGatewayUnderTest({ nats, platform: 'line', adapter, logger, config: { connection: 'ln-down' } });
    try {
      await fake.close();
      const seen = await probeSecretSurfaces(gw, logger, USER);
      expect(JSON.parse(seen.connectionTest)).toMatchObject({ ok: false, error: 'LINE API unreachable: ECONNREFUSED' });
      expect(quotedSecrets(seen.all, [SECRET, TOKEN])).toEqual([]);
    } finally {
      await gw.stop();
    }
  });

  it('H1: with LINE answering 401, the start error, connection test, dead letter and logs hold no secret', async () => {
    const fake = await FakeLine.start({ channelAccessToken: 'the-right-line-token-0123', profiles: [] });
    const logger = new CapturingLogger();
    const adapter = new LineAdapter({ connection: 'ln-401', channelSecret: SECRET, channelAccessToken: TOKEN, apiBaseUrl: fake.url, logger });
    const gw = await startGatewayUnderTest({ nats, platform: 'line', adapter, logger, expectReady: false, config: { connection: 'ln-401' } });
    try {
      const seen = await probeSecretSurfaces(gw, logger, USER);
      expect(JSON.parse(seen.connectionTest)).toMatchObject({ ok: false, error: expect.stringContaining('401') });
      expect(quotedSecrets(seen.all, [SECRET, TOKEN])).toEqual([]);
    } finally {
      await gw.stop();
      await fake.close();
    }
  });
});
