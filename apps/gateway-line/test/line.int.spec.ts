/**
 * gateway-line over real NATS JetStream, with the real @line/bot-sdk pointed at the fake LINE API and signed
 * webhooks posted to the gateway's HTTP server.
 */
import { InboundMessage } from '@twokey/contracts';
import { DeadLetter } from '@twokey/gateway-kit';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeLine } from '@twokey/test-support/fakes/line';
import { GatewayUnderTest, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { Collected, StoredMessage } from '@twokey/test-support/stream-collector';
import { LineAdapter } from '../src/line-adapter';

const SECRET = 'line-channel-secret-0123';
const TOKEN = 'line-channel-access-token-0123';
const alice = { userId: 'U' + 'a'.repeat(32), displayName: 'Alice (1:1 profile)' };
const bob = { userId: 'U' + 'b'.repeat(32), displayName: 'Bob' };
const GROUP = 'C' + '1'.repeat(32);
const ROOM = 'R' + '2'.repeat(32);

const lines: string[] = [];
const logger = new JsonLogger('gateway-line', 'debug', { write: (l) => void lines.push(l) });

describe('gateway-line (real NATS, real SDK, fake LINE)', () => {
  let nats: NatsHarness;
  let fake: FakeLine;
  let adapter: LineAdapter;
  let gut: GatewayUnderTest;
  let inbound: Collected<StoredMessage<InboundMessage>>;
  let dlq: Collected<DeadLetter>;
  let webhook: string;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeLine.start({ channelAccessToken: TOKEN, profiles: [alice, bob] });
    fake.addMember(GROUP, { userId: alice.userId, displayName: 'Alice (group member)' });
    fake.addMember(ROOM, { userId: bob.userId, displayName: 'Bob (room member)' });
    adapter = new LineAdapter({ connection: 'line', channelSecret: SECRET, channelAccessToken: TOKEN, apiBaseUrl: fake.url, logger });
    gut = await startGatewayUnderTest({ nats, platform: 'line', adapter, logger });
    ({ inbound, dlq } = gut);
    webhook = `${gut.httpUrl}/line/webhook`;
  });

  afterAll(async () => {
    await gut?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  const byId = (id: string) => (m: StoredMessage<InboundMessage>) => m.data.platformMessageId === id;
  const deliver = (events: unknown[], signature?: string | null) =>
    fake.deliver(webhook, fake.webhookBody(events), { channelSecret: SECRET, signature });
  type TextEvent = ReturnType<FakeLine['textEvent']>;

  it('publishes a 1:1 message as exactly one dm with the profile name', async () => {
    const e: TextEvent = fake.textEvent({ source: { type: 'user', userId: alice.userId }, text: 'hello bot' });
    expect((await deliver([e])).status).toBe(200);
    const stored = await inbound.waitFor(byId(e.message.id));
    expect(stored.msgId).toBe(`line:${e.message.id}`);
    expect(stored.data).toEqual({
      schemaVersion: 1,
      connection: 'line',
      platform: 'line',
      platformMessageId: e.message.id,
      sentAt: new Date(e.timestamp).toISOString(),
      receivedAt: expect.any(String),
      actor: { id: alice.userId, displayName: 'Alice (1:1 profile)' },
      conversation: { id: alice.userId, kind: 'dm' },
      text: 'hello bot',
    });
    expect(fake.log.filter((c) => c.path === `/v2/bot/profile/${alice.userId}`)).toHaveLength(1);
  });

  it('puts group and room messages in their spaces, named through the member profiles (no threads on LINE)', async () => {
    const g = fake.textEvent({ source: { type: 'group', groupId: GROUP, userId: alice.userId }, text: 'in group' });
    const r = fake.textEvent({ source: { type: 'room', roomId: ROOM, userId: bob.userId }, text: 'in room' });
    expect((await deliver([g, r])).status).toBe(200);
    const gm = await inbound.waitFor(byId(g.message.id));
    expect(gm.data.conversation).toEqual({ id: GROUP, kind: 'group' });
    expect(gm.data.space).toEqual({ id: GROUP, kind: 'line-group' });
    expect(gm.data.actor).toEqual({ id: alice.userId, displayName: 'Alice (group member)' });
    const rm = await inbound.waitFor(byId(r.message.id));
    expect(rm.data.conversation).toEqual({ id: ROOM, kind: 'room' });
    expect(rm.data.space).toEqual({ id: ROOM, kind: 'line-room' });
    expect(rm.data.actor.displayName).toBe('Bob (room member)');
  });

  it('shows the user id when no profile can be read', async () => {
    const stranger = 'U' + 'c'.repeat(32);
    const e = fake.textEvent({ source: { type: 'user', userId: stranger }, text: 'not a friend' });
    await deliver([e]);
    expect((await inbound.waitFor(byId(e.message.id))).data.actor).toEqual({ id: stranger, displayName: stranger });
  });

  it('stores a redelivered event once', async () => {
    const e = fake.textEvent({ source: { type: 'user', userId: bob.userId }, text: 'once' });
    await deliver([e]);
    await deliver([{ ...e, deliveryContext: { isRedelivery: true } }]);
    const marker = fake.textEvent({ source: { type: 'user', userId: bob.userId }, text: 'marker' });
    await deliver([marker]);
    await inbound.waitFor(byId(marker.message.id));
    expect(inbound.items.filter(byId(e.message.id))).toHaveLength(1);
  });

  it('answers the empty connectivity check with 200 and publishes nothing', async () => {
    const before = inbound.items.length;
    const res = await fake.deliver(webhook, fake.webhookBody([]), { channelSecret: SECRET });
    expect(res.status).toBe(200);
    expect(inbound.items.length).toBe(before);
  });

  it('refuses missing and wrong signatures with 401 and publishes nothing', async () => {
    const e = fake.textEvent({ source: { type: 'user', userId: alice.userId }, text: 'forged' });
    const missing = await deliver([e], null);
    expect(missing.status).toBe(401);
    expect(missing.json()).toEqual({ error: 'missing X-Line-Signature header' });
    const wrong = await fake.deliver(webhook, fake.webhookBody([e]), { channelSecret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toEqual({ error: 'invalid X-Line-Signature' });
    const marker = fake.textEvent({ source: { type: 'user', userId: alice.userId }, text: 'marker' });
    await deliver([marker]);
    await inbound.waitFor(byId(marker.message.id));
    expect(inbound.items.filter(byId(e.message.id))).toHaveLength(0);
    expect(lines.some((l) => l.includes('wrong X-Line-Signature'))).toBe(true);
  });

  it('dead-letters signed bad input with a clear reason and keeps running', async () => {
    const notJson = await fake.deliver(webhook, '{"events": [', { channelSecret: SECRET });
    expect(notJson.status).toBe(400);
    expect(notJson.text).toContain('not valid JSON');
    const noEvents = await fake.deliver(webhook, '{"destination":"U1"}', { channelSecret: SECRET });
    expect(noEvents.status).toBe(400);
    const anonymous = fake.textEvent({ source: { type: 'group', groupId: GROUP }, text: 'who am i' });
    const huge = fake.textEvent({ source: { type: 'user', userId: alice.userId }, text: 'y'.repeat(64 * 1024) });
    const odd = fake.textEvent({ source: { type: 'user', userId: alice.userId }, text: 'ℌ𝔢𝔩𝔩𝔬 \u0000 \uFEFF 👨‍👩‍👧' });
    expect((await deliver([anonymous, huge, odd])).status).toBe(200);
    await dlq.waitFor((d) => d.reason.includes('not valid JSON'));
    await dlq.waitFor((d) => d.reason.includes('events'));
    expect((await dlq.waitFor((d) => d.platformMessageId === anonymous.message.id)).reason).toBe(
      'message event: group message without source.userId (no stable actor)',
    );
    expect((await dlq.waitFor((d) => d.platformMessageId === huge.message.id)).reason).toContain('text must be at most');
    expect((await inbound.waitFor(byId(odd.message.id))).data.text).toBe('ℌ𝔢𝔩𝔩𝔬 \u0000 \uFEFF 👨‍👩‍👧');
    expect(inbound.items.filter((m) => [anonymous.message.id, huge.message.id].includes(m.data.platformMessageId))).toHaveLength(0);
    expect((await fetch(`${gut.httpUrl}/healthz`)).status).toBe(200);
  });

  it('ignores non-text messages, other event types and the bot itself', async () => {
    const sticker = { ...fake.textEvent({ source: { type: 'user', userId: alice.userId }, text: '' }), message: { id: '990001', type: 'sticker', packageId: '1', stickerId: '1' } };
    const follow = { type: 'follow', timestamp: Date.now(), source: { type: 'user', userId: alice.userId }, webhookEventId: 'x', deliveryContext: { isRedelivery: false }, mode: 'active', replyToken: 'r' };
    const self = fake.textEvent({ source: { type: 'group', groupId: GROUP, userId: fake.bot.userId }, text: 'my own' });
    const marker = fake.textEvent({ source: { type: 'user', userId: alice.userId }, text: 'marker' });
    expect((await deliver([sticker, follow, self, marker])).status).toBe(200);
    await inbound.waitFor(byId(marker.message.id));
    expect(inbound.items.filter((m) => ['990001', self.message.id].includes(m.data.platformMessageId))).toHaveLength(0);
  });

  it('sends a SendMessage as a push with a retry key, and replies with a fresh reply token', async () => {
    await gut.sendOutbound({ idempotencyKey: 'push-1', conversationId: GROUP, text: 'agent says hi' });
    const push = await fake.log.waitFor((c) => c.path === '/v2/bot/message/push');
    expect(push.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(push.headers['x-line-retry-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(push.body).toEqual({ to: GROUP, messages: [{ type: 'text', text: 'agent says hi' }] });

    const e = fake.textEvent({ source: { type: 'user', userId: alice.userId }, text: 'question' });
    await deliver([e]);
    await inbound.waitFor(byId(e.message.id));
    const key = await gut.sendOutbound({ conversationId: alice.userId, replyToMessageId: e.message.id, text: 'answer' });
    expect(await gut.report(key)).toMatchObject({ status: 'delivered' });
    expect(fake.sentMessages().at(-1)).toEqual({ endpoint: 'reply', replyToken: e.replyToken, to: undefined, messages: [{ type: 'text', text: 'answer' }] });
  });

  it('splits long text into batches of 5 and shows a redelivered batch once', async () => {
    const text = 'z'.repeat(30_000);
    const before = fake.sentMessages().length;
    const key = await gut.sendOutbound({ conversationId: bob.userId, text, format: 'plain' });
    expect((await gut.report(key)).platformMessageIds).toHaveLength(6);
    const sent = fake.sentMessages().slice(before);
    expect(sent.map((m) => m.messages.length)).toEqual([5, 1]);
    expect(sent.flatMap((m) => m.messages.map((x) => x.text)).join('')).toBe(text);
    // As after a crash between push and ack: the same chunk keys give the same retry key, and LINE answers 409.
    const chunk = { conversationId: bob.userId, text: 'once', formatted: false, chunkKey: 'again-1:0' };
    await adapter.sendBatch([chunk]);
    expect(await adapter.sendBatch([chunk])).toHaveLength(1);
    expect(fake.sentMessages().filter((m) => m.messages[0]?.text === 'once')).toHaveLength(1);
    expect(fake.log.filter((c) => c.path === '/v2/bot/message/push' && c.status === 409)).toHaveLength(1);
  });

  it('answers the connection test with the bot identity, and clearly for a bad token', async () => {
    const ok = await gut.connectionTest();
    expect(ok).toEqual({ ok: true, bot: { id: fake.bot.userId, name: fake.bot.displayName }, latencyMs: expect.any(Number) });
    const bad = new LineAdapter({ connection: 'line', channelSecret: SECRET, channelAccessToken: 'revoked', apiBaseUrl: fake.url, logger });
    const result = await bad.connectionTest();
    expect(result).toEqual({
      ok: false,
      latencyMs: expect.any(Number),
      error: 'LINE rejected LINE_CHANNEL_ACCESS_TOKEN (401): Authentication failed. Confirm that the access token in the authorization header is valid.',
    });
    await expect(bad.start({ publish: async () => undefined, reject: () => undefined })).rejects.toThrow('LINE rejected LINE_CHANNEL_ACCESS_TOKEN');
  });
});
