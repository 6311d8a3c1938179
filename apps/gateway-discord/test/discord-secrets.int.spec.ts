/** H1 (issue 20): with Discord unreachable or answering 401, nothing the gateway says quotes the bot token. */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeDiscord } from '@twokey/test-support/fakes/discord';
import { CapturingLogger, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { probeSecretSurfaces, quotedSecrets } from '@twokey/test-support/secret-probe';
import { DiscordAdapter } from '../src/discord-adapter';

const TOKEN = 'discord-secret-probe.0123456789.abcdefghijklmnopqrst';

describe('gateway-discord: no secret in errors, status, readiness, logs or dead letters', () => {
  let nats: NatsHarness;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    await nats?.dispose();
  });

  it('H1: with Discord unreachable, the connection test, send, status, /readyz, logs and dead letters hold no token', async () => {
    const fake = await FakeDiscord.start({ token: TOKEN, guilds: [] });
    const logger = new CapturingLogger();
    const adapter = new DiscordAdapter({ connection: 'dc-down', token: TOKEN, apiUrl: fake.apiUrl, logger, waitGuildTimeoutMs: 500 });
    const gw = await startGatewayUnderTest({ nats, platform: 'discord', adapter, logger, config: { connection: 'dc-down' } });
    try {
      await fake.close();
      const seen = await probeSecretSurfaces(gw, logger, '123456789012345678');
      expect(JSON.parse(seen.connectionTest)).toMatchObject({ ok: false });
      expect(quotedSecrets(seen.all, [TOKEN])).toEqual([]);
    } finally {
      await gw.stop();
    }
  });

  it('H1: with Discord answering 401, the start error, connection test, dead letter and logs hold no token', async () => {
    const fake = await FakeDiscord.start({ token: 'the-right-token.0123456789.abcdefghijklmnop', guilds: [] });
    const logger = new CapturingLogger();
    const adapter = new DiscordAdapter({ connection: 'dc-401', token: TOKEN, apiUrl: fake.apiUrl, logger });
    const gw = await startGatewayUnderTest({ nats, platform: 'discord', adapter, logger, expectReady: false, config: { connection: 'dc-401' } });
    try {
      const seen = await probeSecretSurfaces(gw, logger, '123456789012345678');
      expect(JSON.parse(seen.connectionTest)).toMatchObject({ ok: false, error: expect.stringContaining('401') });
      expect(quotedSecrets(seen.all, [TOKEN])).toEqual([]);
    } finally {
      await gw.stop();
      await fake.close();
    }
  });
});
