/**
 * End to end: fake Telegram → gateway-telegram (webhook mode, so Telegram's redelivery can be played) → NATS →
 * the real pairing-service (in process). Silent denial is asserted on the fake's call log; admission on
 * `<prefix>.admitted.telegram`.
 */
import { JsonLogger } from '@twokey/service-kit';
import { FakeTelegram, messageUpdate, privateChat, telegramUser, TelegramUpdate } from '@twokey/test-support/fakes/telegram';
import { settle } from '@twokey/test-support/gateway-harness';
import { admittedWithId, inConversation, PairingEndToEnd, startPairingEndToEnd } from '@twokey/test-support/pairing-e2e';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService } from '../../pairing-service/src/pairing-service';
import { TelegramAdapter } from '../src/telegram-adapter';

const TOKEN = '7000000001:AAtelegram-e2e-token_0123456789';
const SECRET = 'e2e-webhook-secret-0123456789';
const alice = telegramUser(1111111, 'Alice', { username: 'alice' });
const mallory = telegramUser(6666666, 'Mallory');
const quiet = new JsonLogger('test', 'error', { write: () => undefined });
const group = { id: -1002000000001, type: 'supergroup' as const, title: 'Tea party', is_forum: true };

describe('gateway-telegram with the pairing-service (end to end)', () => {
  let fake: FakeTelegram;
  let e2e: PairingEndToEnd;
  let updateId = 1000;
  let messageId = 1;
  const send = async (from: typeof alice, chat: ReturnType<typeof privateChat> | typeof group, text: string, topicId?: number) => {
    const update: TelegramUpdate = { update_id: ++updateId, ...messageUpdate({ from, chat, text, messageId: ++messageId, topicId }) };
    const res = await fake.deliverWebhook(`${e2e.gw.httpUrl}/telegram/webhook`, update, SECRET);
    expect(res.status).toBe(200);
    return { update, id: `${chat.id}:${messageId}` };
  };

  beforeAll(async () => {
    fake = await FakeTelegram.start({ token: TOKEN });
    e2e = await startPairingEndToEnd({
      platform: 'telegram',
      createPairingService,
      adapter: () =>
        new TelegramAdapter({
          connection: 'telegram',
          token: TOKEN,
          apiRoot: fake.url,
          mode: 'webhook',
          webhook: { path: '/telegram/webhook', secretToken: SECRET },
          logger: quiet,
        }),
    });
  });
  afterAll(async () => {
    await e2e?.stop();
    await fake?.close();
  });

  it("denies a stranger's DM and group message silently: zero calls a user would notice", async () => {
    const dm = await send(mallory, privateChat(mallory), 'let me in');
    // Telegram delivers the same update again: still one decision.
    await fake.deliverWebhook(`${e2e.gw.httpUrl}/telegram/webhook`, dm.update, SECRET);
    await send(mallory, group, '/pair ABCD-EFGH');
    const dmDenial = await e2e.denied(inConversation(String(mallory.id)));
    expect(dmDenial.data).toMatchObject({ reason: 'user-not-allowlisted', actor: { id: String(mallory.id) }, count: 1 });
    const groupDenial = await e2e.denied(inConversation(String(group.id)));
    expect(groupDenial.data.space).toMatchObject({ id: String(group.id), kind: 'telegram-supergroup' });
    await settle();
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.admitted.items).toEqual([]);
  });

  it('pairs a user through a /start deep link, then admits her DMs once each, even when delivered twice', async () => {
    const observed = await e2e.pair(
      'user',
      (code) => send(alice, privateChat(alice), `/start ${code}`),
      (e) => e.data.actor.id === String(alice.id),
    );
    expect(observed.data.conversation).toMatchObject({ id: String(alice.id), kind: 'dm' });

    const hello = await send(alice, privateChat(alice), 'hello agent');
    await fake.deliverWebhook(`${e2e.gw.httpUrl}/telegram/webhook`, hello.update, SECRET);
    const m = await e2e.admitted.waitFor(admittedWithId(hello.id));
    expect(m.subject).toBe(e2e.gw.subjects.admitted('telegram'));
    expect(m.data.message).toMatchObject({ actor: { id: String(alice.id) }, conversation: { kind: 'dm' }, text: 'hello agent' });
    const next = await send(alice, privateChat(alice), 'second');
    await e2e.admitted.waitFor(admittedWithId(next.id));
    expect(e2e.admitted.items.filter(admittedWithId(hello.id))).toHaveLength(1);
  });

  it('pairs the supergroup as a space through the paired user, then admits her topic messages', async () => {
    const observed = await e2e.pair(
      'space',
      (code) => send(alice, group, `/pair ${code}`, 9),
      (e) => e.data.purpose === 'space',
    );
    expect(observed.data.space).toMatchObject({ id: String(group.id), kind: 'telegram-supergroup' });

    const inTopic = await send(alice, group, 'now in the group', 9);
    const m = await e2e.admitted.waitFor(admittedWithId(inTopic.id));
    expect(m.data.message.conversation).toMatchObject({ id: String(group.id), threadId: '9' });
    await send(mallory, group, 'me too');
    await e2e.denied((e) => e.data.actor.id === String(mallory.id) && e.data.reason === 'user-not-allowlisted' && e.data.conversation.id === String(group.id));
    expect(e2e.admitted.items.filter((x) => x.data.message.actor.id === String(mallory.id))).toEqual([]);
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.fatal).toEqual([]);
  });

  it('issue 19: @botname CODE (entities) in a topic of another group pairs it; a later /ask@botname is admitted without the address', async () => {
    const other = { id: -1002000000002, type: 'supergroup' as const, title: 'Second party', is_forum: true };
    const observed = await e2e.pair('space', (code) => send(alice, other, `@twokey_bot ${code}`, 4), (e) => e.data.space?.id === String(other.id));
    expect(observed.data.space).toEqual({ id: String(other.id), kind: 'telegram-supergroup', title: 'Second party' });
    expect(observed.data.conversation).toMatchObject({ threadId: '4' });
    const ask = await send(alice, other, '/ask@twokey_bot what changed?', 4);
    const m = await e2e.admitted.waitFor(admittedWithId(ask.id));
    expect(m.data.message).toMatchObject({ text: '/ask what changed?', mentionedBot: true });
  });
});
