/**
 * H1 (issue 20): with the Bot API unreachable or answering 401, nothing the gateway says quotes the bot token —
 * grammY's inner fetch error names the whole `…/bot<TOKEN>/<method>` URL.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeTelegram } from '@twokey/test-support/fakes/telegram';
import { CapturingLogger, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { probeSecretSurfaces, quotedSecrets } from '@twokey/test-support/secret-probe';
import { TelegramAdapter } from '../src/telegram-adapter';

const TOKEN = '7000000002:AAsecret-probe-token_0123456789abc';
const tokenTail = TOKEN.split(':')[1];

describe('gateway-telegram: no secret in errors, status, readiness, logs or dead letters', () => {
  let nats: NatsHarness;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    await nats?.dispose();
  });

  it('H1: with the Bot API unreachable, the connection test, send, status, /readyz, logs and dead letters hold no token', async () => {
    const fake = await FakeTelegram.start({ token: TOKEN });
    const logger = new CapturingLogger();
    const adapter = new TelegramAdapter({ connection: 'tg-down', token: TOKEN, apiRoot: fake.url, mode: 'polling', logger, pollingTimeoutSeconds: 1 });
    const gw = await startGatewayUnderTest({ nats, platform: 'telegram', adapter, logger, config: { connection: 'tg-down' } });
    try {
      await fake.close(); // the Bot API goes away
      const seen = await probeSecretSurfaces(gw, logger, '1111111');
      expect(JSON.parse(seen.connectionTest)).toMatchObject({ ok: false, error: expect.stringMatching(/^Telegram API unreachable on getMe: ECONNREFUSED$/) });
      expect(seen.logs).toMatch(/Telegram API unreachable on sendMessage: ECONNREFUSED/);
      expect(quotedSecrets(seen.all, [TOKEN, tokenTail])).toEqual([]);
    } finally {
      await gw.stop();
    }
  });

  it('H1: with the Bot API answering 401, the start error, connection test, dead letter and logs hold no token', async () => {
    const fake = await FakeTelegram.start({ token: '7000000003:AAthe-right-token_0123456789abcdef' });
    const logger = new CapturingLogger();
    const adapter = new TelegramAdapter({ connection: 'tg-401', token: TOKEN, apiRoot: fake.url, mode: 'polling', logger });
    const gw = await startGatewayUnderTest({ nats, platform: 'telegram', adapter, logger, expectReady: false, config: { connection: 'tg-401' } });
    try {
      const seen = await probeSecretSurfaces(gw, logger, '1111111');
      expect(JSON.parse(seen.connectionTest)).toMatchObject({ ok: false, error: expect.stringContaining('401 Unauthorized') });
      await gw.dlq.waitFor((d) => /sendMessage refused: 401/.test(d.reason));
      expect(quotedSecrets(seen.all + JSON.stringify(gw.dlq.items), [TOKEN, tokenTail])).toEqual([]);
    } finally {
      await gw.stop();
      await fake.close();
    }
  });
});
