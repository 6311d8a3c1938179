/**
 * gateway-telegram in webhook mode: grammY's webhookCallback mounted on the kit's HTTP server, secret token checked.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeTelegram, messageUpdate, privateChat, telegramUser } from '@twokey/test-support/fakes/telegram';
import { CapturingLogger, GatewayUnderTest, settle, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { openRaw } from '@twokey/test-support/raw-http';
import { TELEGRAM_MAX_UPDATE_BYTES, TelegramAdapter } from '../src/telegram-adapter';

const TOKEN = '7000000001:AAtelegram-webhook-token_0123456789';
const SECRET = 'webhook-secret-0123456789abcdef';
const alice = telegramUser(1111111, 'Alice');

describe('gateway-telegram (webhook) against the fake Bot API', () => {
  let nats: NatsHarness;
  let fake: FakeTelegram;
  let gw: GatewayUnderTest;
  const logger = new CapturingLogger();
  let hook: string;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeTelegram.start({ token: TOKEN });
    const adapter = new TelegramAdapter({
      connection: 'telegram',
      token: TOKEN,
      apiRoot: fake.url,
      mode: 'webhook',
      webhook: { path: '/telegram/webhook', secretToken: SECRET, url: 'https://gateway.example/telegram/webhook' },
      logger,
    });
    gw = await startGatewayUnderTest({ nats, platform: 'telegram', adapter, logger });
    hook = `${gw.httpUrl}/telegram/webhook`;
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  const byId = (id: string) => (m: { data: { platformMessageId: string } }) => m.data.platformMessageId === id;

  it('L5: a request without the secret token header is refused before its body is read; bodies are capped', async () => {
    const c = await openRaw(gw.gateway.httpPort, 'POST /telegram/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{"update_id":');
    const { text } = await c.received(300);
    c.socket.destroy();
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
    const big = await openRaw(gw.gateway.httpPort, `POST /telegram/webhook HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: ${SECRET}\r\nContent-Length: ${TELEGRAM_MAX_UPDATE_BYTES + 1}\r\n\r\n`);
    const tooLarge = await big.received(300);
    big.socket.destroy();
    expect(tooLarge.text).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('registers the webhook with its secret token and never long-polls', () => {
    expect(fake.webhookInfo).toEqual({ url: 'https://gateway.example/telegram/webhook', secret_token: SECRET });
    expect(fake.calls('getUpdates')).toEqual([]);
  });

  it('accepts an update with the right secret, and publishes a redelivered update once', async () => {
    const update = { update_id: 500, ...messageUpdate({ from: alice, chat: privateChat(alice), text: '/start ABCD-EFGH', messageId: 41 }) };
    expect((await fake.deliverWebhook(hook, update, SECRET)).status).toBe(200);
    // Telegram delivers an update again when it did not see the answer in time.
    expect((await fake.deliverWebhook(hook, update, SECRET)).status).toBe(200);
    const m = await gw.inbound.waitFor(byId('1111111:41'));
    expect(m.data.text).toBe('/start ABCD-EFGH');
    await settle();
    expect(gw.inbound.items.filter(byId('1111111:41'))).toHaveLength(1);
  });

  it('refuses a wrong or missing secret token with 401 and publishes nothing', async () => {
    const update = { update_id: 501, ...messageUpdate({ from: alice, chat: privateChat(alice), text: 'forged', messageId: 42 }) };
    expect((await fake.deliverWebhook(hook, update, 'wrong-secret-0123456789abcdef')).status).toBe(401);
    expect((await fake.deliverWebhook(hook, update)).status).toBe(401);
    expect(logger.find('warn', 'wrong or missing secret token')).not.toHaveLength(0);
    expect(logger.lines.join('\n')).not.toContain(SECRET);
    await settle();
    expect(gw.inbound.items.filter(byId('1111111:42'))).toEqual([]);
  });

  it('refuses a body that is not JSON with 400 and a clear log line, and keeps serving', async () => {
    expect((await fake.deliverWebhook(hook, '{"update_id": 502, "message": secret text', SECRET)).status).toBe(400);
    const err = logger.find('error', 'not JSON');
    expect(err).not.toHaveLength(0);
    expect(JSON.stringify(err)).not.toContain('secret text');
    const next = { update_id: 503, ...messageUpdate({ from: alice, chat: privateChat(alice), text: 'after', messageId: 43 }) };
    expect((await fake.deliverWebhook(hook, next, SECRET)).status).toBe(200);
    await gw.inbound.waitFor(byId('1111111:43'));
  });
});
