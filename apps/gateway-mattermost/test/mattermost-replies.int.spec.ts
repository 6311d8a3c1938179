/**
 * Replies through gateway-mattermost against the fake Mattermost, which refuses posts over 16,383 characters and
 * records patches.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeMattermost, MattermostChannel } from '@twokey/test-support/fakes/mattermost';
import { CapturingLogger, GatewayUnderTest, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { describeReplyConformance } from '@twokey/test-support/reply-conformance';
import { MattermostAdapter } from '../src/mattermost-adapter';
import { MATTERMOST_PROFILE } from '../src/mattermost-profile';

const TOKEN = 'mattermost-bot-token-replies';
const bot = { id: 'botuser000000000000000000a', username: 'twokey-bot', is_bot: true };
const town: MattermostChannel = { id: 'townsquare0000000000000000', type: 'O', team_id: 'team00000000000000000000000', name: 'town-square', display_name: 'Town Square' };
const other: MattermostChannel = { id: 'otherchannel00000000000000', type: 'O', team_id: 'team00000000000000000000000', name: 'other', display_name: 'Other' };

describe('gateway-mattermost replies', () => {
  let nats: NatsHarness;
  let fake: FakeMattermost;
  let gw: GatewayUnderTest;
  const logger = new CapturingLogger([], 'warn');

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeMattermost.start({ token: TOKEN, bot, users: [], channels: [town, other] });
    const adapter = new MattermostAdapter({ connection: 'mattermost', baseUrl: fake.url, token: TOKEN, logger, backoff: { initialMs: 20, maxMs: 200 } });
    gw = await startGatewayUnderTest({ nats, platform: 'mattermost', adapter, logger });
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  describeReplyConformance(() => ({
    gw,
    profile: MATTERMOST_PROFILE,
    target: { conversationId: town.id },
    elsewhere: other.id,
    visibleText: (id) => fake.posts.get(id)?.message,
    editsOf: (id) => fake.edits.get(id) ?? [],
    sendStatuses: () => fake.log.filter((c) => c.method === 'POST' && c.path === '/api/v4/posts').map((c) => c.status ?? 0),
    typingCalls: () => fake.log.filter((c) => c.path.endsWith('/typing')).length,
    userFacingCalls: () => fake.userFacingCalls().length,
  }));
});
