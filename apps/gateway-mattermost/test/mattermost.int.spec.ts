/**
 * gateway-mattermost over real NATS JetStream, against the fake Mattermost server (REST v4 + WebSocket).
 */
import { InboundMessage } from '@twokey/contracts';
import { DeadLetter } from '@twokey/gateway-kit';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeMattermost, MattermostChannel } from '@twokey/test-support/fakes/mattermost';
import { GatewayUnderTest, startGatewayUnderTest, until } from '@twokey/test-support/gateway-harness';
import { Collected, StoredMessage } from '@twokey/test-support/stream-collector';
import { MattermostAdapter } from '../src/mattermost-adapter';
import { MattermostSocket } from '../src/socket';

const TOKEN = 'mm-bot-token-0123456789';
const bot = { id: 'botuser0000000000000000000', username: 'twokey', is_bot: true };
const alice = { id: 'alice000000000000000000000', username: 'alice', first_name: 'Alice', last_name: 'Liddell' };
const bob = { id: 'bob00000000000000000000000', username: 'bob', nickname: 'Bobby' };
const dm: MattermostChannel = { id: 'dmchannel00000000000000000', type: 'D', team_id: '', name: `${alice.id}__${bot.id}`, display_name: '@alice' };
const town: MattermostChannel = { id: 'townsquare0000000000000000', type: 'O', team_id: 'team00000000000000000000000', name: 'town-square', display_name: 'Town Square' };
const group: MattermostChannel = { id: 'groupdm0000000000000000000', type: 'G', team_id: '', name: 'gm', display_name: 'alice, bob, twokey' };

const lines: string[] = [];
const logger = new JsonLogger('gateway-mattermost', 'debug', { write: (l) => void lines.push(l) });

