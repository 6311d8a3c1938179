/**
 * Replies through gateway-slack (the Web API client, unmodified) against the fake Slack, which refuses text over
 * 40,000 characters (msg_too_long) and records chat.update edits.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeSlack } from '@twokey/test-support/fakes/slack';
import { CapturingLogger, GatewayUnderTest, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { describeReplyConformance } from '@twokey/test-support/reply-conformance';
import { SlackAdapter } from '../src/slack-adapter';
import { SLACK_PROFILE } from '../src/slack-profile';

const BOT_TOKEN = 'xoxb-1111-2222-replies';
const SIGNING_SECRET = 'slack-signing-secret-0123456789abcdef';

describe('gateway-slack replies', () => {
  let nats: NatsHarness;
  let fake: FakeSlack;
  let gw: GatewayUnderTest;
  const logger = new CapturingLogger([], 'warn');

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeSlack.start({ botToken: BOT_TOKEN, teamId: 'T0TEAM0001', users: [] });
    const adapter = new SlackAdapter({ connection: 'slack', botToken: BOT_TOKEN, mode: 'http', signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl, logger });
    gw = await startGatewayUnderTest({ nats, platform: 'slack', adapter, logger });
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  describeReplyConformance(() => ({
    gw,
    profile: SLACK_PROFILE,
    target: { conversationId: 'C0GENERAL1', threadId: '1700000000.000100' },
    elsewhere: 'D0STRANGER',
    visibleText: (id) => fake.posted.get(id)?.text,
    editsOf: (id) => fake.posted.get(id)?.edits ?? [],
    // Slack answers refusals with HTTP 200 and ok: false: a refused chunk is one the fake kept no message for.
    sendStatuses: () => fake.log.filter((c) => c.path === '/api/chat.postMessage').map((c) => c.status ?? 0),
    typingCalls: () => 0,
    userFacingCalls: () => fake.userFacingCalls().length,
  }));

  it('answers a channel message in a thread under it', async () => {
    const key = await gw.sendOutbound({ conversationId: 'C0GENERAL1', replyToMessageId: 'C0GENERAL1:1700000000.000200', text: 'in the thread' });
    expect(await gw.report(key)).toMatchObject({ status: 'delivered' });
    expect(fake.calls('chat.postMessage').at(-1)).toMatchObject({ channel: 'C0GENERAL1', thread_ts: '1700000000.000200', text: 'in the thread' });
  });

  it('waits exactly the Retry-After of a 429, then delivers', async () => {
    fake.rateLimitNext(1, 1);
    const started = Date.now();
    const key = await gw.sendOutbound({ conversationId: 'C0GENERAL1', text: 'after the wait' });
    const report = await gw.report(key);
    expect(report).toMatchObject({ status: 'delivered' });
    const calls = fake.log.filter((c) => c.path === '/api/chat.postMessage').slice(-2);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(1_000);
    expect(calls[1].at - calls[0].at).toBeLessThan(1_900); // not the kit's own backoff on top
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });
});
