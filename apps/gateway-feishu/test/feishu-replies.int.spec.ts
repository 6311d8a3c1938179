/**
 * Replies through gateway-feishu (the Lark SDK, unmodified) against the fake Open Platform, which checks post and
 * text content, refuses a post over 30 KB (230025) and records edits (PUT im/v1/messages/:id).
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeFeishu } from '@twokey/test-support/fakes/feishu';
import { CapturingLogger, GatewayUnderTest, settle, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { describeReplyConformance } from '@twokey/test-support/reply-conformance';
import { FeishuAdapter } from '../src/feishu-adapter';
import { FEISHU_PROFILE } from '../src/feishu-profile';

const APP_ID = 'cli_9f5343c580712544';
const APP_SECRET = 'feishu-app-secret-0123';
const VERIFICATION = 'verification-token-0123';

describe('gateway-feishu replies', () => {
  let nats: NatsHarness;
  let fake: FakeFeishu;
  let gw: GatewayUnderTest;
  const logger = new CapturingLogger([], 'warn');

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeFeishu.start({ appId: APP_ID, appSecret: APP_SECRET, verificationToken: VERIFICATION, users: [] });
    const adapter = new FeishuAdapter({ connection: 'feishu', appId: APP_ID, appSecret: APP_SECRET, domain: fake.url, mode: 'webhook', verificationToken: VERIFICATION, allowUnsigned: true, logger });
    gw = await startGatewayUnderTest({ nats, platform: 'feishu', adapter, logger });
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  describeReplyConformance(() => ({
    gw,
    profile: FEISHU_PROFILE,
    target: { conversationId: 'oc_group00000000000000000000000000' },
    elsewhere: 'oc_stranger000000000000000000000',
    visibleText: (id) => fake.sent.get(id)?.text,
    editsOf: (id) => fake.sent.get(id)?.edits ?? [],
    sendStatuses: () => fake.log.filter((c) => c.method === 'POST' && c.path.startsWith('/open-apis/im/v1/messages')).map((c) => c.status ?? 0),
    typingCalls: () => 0,
    userFacingCalls: () => fake.userFacingCalls().length,
  }));

  it("streams edits within Feishu's 20 edits per message, keeping the last for the final text", async () => {
    const chat = 'oc_stream0000000000000000000000000';
    const first = await gw.sendOutbound({ conversationId: chat, text: 'step 0', final: false });
    const [id] = (await gw.report(first)).platformMessageIds;
    const reports = [];
    for (let i = 1; i <= 24; i++) {
      const key = await gw.sendOutbound({ type: 'edit-message', schemaVersion: 1, conversationId: chat, targetIdempotencyKey: first, text: `step ${i}`, final: false });
      reports.push(await gw.report(key));
      await settle(250); // the agent's pace: 4 edits a second, within Feishu's 5 writes a second to one chat
    }
    expect(reports.filter((r) => r.status === 'delivered')).toHaveLength(19);
    expect(reports.filter((r) => r.status === 'failed').map((r) => r.failure)).toEqual(Array(5).fill('over-budget'));
    const final = await gw.sendOutbound({ type: 'edit-message', schemaVersion: 1, conversationId: chat, targetIdempotencyKey: first, text: 'the answer', final: true });
    expect(await gw.report(final)).toMatchObject({ status: 'delivered' });
    expect(fake.sent.get(id)).toMatchObject({ text: 'the answer' });
    expect(fake.sent.get(id)!.edits).toHaveLength(20);
  });

  it('sends Markdown as a post with one md element, measured in UTF-8 bytes', async () => {
    const text = '漢字'.repeat(8_000); // 48,000 bytes, 16,000 UTF-16 units
    const report = await gw.report(await gw.sendOutbound({ conversationId: 'oc_group00000000000000000000000000', text }));
    expect(report.platformMessageIds.length).toBeGreaterThanOrEqual(3);
    for (const id of report.platformMessageIds) expect(Buffer.byteLength(fake.sent.get(id)!.text)).toBeLessThanOrEqual(FEISHU_PROFILE.maxLength);
    expect(report.platformMessageIds.map((id) => fake.sent.get(id)!.text).join('')).toBe(text);
  });
});