describe('gateway-mattermost (real NATS, fake Mattermost)', () => {
  let nats: NatsHarness;
  let fake: FakeMattermost;
  let adapter: MattermostAdapter;
  let gut: GatewayUnderTest;
  let inbound: Collected<StoredMessage<InboundMessage>>;
  let dlq: Collected<DeadLetter>;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeMattermost.start({ token: TOKEN, bot, users: [alice, bob], channels: [dm, town, group] });
    adapter = new MattermostAdapter({
      connection: 'mattermost',
      baseUrl: fake.url,
      token: TOKEN,
      logger,
      backoff: { initialMs: 20, maxMs: 200 },
    });
    gut = await startGatewayUnderTest({ nats, platform: 'mattermost', adapter, logger });
    ({ inbound, dlq } = gut);
    await fake.waitForSockets(1);
  });

  afterAll(async () => {
    await gut?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  const byPost = (id: string) => (m: StoredMessage<InboundMessage>) => m.data.platformMessageId === id;
  /** Posts a marker and waits for it: events are handled in order, so anything before it was handled too. */
  async function flush(): Promise<void> {
    const marker = fake.userPosts({ userId: bob.id, channelId: dm.id, message: 'marker' });
    await inbound.waitFor(byPost(marker.id));
  }

  it('publishes a DM as exactly one normalized InboundMessage with the resolved display name', async () => {
    const post = fake.userPosts({ userId: alice.id, channelId: dm.id, message: 'hello bot' });
    const stored = await inbound.waitFor(byPost(post.id));
    expect(stored.msgId).toBe(`mattermost:${post.id}`);
    expect(stored.data).toEqual({
      schemaVersion: 1,
      connection: 'mattermost',
      platform: 'mattermost',
      platformMessageId: post.id,
      sentAt: new Date(post.create_at).toISOString(),
      receivedAt: expect.any(String),
      actor: { id: alice.id, displayName: 'Alice Liddell', username: 'alice' },
      conversation: { id: dm.id, kind: 'dm' },
      text: 'hello bot',
    });
    await flush();
    expect(inbound.items.filter(byPost(post.id))).toHaveLength(1);
    // The user lookup is cached: one GET per user, however many messages.
    fake.userPosts({ userId: alice.id, channelId: dm.id, message: 'again' });
    await flush();
    expect(fake.log.filter((c) => c.path === `/api/v4/users/${alice.id}`)).toHaveLength(1);
  });

  it('puts a team channel message in the team space, with a thread id for replies', async () => {
    const root = fake.userPosts({ userId: bob.id, channelId: town.id, message: 'root' });
    const reply = fake.userPosts({ userId: bob.id, channelId: town.id, message: 'in thread', rootId: root.id });
    const r = await inbound.waitFor(byPost(root.id));
    expect(r.data.conversation).toEqual({ id: town.id, kind: 'channel', title: 'Town Square' });
    expect(r.data.space).toEqual({ id: town.team_id, kind: 'mattermost-team' });
    expect(r.data.actor).toEqual({ id: bob.id, displayName: 'Bobby', username: 'bob' });
    const t = await inbound.waitFor(byPost(reply.id));
    expect(t.data.conversation).toEqual({ id: town.id, kind: 'channel', title: 'Town Square', threadId: root.id });
  });

  it('treats a group DM as shared: its own space when no team is configured', async () => {
    const post = fake.userPosts({ userId: alice.id, channelId: group.id, message: 'hi all' });
    const r = await inbound.waitFor(byPost(post.id));
    expect(r.data.conversation).toMatchObject({ id: group.id, kind: 'group' });
    expect(r.data.space).toEqual({ id: group.id, kind: 'mattermost-team', title: 'alice, bob, twokey' });
  });

  it("falls back to the event's sender_name when the user lookup fails", async () => {
    const ghost = 'ghost00000000000000000000'; // unknown to GET /users/:id (404)
    const post = fake.userPosts({ userId: ghost, channelId: dm.id, message: 'boo', senderName: '@ghost' });
    expect((await inbound.waitFor(byPost(post.id))).data.actor).toEqual({ id: ghost, displayName: 'ghost', username: 'ghost' });
  });

  it('stores a post delivered twice once (Nats-Msg-Id de-duplication)', async () => {
    const post = fake.userPosts({ userId: alice.id, channelId: dm.id, message: 'twice' });
    fake.emitPosted(post);
    await flush();
    expect(inbound.items.filter(byPost(post.id))).toHaveLength(1);
  });

  it('sends an outbound SendMessage as a post, in the thread, and ignores its own echo', async () => {
    const cmd = { idempotencyKey: 'reply-1', conversationId: town.id, threadId: 'root0000000000000000000000', text: 'agent reply' };
    await gut.sendOutbound(cmd);
    const call = await fake.log.waitFor((c) => c.method === 'POST' && c.path === '/api/v4/posts');
    expect(call.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call.body).toEqual({ channel_id: town.id, message: 'agent reply', root_id: cmd.threadId, pending_post_id: 'reply-1:0' });
    const [echo] = fake.createdPosts();
    await flush(); // the server echoed the bot's post over the websocket before the marker
    expect(inbound.items.filter(byPost(echo.id))).toHaveLength(0);
    expect(lines.some((l) => l.includes('"reason":"own-message"'))).toBe(true);
  });

  it('ignores edits, other bots and system posts deliberately', async () => {
    const post = fake.userPosts({ userId: alice.id, channelId: dm.id, message: 'original' });
    await inbound.waitFor(byPost(post.id));
    fake.editPost(post.id, 'edited');
    const fromBot = fake.userPosts({ userId: bob.id, channelId: town.id, message: 'beep', props: { from_bot: 'true' } });
    const system = fake.userPosts({ userId: bob.id, channelId: town.id, message: 'bob joined', type: 'system_join_channel' });
    await flush();
    expect(inbound.items.filter((m) => [fromBot.id, system.id].includes(m.data.platformMessageId))).toHaveLength(0);
    expect(inbound.items.filter(byPost(post.id)).map((m) => m.data.text)).toEqual(['original']);
  });

  it('dead-letters bad input with a clear reason and keeps running', async () => {
    fake.sendRaw('this is not json');
    fake.emit('posted', { channel_type: 'D', post: '{"id": broken', team_id: '' });
    const huge = fake.userPosts({ userId: alice.id, channelId: dm.id, message: 'x'.repeat(64 * 1024) });
    const odd = fake.userPosts({ userId: alice.id, channelId: dm.id, message: 'ｆｕｌｌｗｉｄｔｈ \u200B 🧪 \u202E' });
    const broken = await dlq.waitFor((d) => d.reason.includes('data.post is not valid JSON'));
    expect(broken).toMatchObject({ connection: 'mattermost', platform: 'mattermost', origin: 'gateway.mattermost' });
    expect(broken.reason).not.toContain('broken'); // the parser's quote of the input never reaches logs or the DLQ
    const tooLong = await dlq.waitFor((d) => d.platformMessageId === huge.id);
    expect(tooLong.reason).toContain('text must be at most');
    expect(JSON.stringify(tooLong)).not.toContain('xxxx');
    expect(lines.some((l) => l.includes('frame is not JSON'))).toBe(true);
    expect((await inbound.waitFor(byPost(odd.id))).data.text).toBe('ｆｕｌｌｗｉｄｔｈ \u200B 🧪 \u202E');
    expect(inbound.items.filter(byPost(huge.id))).toHaveLength(0);
  });

  it('reconnects when the event sequence has a gap, and after the server drops the socket', async () => {
    const before = adapter.connectedSocket!.connections;
    fake.emit('typing', { parent_id: '' }, {}, 999);
    await until(() => adapter.connectedSocket!.connections > before, 5000);
    await fake.waitForSockets(1);
    fake.dropSockets();
    await until(() => adapter.connectedSocket!.connections > before + 1, 5000);
    await fake.waitForSockets(1);
    const post = fake.userPosts({ userId: alice.id, channelId: dm.id, message: 'after reconnect' });
    await inbound.waitFor(byPost(post.id));
    expect(lines.some((l) => l.includes('event sequence gap'))).toBe(true);
  });

  it('reports in its status that it stopped receiving while its websocket is down, and when it is back', async () => {
    const up = gut.gateway.status();
    expect(up.adapterStarted).toBe(true);
    fake.refuseAuthentication = true;
    fake.dropSockets();
    await until(() => gut.gateway.status().adapterStarted === false, 5000);
    const down = gut.gateway.status();
    expect(Date.parse(down.since)).toBeGreaterThan(Date.parse(up.since));
    fake.refuseAuthentication = false;
    await until(() => gut.gateway.status().adapterStarted === true, 5000);
    await fake.waitForSockets(1);
    const post = fake.userPosts({ userId: alice.id, channelId: dm.id, message: 'after the outage' });
    await inbound.waitFor(byPost(post.id));
  });

  it('fetches the posts made while its websocket was down, each published once and in order', async () => {
    const seenLive = fake.userPosts({ userId: alice.id, channelId: dm.id, message: 'before the outage' });
    await inbound.waitFor(byPost(seenLive.id));
    const publishedBefore = inbound.items.length;
    fake.refuseAuthentication = true;
    fake.dropSockets();
    await until(() => gut.gateway.status().adapterStarted === false, 5000);
    // Nobody is connected: these reach no socket, as on a server during an outage.
    const missedDm = fake.userPosts({ userId: alice.id, channelId: dm.id, message: 'while you were away' });
    await new Promise((r) => setTimeout(r, 5));
    const missedTown = fake.userPosts({ userId: bob.id, channelId: town.id, message: 'anyone?' });
    const deleted = fake.userPosts({ userId: bob.id, channelId: town.id, message: 'oops' });
    fake.deletePost(deleted.id);
    const own = fake.userPosts({ userId: bot.id, channelId: dm.id, message: 'the bot itself' });
    fake.editPost(seenLive.id, 'before the outage (edited)');
    const sinceCalls = fake.log.filter((c) => c.path.endsWith('/posts')).length;

    fake.refuseAuthentication = false;
    await fake.waitForSockets(1);
    const town1 = await inbound.waitFor(byPost(missedTown.id));
    const dm1 = await inbound.waitFor(byPost(missedDm.id));
    expect(dm1.data).toMatchObject({ text: 'while you were away', actor: { id: alice.id, displayName: 'Alice Liddell' }, conversation: { id: dm.id, kind: 'dm' } });
    expect(dm1.data.space).toBeUndefined();
    expect(town1.data).toMatchObject({ actor: { id: bob.id, displayName: 'Bobby' }, conversation: { id: town.id, kind: 'channel', title: 'Town Square' }, space: { id: town.team_id, kind: 'mattermost-team' } });
    // Oldest first, across channels.
    expect(dm1.seq).toBeLessThan(town1.seq);
    await flush();

    // Asked once per channel of the bot, from before the newest post it had seen.
    const asked = fake.log.filter((c) => c.path.endsWith('/posts')).slice(sinceCalls);
    expect(asked.map((c) => c.path).sort()).toEqual([dm, town, group].map((c) => `/api/v4/channels/${c.id}/posts`).sort());
    for (const c of asked) expect(Number(c.query.since)).toBeLessThan(seenLive.create_at);
    // The seen post is not published again, even edited; the deleted one and the bot's own never are.
    expect(lines.filter((l) => l.includes('handled posts missed while disconnected'))).not.toHaveLength(0);
    const after = inbound.items.slice(publishedBefore).map((m) => m.data.platformMessageId);
    expect(after).not.toContain(seenLive.id);
    expect(after).not.toContain(deleted.id);
    expect(after).not.toContain(own.id);
    expect(after.filter((id) => id === missedDm.id || id === missedTown.id)).toHaveLength(2);
    // Not even offered to JetStream again (its de-duplication would have logged the repeat).
    expect(lines.filter((l) => l.includes('was a duplicate') && l.includes(seenLive.id))).toEqual([]);
  });

  it('answers the connection test with the bot identity', async () => {
    // The fake, like the server, takes the auth scheme in any case (the official client sends BEARER).
    expect((await fetch(`${fake.url}/api/v4/users/me`, { headers: { Authorization: `BEARER ${TOKEN}` } })).status).toBe(200);
    const result = await gut.connectionTest();
    expect(result).toEqual({ ok: true, bot: { id: bot.id, name: 'twokey' }, latencyMs: expect.any(Number) });
  });

  it('reports a bad token clearly in the connection test and at start', async () => {
    const bad = new MattermostAdapter({ connection: 'mattermost', baseUrl: fake.url, token: 'wrong', logger });
    const result = await bad.connectionTest();
    expect(result.ok).toBe(false);
    expect(result.error).toBe('Mattermost rejected the token (401 api.context.session_expired.app_error: Invalid or expired session, please login again.)');
    await expect(bad.start({ publish: async () => undefined, reject: () => undefined })).rejects.toThrow('Mattermost rejected MATTERMOST_TOKEN (401');
  });

  it('keeps retrying, without events, when the websocket authentication challenge fails', async () => {
    const received: unknown[] = [];
    const socket = new MattermostSocket({ baseUrl: fake.url, token: 'wrong', logger, onEvent: (e) => void received.push(e), backoff: { initialMs: 10, maxMs: 20 } });
    const failuresBefore = fake.authAttempts.filter((a) => !a.ok).length;
    socket.start();
    await until(() => fake.authAttempts.filter((a) => !a.ok).length >= failuresBefore + 2, 5000);
    await socket.stop();
    expect(received).toEqual([]);
    expect(lines.some((l) => l.includes('rejected MATTERMOST_TOKEN in the authentication challenge'))).toBe(true);
  });
});
