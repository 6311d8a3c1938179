/**
 * gateway-feishu over real NATS JetStream, with the real @larksuiteoapi/node-sdk pointed at the fake Open Platform
 * (FEISHU_DOMAIN = its URL) and callbacks posted to the gateway's HTTP server, encrypted and signed as documented.
 */
import { InboundMessage } from '@twokey/contracts';
import { DeadLetter } from '@twokey/gateway-kit';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeFeishu, feishuEncrypt, feishuSignature } from '@twokey/test-support/fakes/feishu';
import { GatewayUnderTest, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { Collected, StoredMessage } from '@twokey/test-support/stream-collector';
import { FeishuAdapter } from '../src/feishu-adapter';
import { sendUuid } from '../src/send-uuid';

const APP_ID = 'cli_9f5343c580712544';
const APP_SECRET = 'feishu-app-secret-0123';
const VERIFICATION = 'verification-token-0123';
const ENCRYPT_KEY = 'encrypt-key-0123456789';
const alice = { open_id: 'ou_alice000000000000000000000000', name: 'Alice Wang' };
const bob = { open_id: 'ou_bob00000000000000000000000000', name: 'Bob Li' };
const DM_CHAT = 'oc_dm0000000000000000000000000000';
const GROUP_CHAT = 'oc_group00000000000000000000000000';

const lines: string[] = [];
const logger = new JsonLogger('gateway-feishu', 'debug', { write: (l) => void lines.push(l) });

describe('gateway-feishu (real NATS, real SDK, fake Open Platform)', () => {
  let nats: NatsHarness;
  let fake: FakeFeishu;
  let gut: GatewayUnderTest;
  let plainGut: GatewayUnderTest;
  let inbound: Collected<StoredMessage<InboundMessage>>;
  let plainInbound: Collected<StoredMessage<InboundMessage>>;
  let dlq: Collected<DeadLetter>;
  let url: string;
  let plainUrl: string;

  const adapter = (encryptKey?: string, connection = 'feishu') =>
    new FeishuAdapter({
      connection,
      appId: APP_ID,
      appSecret: APP_SECRET,
      domain: fake.url,
      mode: 'webhook',
      verificationToken: VERIFICATION,
      encryptKey,
      allowUnsigned: !encryptKey,
      logger,
    });
  const start = (a: FeishuAdapter, connection: string) => startGatewayUnderTest({ nats, platform: 'feishu', adapter: a, logger, config: { connection } });

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeFeishu.start({ appId: APP_ID, appSecret: APP_SECRET, verificationToken: VERIFICATION, users: [alice, bob] });
    gut = await start(adapter(ENCRYPT_KEY), 'feishu');
    plainGut = await start(adapter(undefined, 'feishu-plain'), 'feishu-plain');
    ({ inbound, dlq } = gut);
    plainInbound = plainGut.inbound;
    url = `${gut.httpUrl}/feishu/events`;
    plainUrl = `${plainGut.httpUrl}/feishu/events`;
  });

  afterAll(async () => {
    await gut?.stop();
    await plainGut?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  const byId = (id: string) => (m: StoredMessage<InboundMessage>) => m.data.platformMessageId === id;
  const deliver = (payload: unknown) => fake.deliver(url, payload, { encryptKey: ENCRYPT_KEY });
  type MessageEvent = ReturnType<FakeFeishu['messageEvent']>;
  const idOf = (e: MessageEvent) => e.event.message.message_id;
  async function flush(): Promise<void> {
    const marker = fake.messageEvent({ chatType: 'p2p', chatId: DM_CHAT, openId: bob.open_id, text: 'marker' });
    expect((await deliver(marker)).status).toBe(200);
    await inbound.waitFor(byId(idOf(marker)));
  }

  it('publishes an encrypted, signed p2p message as exactly one dm with the contact name', async () => {
    const e = fake.messageEvent({ chatType: 'p2p', chatId: DM_CHAT, openId: alice.open_id, text: 'hello bot' });
    const res = await deliver(e);
    expect(res.status).toBe(200);
    const stored = await inbound.waitFor(byId(idOf(e)));
    expect(stored.msgId).toBe(`feishu:${idOf(e)}`);
    expect(stored.data).toEqual({
      schemaVersion: 1,
      connection: 'feishu',
      platform: 'feishu',
      platformMessageId: idOf(e),
      sentAt: new Date(Number(e.event.message.create_time)).toISOString(),
      receivedAt: expect.any(String),
      actor: { id: alice.open_id, displayName: 'Alice Wang' },
      conversation: { id: DM_CHAT, kind: 'dm' },
      text: 'hello bot',
    });
    const lookup = await fake.log.waitFor((c) => c.path === `/open-apis/contact/v3/users/${alice.open_id}`);
    expect(lookup.query).toEqual({ user_id_type: 'open_id' });
    expect(lookup.headers.authorization).toMatch(/^Bearer t-/);
  });

  it('puts a group message in the feishu-group space and keeps the thread root', async () => {
    const e = fake.messageEvent({ chatType: 'group', chatId: GROUP_CHAT, openId: bob.open_id, text: 'in thread', rootId: 'om_root0000000000000000000000000' });
    expect((await deliver(e)).status).toBe(200);
    const stored = await inbound.waitFor(byId(idOf(e)));
    expect(stored.data.conversation).toEqual({ id: GROUP_CHAT, kind: 'group', threadId: 'om_root0000000000000000000000000' });
    expect(stored.data.space).toEqual({ id: GROUP_CHAT, kind: 'feishu-group' });
    expect(stored.data.actor).toEqual({ id: bob.open_id, displayName: 'Bob Li' });
  });

  it('shows the open_id when the contact API does not know the sender', async () => {
    const e = fake.messageEvent({ chatType: 'p2p', chatId: DM_CHAT, openId: 'ou_unknown00000000000000000000000', text: 'who?' });
    expect((await deliver(e)).status).toBe(200);
    expect((await inbound.waitFor(byId(idOf(e)))).data.actor).toEqual({ id: 'ou_unknown00000000000000000000000', displayName: 'ou_unknown00000000000000000000000' });
  });

  it('stores an event pushed again (same event_id) once', async () => {
    const e = fake.messageEvent({ chatType: 'p2p', chatId: DM_CHAT, openId: alice.open_id, text: 'pushed twice' });
    expect((await deliver(e)).status).toBe(200);
    expect((await deliver(e)).status).toBe(200);
    await flush();
    expect(inbound.items.filter(byId(idOf(e)))).toHaveLength(1);
  });

  it("ignores the bot's own and other apps' messages, and non-text messages", async () => {
    const own = fake.messageEvent({ chatType: 'group', chatId: GROUP_CHAT, openId: fake.bot.open_id, senderType: 'app', text: 'my echo' });
    const app = fake.messageEvent({ chatType: 'group', chatId: GROUP_CHAT, openId: 'ou_otherapp', senderType: 'app', text: 'beep' });
    const image = fake.messageEvent({ chatType: 'p2p', chatId: DM_CHAT, openId: alice.open_id, messageType: 'image', content: '{"image_key":"img_v2_x"}' });
    for (const e of [own, app, image]) expect((await deliver(e)).status).toBe(200);
    await flush();
    expect(inbound.items.filter((m) => [idOf(own), idOf(app), idOf(image)].includes(m.data.platformMessageId))).toHaveLength(0);
  });

  it('sends SendMessage to the chat through the SDK, and replies into a thread', async () => {
    const cmd = { idempotencyKey: 'send-1', conversationId: GROUP_CHAT, text: 'agent says hi' };
    await gut.sendOutbound(cmd);
    const call = await fake.log.waitFor((c) => c.method === 'POST' && c.path === '/open-apis/im/v1/messages');
    expect(call.query).toEqual({ receive_id_type: 'chat_id' });
    expect(call.headers.authorization).toMatch(/^Bearer t-/);
    const post = (text: string) => JSON.stringify({ zh_cn: { content: [[{ tag: 'md', text }]] } });
    expect(call.body).toEqual({ receive_id: GROUP_CHAT, msg_type: 'post', content: post('agent says hi'), uuid: sendUuid('send-1:0') });

    await gut.sendOutbound({ ...cmd, idempotencyKey: 'send-2', threadId: 'om_root0000000000000000000000000', text: 'in the thread' });
    const reply = await fake.log.waitFor((c) => c.path === '/open-apis/im/v1/messages/om_root0000000000000000000000000/reply');
    expect(reply.body).toEqual({ msg_type: 'post', content: post('in the thread'), reply_in_thread: true, uuid: sendUuid('send-2:0') });
  });

  it('answers the url_verification challenge, plain and encrypted, only with the right token', async () => {
    const plain = await fake.deliver(plainUrl, fake.urlVerification('ch-plain-1'));
    expect(plain.status).toBe(200);
    expect(plain.json()).toEqual({ challenge: 'ch-plain-1' });
    const encrypted = await fake.deliver(url, fake.urlVerification('ch-enc-1'), { encryptKey: ENCRYPT_KEY, signature: null });
    expect(encrypted.json()).toEqual({ challenge: 'ch-enc-1' });
    const wrong = await fake.deliver(plainUrl, fake.urlVerification('ch-2', 'not-the-token'));
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('ch-2');
  });

  it('refuses bad signatures and tokens with 401 and publishes nothing', async () => {
    const e = fake.messageEvent({ chatType: 'p2p', chatId: DM_CHAT, openId: alice.open_id, text: 'forged' });
    const badSig = await fake.deliver(url, e, { encryptKey: ENCRYPT_KEY, signature: 'f'.repeat(64) });
    expect(badSig.status).toBe(401);
    expect(badSig.json()).toEqual({ error: 'invalid X-Lark-Signature (is FEISHU_ENCRYPT_KEY right?)' });
    const noSig = await fake.deliver(url, e, { encryptKey: ENCRYPT_KEY, signature: null });
    expect(noSig.status).toBe(401);
    const otherKey = await fake.deliver(url, e, { encryptKey: 'another-key-entirely' });
    expect(otherKey.status).toBe(401);
    const badToken = fake.messageEvent({ chatType: 'p2p', chatId: DM_CHAT, openId: alice.open_id, text: 'token?' });
    badToken.header.token = 'guessed';
    expect((await deliver(badToken)).status).toBe(401);
    expect((await fake.deliver(plainUrl, badToken)).status).toBe(401);
    await flush();
    expect(inbound.items.filter((m) => [idOf(e), idOf(badToken)].includes(m.data.platformMessageId))).toHaveLength(0);
    expect(plainInbound.items).toHaveLength(0);
  });

  it('rejects bad encryption, malformed JSON and huge text clearly, and keeps running', async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    let nonce = 'n-1';
    const garbage = JSON.stringify({ encrypt: Buffer.alloc(48, 7).toString('base64') });
    const undecryptable = await fake.deliverRaw(url, garbage, { timestamp: ts, nonce, signature: feishuSignature(ts, nonce, ENCRYPT_KEY, garbage) });
    expect(undecryptable.status).toBe(400);
    expect(undecryptable.json()).toEqual({ error: 'cannot decrypt the callback (is FEISHU_ENCRYPT_KEY right?)' });
    await dlq.waitFor((d) => d.reason === 'Feishu callback: cannot decrypt the callback (is FEISHU_ENCRYPT_KEY right?)');

    nonce = 'n-2';
    const notJsonInside = JSON.stringify({ encrypt: feishuEncrypt(ENCRYPT_KEY, 'not json') });
    expect((await fake.deliverRaw(url, notJsonInside, { timestamp: ts, nonce, signature: feishuSignature(ts, nonce, ENCRYPT_KEY, notJsonInside) })).status).toBe(400);

    const malformed = await fake.deliverRaw(url, '{"schema":"2.0",', { encryptKey: ENCRYPT_KEY });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('body is not valid JSON');
    expect((await fake.deliverRaw(plainUrl, 'nope')).status).toBe(400);
    const encryptedToPlain = await fake.deliver(plainUrl, fake.messageEvent({ chatType: 'p2p', chatId: DM_CHAT, openId: alice.open_id, text: 'x' }), { encryptKey: ENCRYPT_KEY });
    expect(encryptedToPlain.json()).toEqual({ error: 'the callback is encrypted but FEISHU_ENCRYPT_KEY is not set' });

    const huge = fake.messageEvent({ chatType: 'p2p', chatId: DM_CHAT, openId: alice.open_id, text: '字'.repeat(64 * 1024) });
    expect((await deliver(huge)).status).toBe(200);
    expect((await dlq.waitFor((d) => d.platformMessageId === idOf(huge))).reason).toContain('text must be at most');
    const broken = fake.messageEvent({ chatType: 'p2p', chatId: DM_CHAT, openId: alice.open_id, content: '{"text":' });
    expect((await deliver(broken)).status).toBe(200);
    expect((await dlq.waitFor((d) => d.platformMessageId === idOf(broken))).reason).toContain('content is not valid JSON');

    const odd = fake.messageEvent({ chatType: 'p2p', chatId: DM_CHAT, openId: alice.open_id, text: '𝕋𝕨𝕠𝕜𝕖𝕪 \u200D\u200D 🇨🇳 ｺｰﾄﾞ' });
    expect((await deliver(odd)).status).toBe(200);
    expect((await inbound.waitFor(byId(idOf(odd)))).data.text).toBe('𝕋𝕨𝕠𝕜𝕖𝕪 \u200D\u200D 🇨🇳 ｺｰﾄﾞ');
    expect(inbound.items.filter(byId(idOf(huge)))).toHaveLength(0);
    expect(lines.some((l) => l.includes('Feishu callback refused: invalid X-Lark-Signature'))).toBe(true);
  });

  it('answers the connection test with the bot identity, and clearly for a bad app secret', async () => {
    const tokensBefore = fake.log.filter((c) => c.path === '/open-apis/auth/v3/tenant_access_token/internal').length;
    const ok = await gut.connectionTest();
    expect(ok).toEqual({ ok: true, bot: { id: fake.bot.open_id, name: fake.bot.app_name }, latencyMs: expect.any(Number) });
    // A fresh tenant token each time: the test checks the credentials, not a cached token.
    expect(fake.log.filter((c) => c.path === '/open-apis/auth/v3/tenant_access_token/internal').length).toBe(tokensBefore + 1);

    const bad = new FeishuAdapter({ connection: 'feishu', appId: APP_ID, appSecret: 'wrong', domain: fake.url, mode: 'webhook', verificationToken: VERIFICATION, encryptKey: ENCRYPT_KEY, logger });
    expect(await bad.connectionTest()).toEqual({
      ok: false,
      latencyMs: expect.any(Number),
      error: 'Feishu refused a tenant access token for FEISHU_APP_ID / FEISHU_APP_SECRET: HTTP 400, code 10014: app secret invalid',
    });
    await expect(bad.start({ publish: async () => undefined, reject: () => undefined })).rejects.toThrow(
      'Feishu refused a tenant access token for FEISHU_APP_ID / FEISHU_APP_SECRET: HTTP 400, code 10014: app secret invalid',
    );
    expect(lines.join('\n')).not.toContain('wrong"');
    expect(lines.join('\n')).not.toContain(APP_SECRET);
  });
});
