/**
 * Replies through gateway-line (@line/bot-sdk, unmodified) against the fake LINE API, which refuses text over 5,000
 * characters and more than 5 messages per request. LINE has no edits (reported unsupported) and shows a loading
 * animation in one-to-one chats.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeLine } from '@twokey/test-support/fakes/line';
import { CapturingLogger, GatewayUnderTest, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { describeReplyConformance } from '@twokey/test-support/reply-conformance';
import { LineAdapter } from '../src/line-adapter';
import { LINE_PROFILE } from '../src/line-profile';

const TOKEN = 'line-channel-access-token-replies';
const SECRET = 'line-channel-secret-replies';
const ALICE = `U${'a'.repeat(32)}`;
const STRANGER = `U${'5'.repeat(32)}`;

describe('gateway-line replies', () => {
  let nats: NatsHarness;
  let fake: FakeLine;
  let gw: GatewayUnderTest;
  const logger = new CapturingLogger([], 'warn');

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeLine.start({ channelAccessToken: TOKEN, profiles: [] });
    gw = await startGatewayUnderTest({ nats, platform: 'line', adapter: new LineAdapter({ connection: 'line', channelSecret: SECRET, channelAccessToken: TOKEN, apiBaseUrl: fake.url, logger }), logger });
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  describeReplyConformance(() => ({
    gw,
    profile: LINE_PROFILE,
    target: { conversationId: ALICE },
    elsewhere: STRANGER,
    visibleText: (id) => fake.textById.get(id),
    editsOf: () => [],
    sendStatuses: () => fake.log.filter((c) => c.path === '/v2/bot/message/push' || c.path === '/v2/bot/message/reply').map((c) => c.status ?? 0),
    typingCalls: () => fake.log.filter((c) => c.path === '/v2/bot/chat/loading/start').length,
    userFacingCalls: () => fake.userFacingCalls().length,
  }));

  it('reports typing in a group as unsupported: LINE shows its loading animation in one-to-one chats only', async () => {
    const group = `C${'0'.repeat(32)}`;
    const before = fake.log.filter((c) => c.path === '/v2/bot/chat/loading/start').length;
    const key = await gw.sendOutbound({ type: 'chat-action', schemaVersion: 1, conversationId: group, action: 'typing', state: 'start' });
    expect(await gw.report(key)).toMatchObject({ status: 'failed', failure: 'unsupported' });
    expect(fake.log.filter((c) => c.path === '/v2/bot/chat/loading/start')).toHaveLength(before);
  });

  it('sends a long answer as bubbles of at most 5,000 characters, 5 per request', async () => {
    const text = 'word '.repeat(7_000).trim(); // 34,999 characters: 7 bubbles
    const report = await gw.report(await gw.sendOutbound({ conversationId: ALICE, text, format: 'plain' }));
    const texts = report.platformMessageIds.map((id) => fake.textById.get(id)!);
    expect(texts.length).toBe(7);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(5_000);
    expect(fake.sentMessages().slice(-2).map((m) => m.messages.length)).toEqual([5, 2]);
    expect(texts.join(' ')).toBe(text);
  });
});
