/**
 * Issue 19, as Feishu really delivers it: a group message reaches the bot only when it @-mentions the bot, so the
 * owner posts `@<bot name> CODE`. End to end (the real pairing-service in process), over an encrypted, signed
 * webhook and over the long connection. The chat info (the group's title) is asked for only when an admin looks,
 * through the gateway's space-title RPC: never for a message, so a denied stranger costs Feishu no call.
 */
import { JsonLogger } from '@twokey/service-kit';
import { FakeFeishu } from '@twokey/test-support/fakes/feishu';
import { admittedWithId, inConversation, PairingEndToEnd, startPairingEndToEnd } from '@twokey/test-support/pairing-e2e';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService } from '../../pairing-service/src/pairing-service';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the admin's view: the admin-api's own title look-up
import { SpaceTitles } from '../../admin-api/src/connections/space-titles';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the admin's view: the admin-api's own title look-up
import { observationsWithTitles } from '../../admin-api/src/connections/titled-views';
import { FeishuAdapter } from '../src/feishu-adapter';

const APP_ID = 'cli_9f5343c580712599';
const APP_SECRET = 'feishu-mention-app-secret-0123';
const VERIFICATION = 'verification-token-mention';
const ENCRYPT_KEY = 'encrypt-key-mention-0123456789';
const BOT_NAME = 'Twokey Acceptance Bot';
const alice = { open_id: 'ou_alice000000000000000000000000', name: 'Alice Wang' };
const GROUP = 'oc_group0000000000000000000000mention';
const GROUP_NAME = 'Release crew';
const STRANGERS_GROUP = 'oc_group0000000000000000000000strange';
const mallory = { open_id: 'ou_mallory00000000000000000000000', name: 'Mallory' };
const quiet = new JsonLogger('test', 'error', { write: () => undefined });

describe.each(['webhook', 'long-connection'] as const)('Feishu group pairing with @%s', (mode) => {
  let fake: FakeFeishu;
  let e2e: PairingEndToEnd;

  beforeAll(async () => {
    fake = await FakeFeishu.start({ appId: APP_ID, appSecret: APP_SECRET, verificationToken: VERIFICATION, users: [alice, mallory], bot: { open_id: 'ou_bot0000000000000000000000mention', app_name: BOT_NAME } });
    fake.chats.set(GROUP, { name: GROUP_NAME });
    fake.chats.set(STRANGERS_GROUP, { name: 'Night market' });
    e2e = await startPairingEndToEnd({
      platform: 'feishu',
      createPairingService,
      adapter: () =>
        new FeishuAdapter({ connection: 'feishu', appId: APP_ID, appSecret: APP_SECRET, domain: fake.url, mode, verificationToken: VERIFICATION, encryptKey: ENCRYPT_KEY, logger: quiet }),
    });
    if (mode === 'long-connection') await fake.waitForLongConnection();
  });
  afterAll(async () => {
    await e2e?.stop();
    await fake?.close();
  });

  async function say(chatType: 'p2p' | 'group', text: string, mentionsBot = false, from = { openId: alice.open_id, chatId: GROUP }) {
    const e = fake.messageEvent({
      chatType,
      chatId: chatType === 'p2p' ? 'oc_dm_alice' : from.chatId,
      openId: from.openId,
      text,
      ...(mentionsBot ? { mentions: [{ key: '@_user_1', openId: fake.bot.open_id, name: BOT_NAME }] } : {}),
    });
    if (mode === 'webhook') expect((await fake.deliver(`${e2e.gw.httpUrl}/feishu/events`, e, { encryptKey: ENCRYPT_KEY })).status).toBe(200);
    else expect(await fake.pushEvent(e)).toEqual({ code: 200 });
    return e;
  }

  const chatInfoCalls = () => fake.log.filter((c) => c.method === 'GET' && /^\/open-apis\/im\/v1\/chats\/[^/]+$/.test(c.path));
  const titles = () => new SpaceTitles(e2e.gw.nc, e2e.gw.subjects, quiet);

  it("a denied stranger's message in an untitled group costs no chat info call; the admin's view later shows the title", async () => {
    await say('group', '@_user_1 hello bot', true, { openId: mallory.open_id, chatId: STRANGERS_GROUP });
    const denied = await e2e.denied(inConversation(STRANGERS_GROUP));
    expect(denied.data.space).toEqual({ id: STRANGERS_GROUP, kind: 'feishu-group' });
    expect(chatInfoCalls()).toEqual([]);
    expect(fake.userFacingCalls()).toEqual([]);

    const [viewed] = await observationsWithTitles(titles(), 'feishu', [{ space: denied.data.space!, conversation: denied.data.conversation }]);
    expect(viewed.space).toEqual({ id: STRANGERS_GROUP, kind: 'feishu-group', title: 'Night market' });
    expect(chatInfoCalls().map((c) => c.path)).toEqual([`/open-apis/im/v1/chats/${STRANGERS_GROUP}`]);
    // Cached by the gateway: a fresh admin-side cache asks again without another Feishu call.
    expect(await titles().title('feishu', STRANGERS_GROUP)).toBe('Night market');
    expect(chatInfoCalls()).toHaveLength(1);
  });

  it("@<three-word bot name> CODE in a group → observation → approve → the group is an allowlisted space, titled in the admin's view", async () => {
    await e2e.pair('user', (code) => say('p2p', code), (o) => o.data.purpose === 'user');
    const observed = await e2e.pair('space', (code) => say('group', `@_user_1 ${code}`, true), (o) => o.data.purpose === 'space');
    expect(observed.data.space).toEqual({ id: GROUP, kind: 'feishu-group' });
    const approved = await e2e.probe.waitForEvent('feishu', 'SpaceApproved', (ev) => ev.data.space.id === GROUP);
    expect(approved.data.space).toEqual({ id: GROUP, kind: 'feishu-group' });
    expect(await titles().title('feishu', GROUP)).toBe(GROUP_NAME);

    const e = await say('group', '@_user_1 what changed today?', true);
    const m = await e2e.admitted.waitFor(admittedWithId(e.event.message.message_id));
    expect(m.data.message).toMatchObject({ text: 'what changed today?', mentionedBot: true, space: { id: GROUP, kind: 'feishu-group' } });
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.fatal).toEqual([]);
  });
});
