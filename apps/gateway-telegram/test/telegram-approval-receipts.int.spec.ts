/**
 * System messages, opt-in (SYSTEM_MESSAGES): once an admin approves the code a user posted in her DM (or a space
 * code in a group topic), the pairing-service sends a receipt there, signed with a capability it mints, through
 * gateway-telegram and the fake Bot API. A denied stranger still receives nothing.
 */
import { JsonLogger } from '@twokey/service-kit';
import { FakeTelegram, messageUpdate, privateChat, telegramUser, TelegramUpdate } from '@twokey/test-support/fakes/telegram';
import { settle } from '@twokey/test-support/gateway-harness';
import { inConversation, PairingEndToEnd, startPairingEndToEnd } from '@twokey/test-support/pairing-e2e';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService } from '../../pairing-service/src/pairing-service';
import { TelegramAdapter } from '../src/telegram-adapter';

const TOKEN = '7000000001:AAtelegram-receipt-token_012345678';
const SECRET = 'receipt-webhook-secret-0123456789';
const alice = telegramUser(1111111, 'Alice');
const mallory = telegramUser(6666666, 'Mallory');
const group = { id: -1002000000001, type: 'supergroup' as const, title: 'Tea party', is_forum: true };
const quiet = new JsonLogger('test', 'error', { write: () => undefined });

describe('approval receipts (SYSTEM_MESSAGES) through gateway-telegram', () => {
  let fake: FakeTelegram;
  let e2e: PairingEndToEnd;
  let updateId = 5000;
  let messageId = 1;
  const send = async (from: typeof alice, chat: ReturnType<typeof privateChat> | typeof group, text: string, topicId?: number) => {
    const update: TelegramUpdate = { update_id: ++updateId, ...messageUpdate({ from, chat, text, messageId: ++messageId, topicId }) };
    expect((await fake.deliverWebhook(`${e2e.gw.httpUrl}/telegram/webhook`, update, SECRET)).status).toBe(200);
  };
  const sentTo = (chatId: number) => fake.calls('sendMessage').filter((c) => String((c.body as { chat_id: unknown }).chat_id) === String(chatId));

  beforeAll(async () => {
    fake = await FakeTelegram.start({ token: TOKEN });
    e2e = await startPairingEndToEnd({
      platform: 'telegram',
      createPairingService: (config, o) =>
        createPairingService({ ...config, systemMessages: { connections: ['telegram'], userApproved: 'Welcome aboard.', spaceApproved: 'This topic is paired.' } }, o),
      adapter: () =>
        new TelegramAdapter({ connection: 'telegram', token: TOKEN, apiRoot: fake.url, mode: 'webhook', webhook: { path: '/telegram/webhook', secretToken: SECRET }, logger: quiet }),
    });
  });
  afterAll(async () => {
    await e2e?.stop();
    await fake?.close();
  });

  it('tells a user she is approved, in the DM where she posted her code, once', async () => {
    await e2e.pair('user', (code) => send(alice, privateChat(alice), `/start ${code}`), (e) => e.data.actor.id === String(alice.id));
    await fake.log.waitFor((c) => c.path.endsWith('/sendMessage') && String((c.body as { chat_id: unknown }).chat_id) === String(alice.id));
    await settle(300);
    expect(sentTo(alice.id).map((c) => c.body)).toEqual([expect.objectContaining({ chat_id: String(alice.id), text: 'Welcome aboard.' })]);
  });

  it('tells a space it is paired, in the topic where the code was posted', async () => {
    await e2e.pair('space', (code) => send(alice, group, `/pair ${code}`, 9), (e) => e.data.purpose === 'space');
    const call = await fake.log.waitFor((c) => c.path.endsWith('/sendMessage') && String((c.body as { chat_id: unknown }).chat_id) === String(group.id));
    expect(call.body).toMatchObject({ text: 'This topic is paired.', message_thread_id: 9 });
  });

  it('says nothing to a denied stranger', async () => {
    await send(mallory, privateChat(mallory), 'hi?');
    await e2e.denied(inConversation(String(mallory.id)));
    await settle(300);
    expect(sentTo(mallory.id)).toEqual([]);
    expect(e2e.fatal).toEqual([]);
  });
});
