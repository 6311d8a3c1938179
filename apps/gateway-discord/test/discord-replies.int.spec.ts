/**
 * Replies through gateway-discord (discord.js REST, unmodified) against the fake Discord, which refuses content over
 * 2,000 characters with Discord's Invalid Form Body and records edits.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeDiscord, snowflake } from '@twokey/test-support/fakes/discord';
import { CapturingLogger, GatewayUnderTest, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { describeReplyConformance } from '@twokey/test-support/reply-conformance';
import { DiscordAdapter } from '../src/discord-adapter';
import { DISCORD_PROFILE } from '../src/discord-profile';

const TOKEN = 'discord-bot-token.0123456789.abcdefghijklmnop';
const channel = snowflake();

describe('gateway-discord replies', () => {
  let nats: NatsHarness;
  let fake: FakeDiscord;
  let gw: GatewayUnderTest;
  const logger = new CapturingLogger([], 'warn');

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeDiscord.start({ token: TOKEN, guilds: [] });
    gw = await startGatewayUnderTest({ nats, platform: 'discord', adapter: new DiscordAdapter({ connection: 'discord', token: TOKEN, apiUrl: fake.apiUrl, logger, waitGuildTimeoutMs: 500 }), logger });
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  describeReplyConformance(() => ({
    gw,
    profile: DISCORD_PROFILE,
    target: { conversationId: channel },
    elsewhere: snowflake(),
    visibleText: (id) => fake.sent.get(id)?.content,
    editsOf: (id) => fake.sent.get(id)?.edits ?? [],
    sendStatuses: () => fake.log.filter((c) => c.method === 'POST' && /\/channels\/\d+\/messages$/.test(c.path)).map((c) => c.status ?? 0),
    typingCalls: () => fake.log.filter((c) => c.path.endsWith('/typing')).length,
    userFacingCalls: () => fake.userFacingCalls().length,
  }));

  it('pings nobody: every message goes out with allowed_mentions parse []', async () => {
    const key = await gw.sendOutbound({ conversationId: channel, text: 'hey @everyone and @here' });
    const [id] = (await gw.report(key)).platformMessageIds;
    expect(fake.sent.get(id)).toMatchObject({ allowedMentions: { parse: [] } });
    expect(fake.sent.get(id)?.content).not.toMatch(/@(everyone|here)\b/);
  });
});
