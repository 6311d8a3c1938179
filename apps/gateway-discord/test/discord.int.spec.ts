/**
 * gateway-discord over real NATS, with discord.js (unmodified) on a local fake of Discord's REST API and Gateway.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { DiscordGuild, FakeDiscord, MESSAGE_CONTENT_INTENT, snowflake } from '@twokey/test-support/fakes/discord';
import { CapturingLogger, GatewayUnderTest, settle, startGatewayUnderTest, until } from '@twokey/test-support/gateway-harness';
import { DiscordAdapter } from '../src/discord-adapter';

const TOKEN = 'discord-bot-token.0123456789.abcdefghijklmnop';
const alice = { id: snowflake(), username: 'alice', global_name: 'Alice L.' };
const dmChannel = snowflake();
const guild: DiscordGuild = {
  id: snowflake(),
  name: 'Wonderland',
  channels: [
    { id: snowflake(), type: 0, name: 'general' },
    { id: snowflake(), type: 11, name: 'tea-thread' },
  ],
};
const [general, thread] = guild.channels;

describe('gateway-discord against the fake Discord', () => {
  let nats: NatsHarness;
  let fake: FakeDiscord;
  let gw: GatewayUnderTest;
  const logger = new CapturingLogger();
  const adapter = () => new DiscordAdapter({ connection: 'discord', token: TOKEN, apiUrl: fake.apiUrl, logger, waitGuildTimeoutMs: 2_000 });

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeDiscord.start({ token: TOKEN, guilds: [guild] });
    gw = await startGatewayUnderTest({ nats, platform: 'discord', adapter: adapter(), logger });
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  const byId = (id: unknown) => (m: { data: { platformMessageId: string } }) => m.data.platformMessageId === id;

  it('identifies with the intents a DM and a guild message need, Message Content included', () => {
    const { intents } = fake.identifies[0];
    // Guilds | GuildMessages | DirectMessages | MessageContent
    expect(intents).toBe(1 | (1 << 9) | (1 << 12) | MESSAGE_CONTENT_INTENT);
  });

  it('turns a DM into exactly one normalized InboundMessage with the right ids', async () => {
    const d = fake.userSends({ author: alice, channelId: dmChannel, content: 'hello bot' });
    const m = await gw.inbound.waitFor(byId(d.id));
    expect(m.msgId).toBe(`discord:${d.id}`);
    expect(m.data).toMatchObject({
      platform: 'discord',
      actor: { id: alice.id, displayName: 'Alice L.', username: 'alice' },
      conversation: { id: dmChannel, kind: 'dm' },
      text: 'hello bot',
    });
    expect(m.data.space).toBeUndefined();
    await settle(200);
    expect(gw.inbound.items.filter(byId(d.id))).toHaveLength(1);
  });

  it('puts a guild message in the server space and a thread message in its thread', async () => {
    const g = fake.userSends({ author: alice, guildId: guild.id, channelId: general.id, content: 'in general', nick: 'Queen Alice' });
    const t = fake.userSends({ author: alice, guildId: guild.id, channelId: thread.id, content: 'in a thread' });
    const gm = await gw.inbound.waitFor(byId(g.id));
    expect(gm.data.space).toEqual({ id: guild.id, kind: 'discord-server', title: 'Wonderland' });
    expect(gm.data.conversation).toEqual({ id: general.id, kind: 'channel', title: 'general' });
    expect(gm.data.actor.displayName).toBe('Queen Alice');
    const tm = await gw.inbound.waitFor(byId(t.id));
    expect(tm.data.conversation).toEqual({ id: thread.id, kind: 'thread', threadId: thread.id, title: 'tea-thread' });
    expect(tm.data.space?.id).toBe(guild.id);
  });

  it("ignores the bot's own messages, other bots and edits", async () => {
    const before = gw.inbound.items.length;
    fake.userSends({ author: fake.bot, guildId: guild.id, channelId: general.id, content: 'my own reply' });
    fake.userSends({ author: { id: snowflake(), username: 'otherbot', bot: true }, guildId: guild.id, channelId: general.id, content: 'beep' });
    const orig = fake.userSends({ author: alice, channelId: dmChannel, content: 'original' });
    fake.dispatch('MESSAGE_UPDATE', { ...orig, content: 'edited', edited_timestamp: new Date().toISOString() });
    const marker = fake.userSends({ author: alice, channelId: dmChannel, content: 'marker' });
    await gw.inbound.waitFor(byId(marker.id));
    expect(gw.inbound.items.slice(before).map((m) => m.data.text)).toEqual(['original', 'marker']);
  });

  it('publishes a message delivered again after a gateway restart only once (JetStream de-duplication)', async () => {
    const d = fake.userSends({ author: alice, channelId: dmChannel, content: 'delivered twice' });
    await gw.inbound.waitFor(byId(d.id));
    const second = await startGatewayUnderTest({ nats, platform: 'discord', adapter: adapter(), logger, config: { connection: 'discord' } });
    try {
      await fake.waitForSessions(2);
      fake.dispatch('MESSAGE_CREATE', d); // both sessions get it, as after a replay
      const after = fake.userSends({ author: alice, channelId: dmChannel, content: 'after the replay' });
      await gw.inbound.waitFor(byId(after.id));
      await settle(200);
      expect(gw.inbound.items.filter(byId(d.id))).toHaveLength(1);
      expect(gw.inbound.items.filter(byId(after.id))).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('reports in its status that it stopped receiving while the Gateway is down, and when it is back', async () => {
    expect(gw.gateway.status().adapterStarted).toBe(true);
    fake.refuseSessions = true;
    fake.dropSessions(4000);
    await until(() => gw.gateway.status().adapterStarted === false);
    fake.refuseSessions = false;
    await until(() => gw.gateway.status().adapterStarted === true, 20_000);
    const after = fake.userSends({ author: alice, channelId: dmChannel, content: 'after the outage' });
    await gw.inbound.waitFor(byId(after.id));
  });

  it('dead-letters malformed and oversized messages, keeps odd Unicode intact, and keeps going', async () => {
    fake.dispatch('MESSAGE_CREATE', { id: snowflake(), channel_id: dmChannel, content: 'no author', timestamp: new Date().toISOString(), type: 0 });
    const huge = fake.userSends({ author: alice, channelId: dmChannel, content: 'q'.repeat(64 * 1024) });
    const odd = 'Ａ\u200B\u202Eevil\u202C e\u0301 👩‍👩‍👧 \uFFFD';
    const o = fake.userSends({ author: alice, channelId: dmChannel, content: odd });
    const next = fake.userSends({ author: alice, channelId: dmChannel, content: 'still flowing' });
    const [noAuthor, tooBig] = await gw.dlq.waitForCount(2);
    expect(noAuthor).toMatchObject({ field: 'author', reason: expect.stringContaining('malformed Discord MESSAGE_CREATE') });
    expect(tooBig).toMatchObject({ field: 'text', platformMessageId: huge.id });
    expect(JSON.stringify(gw.dlq.items)).not.toMatch(/qqqq|no author/);
    expect((await gw.inbound.waitFor(byId(o.id))).data.text).toBe(odd);
    await gw.inbound.waitFor(byId(next.id));
  });

  it('sends an outbound SendMessage to the channel through REST', async () => {
    await gw.sendOutbound({ conversationId: thread.id, replyToMessageId: '1234567890', text: 'reply from the agent' });
    const call = await fake.log.waitFor((c) => c.method === 'POST' && c.path === `/api/v10/channels/${thread.id}/messages`);
    expect(call.headers.authorization).toBe(`Bot ${TOKEN}`);
    expect(call.body).toMatchObject({
      content: 'reply from the agent',
      allowed_mentions: { parse: [] },
      message_reference: { message_id: '1234567890', fail_if_not_exists: false },
    });
  });

  it('answers the connection test with the bot identity from /users/@me', async () => {
    expect(await gw.connectionTest()).toMatchObject({ ok: true, bot: { id: fake.bot.id, name: 'twokey' } });
  });
});

describe('gateway-discord start-up errors', () => {
  let nats: NatsHarness;
  let fake: FakeDiscord;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeDiscord.start({ token: TOKEN, guilds: [], messageContentIntent: false });
  });
  afterAll(async () => {
    await fake?.close();
    await nats?.dispose();
  });

  it('says to enable the Message Content intent when Discord closes with 4014', async () => {
    const logger = new CapturingLogger();
    const gw = await startGatewayUnderTest({
      nats,
      platform: 'discord',
      adapter: new DiscordAdapter({ connection: 'discord', token: TOKEN, apiUrl: fake.apiUrl, logger }),
      logger,
      expectReady: false,
    });
    try {
      expect(fake.closeCodes).toContain(4014);
      expect(gw.gateway.adapterError).toMatch(/4014.*enable "Message Content Intent".*developer portal/);
      expect((await fetch(`${gw.httpUrl}/readyz`)).status).toBe(503);
      // The credentials themselves are fine, and the connection test says so, but fails: nothing is received (P1).
      expect(await gw.connectionTest()).toMatchObject({ ok: false, bot: { id: fake.bot.id }, error: expect.stringMatching(/not receiving.*4014/) });
    } finally {
      await gw.stop();
    }
  });

  it('reports a bad token clearly, at start and in the connection test', async () => {
    const logger = new CapturingLogger();
    const gw = await startGatewayUnderTest({
      nats,
      platform: 'discord',
      adapter: new DiscordAdapter({ connection: 'discord-bad', token: 'not-the-right-token-0123456789', apiUrl: fake.apiUrl, logger }),
      logger,
      expectReady: false,
      config: { connection: 'discord-bad' },
    });
    try {
      expect(gw.gateway.adapterError).toMatch(/rejected the bot token.*DISCORD_BOT_TOKEN/);
      expect(await gw.connectionTest()).toMatchObject({ ok: false, error: expect.stringMatching(/401 Unauthorized/) });
      expect(logger.lines.join('\n')).not.toContain('not-the-right-token');
    } finally {
      await gw.stop();
    }
  });
});
