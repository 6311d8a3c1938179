/**
 * Replies through gateway-telegram (grammY, unmodified) against the fake Bot API, which parses HTML entities,
 * counts 4,096 units after parsing and answers 429 past its flood budget, over real NATS.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeTelegram } from '@twokey/test-support/fakes/telegram';
import { CapturingLogger, GatewayUnderTest, settle, startGatewayUnderTest, testCapabilities } from '@twokey/test-support/gateway-harness';
import { answerTokens, longAnswer } from '@twokey/test-support/reply-fixtures';
import { TelegramAdapter } from '../src/telegram-adapter';
import { TELEGRAM_PROFILE } from '../src/telegram-profile';

const TOKEN = '7000000001:AAtelegram-test-token_0123456789';
const DM = '1111111';
const FORUM = '-1002271335705';

describe('gateway-telegram replies', () => {
  let nats: NatsHarness;
  let fake: FakeTelegram;
  let gw: GatewayUnderTest;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeTelegram.start({ token: TOKEN, flood: { writes: 1_000, perMs: 60_000 } });
    const adapter = new TelegramAdapter({ connection: 'telegram', token: TOKEN, apiRoot: fake.url, mode: 'polling', logger, pollingTimeoutSeconds: 5 });
    gw = await startGatewayUnderTest({ nats, platform: 'telegram', adapter, logger });
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  const sent = () => fake.calls('sendMessage');

  it('reports its capability profile in the status RPC', async () => {
    expect((await gw.statusRpc()).profile).toEqual(TELEGRAM_PROFILE);
  });

  it('delivers a 20,000-character answer with three code fences complete, in order, every chunk accepted', async () => {
    const text = longAnswer(20_000);
    expect(text.length).toBeGreaterThanOrEqual(20_000);
    const before = sent().length;
    const key = await gw.sendOutbound({ conversationId: DM, text, format: 'markdown' });
    const report = await gw.report(key);
    expect(report).toMatchObject({ status: 'delivered', command: 'send-message', conversationId: DM });
    const calls = sent().slice(before);
    expect(calls.length).toBeGreaterThanOrEqual(5);
    expect(calls.map((c) => c.status)).toEqual(calls.map(() => 200));
    expect(calls.every((c) => (c.body as { parse_mode?: string }).parse_mode === 'HTML')).toBe(true);
    const messages = report.platformMessageIds.map((id) => fake.messages.get(id)!);
    expect(messages).toHaveLength(calls.length);
    for (const m of messages) expect(m.text.length).toBeLessThanOrEqual(4096);
    expect(answerTokens(messages.map((m) => m.text).join('\n'))).toEqual(answerTokens(text));
    expect(messages.map((m) => m.raw).join('\n').match(/<pre><code class="language-(ts|py)">/g)?.length).toBeGreaterThanOrEqual(2);
  });

  it('edits a sent message (after the mapping was stored), and reports unknown targets', async () => {
    const key = await gw.sendOutbound({ conversationId: DM, text: 'thinking…', final: false });
    const first = await gw.report(key);
    const editKey = await gw.sendOutbound({ type: 'edit-message', schemaVersion: 1, conversationId: DM, targetIdempotencyKey: key, text: 'The answer is **42**', final: true });
    expect(await gw.report(editKey)).toMatchObject({ status: 'delivered', command: 'edit-message', platformMessageIds: first.platformMessageIds });
    const m = fake.messages.get(first.platformMessageIds[0])!;
    expect(m).toMatchObject({ text: 'The answer is 42', raw: 'The answer is <b>42</b>', edits: ['The answer is 42'] });
    const missing = await gw.sendOutbound({ type: 'edit-message', schemaVersion: 1, conversationId: DM, targetIdempotencyKey: 'never-sent', text: 'x' });
    expect(await gw.report(missing)).toMatchObject({ status: 'failed', failure: 'unknown-target' });
  });

  it('shows typing only for a conversation with a valid capability', async () => {
    const key = await gw.sendOutbound({ type: 'chat-action', schemaVersion: 1, conversationId: FORUM, threadId: '77', action: 'typing', state: 'start' });
    expect(await gw.report(key)).toMatchObject({ status: 'delivered', command: 'chat-action' });
    expect(fake.calls('sendChatAction').at(-1)?.body).toMatchObject({ chat_id: FORUM, action: 'typing', message_thread_id: 77 });
    await gw.sendOutbound({ type: 'chat-action', schemaVersion: 1, conversationId: FORUM, threadId: '77', action: 'typing', state: 'stop' });
    const typingBefore = fake.calls('sendChatAction').length;
    const stranger = await gw.sendOutbound({ type: 'chat-action', schemaVersion: 1, conversationId: '999', action: 'typing', state: 'start', replyCapability: null });
    expect(await gw.report(stranger)).toMatchObject({ status: 'failed', failure: 'capability-invalid' });
    expect(fake.calls('sendChatAction')).toHaveLength(typingBefore);
  });

  it('refuses forged, expired and other-conversation capabilities with zero platform calls', async () => {
    const before = fake.userFacingCalls().length;
    const good = testCapabilities().sign({ connection: 'telegram', conversationId: DM });
    const expired = testCapabilities(() => new Date(Date.now() - 2 * 3600_000)).sign({ connection: 'telegram', conversationId: DM });
    const keys = [
      await gw.sendOutbound({ conversationId: DM, text: 'forged', replyCapability: { ...good, mac: good.mac.replace(/^./, good.mac[0] === 'A' ? 'B' : 'A') } }),
      await gw.sendOutbound({ conversationId: DM, text: 'expired', replyCapability: expired }),
      await gw.sendOutbound({ conversationId: '2222222', text: 'elsewhere', replyCapability: good }),
      await gw.sendOutbound({ conversationId: DM, text: 'none', replyCapability: null }),
      await gw.sendOutbound({ schemaVersion: 1, conversationId: DM, text: 'v1 without one', replyCapability: null }),
    ];
    for (const k of keys) expect(await gw.report(k)).toMatchObject({ status: 'failed', failure: 'capability-invalid', platformMessageIds: [] });
    await gw.dlq.waitForCount(6);
    const dead = gw.dlq.items.filter((d) => keys.includes(String(d.details?.idempotencyKey)));
    expect(dead.map((d) => d.reason)).toEqual(keys.map(() => expect.stringMatching(/^send-message refused: .*capability/)));
    await settle(200);
    expect(fake.userFacingCalls()).toHaveLength(before);
  });

  it('edits a message sent before a gateway restart (the ids are in the JetStream KV bucket)', async () => {
    const key = await gw.sendOutbound({ conversationId: DM, text: 'before the restart' });
    const [id] = (await gw.report(key)).platformMessageIds;
    await gw.stop();
    const adapter = new TelegramAdapter({ connection: 'telegram', token: TOKEN, apiRoot: fake.url, mode: 'polling', logger, pollingTimeoutSeconds: 5 });
    gw = await startGatewayUnderTest({ nats, platform: 'telegram', adapter, logger });
    const edit = await gw.sendOutbound({ type: 'edit-message', schemaVersion: 1, conversationId: DM, targetIdempotencyKey: key, text: 'after the restart', final: true });
    expect(await gw.report(edit)).toMatchObject({ status: 'delivered', platformMessageIds: [id] });
    expect(fake.messages.get(id)).toMatchObject({ text: 'after the restart' });
  });

  it('escapes what Telegram would read as HTML, so the fake (which parses entities) accepts it', async () => {
    const key = await gw.sendOutbound({ conversationId: DM, text: 'a < b & **c**' });
    const r = await gw.report(key);
    expect(fake.messages.get(r.platformMessageIds[0])).toMatchObject({ text: 'a < b & c', raw: 'a &lt; b &amp; <b>c</b>' });
  });
});

/**
 * Ten minutes of a growing answer streamed as edits into one supergroup topic. Time runs 100× faster for both
 * sides (the gateway's injected clock and the fake's flood window), so the budget logic is the real one.
 */
describe('gateway-telegram: a 10-minute stream of edits within the flood budget', () => {
  const SCALE = 100;
  const TEN_MINUTES_MS = 10 * 60_000;
  let nats: NatsHarness;
  let fake: FakeTelegram;
  let gw: GatewayUnderTest;
  const logger = new CapturingLogger([], 'warn');
  const t0 = Date.now();
  const clock = { now: () => t0 + (Date.now() - t0) * SCALE, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms / SCALE)) };

  beforeAll(async () => {
    nats = await startNats();
    // Telegram's group limit, 20 writes a minute, on the fake's (scaled) minute.
    fake = await FakeTelegram.start({ token: TOKEN, flood: { writes: 20, perMs: 60_000 / SCALE, retryAfterSeconds: 1 } });
    const adapter = new TelegramAdapter({ connection: 'telegram', token: TOKEN, apiRoot: fake.url, mode: 'polling', logger, pollingTimeoutSeconds: 5 });
    gw = await startGatewayUnderTest({ nats, platform: 'telegram', adapter, logger, clock });
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  it('never fails for a 429, drops only intermediate edits, and the final text is complete', async () => {
    const answer = longAnswer(6_000);
    const target = { conversationId: FORUM, threadId: '77' };
    const first = await gw.sendOutbound({ ...target, text: answer.slice(0, 50), final: false });
    await gw.report(first);
    const edits: string[] = [];
    const start = clock.now();
    // An edit every 2 s of platform time: 30 a minute, above Telegram's 20.
    for (let at = 2_000, i = 1; at < TEN_MINUTES_MS; at += 2_000, i++) {
      while (clock.now() - start < at) await new Promise((r) => setTimeout(r, 5));
      const upto = Math.min(answer.length, Math.ceil((answer.length * at) / TEN_MINUTES_MS));
      edits.push(await gw.sendOutbound({ type: 'edit-message', schemaVersion: 1, ...target, targetIdempotencyKey: first, text: answer.slice(0, upto), final: false }));
    }
    const last = await gw.sendOutbound({ type: 'edit-message', schemaVersion: 1, ...target, targetIdempotencyKey: first, text: answer, final: true });
    const final = await gw.report(last, 30_000);
    expect(final).toMatchObject({ status: 'delivered' });
    const reports = await Promise.all(edits.map((k) => gw.report(k, 30_000)));
    const failures = reports.filter((r) => r.status === 'failed');
    // Zero 429s reach the bridge as failures: a dropped intermediate edit is over-budget, nothing else failed.
    expect(failures.map((r) => r.failure).filter((f) => f !== 'over-budget')).toEqual([]);
    expect(failures.length).toBeGreaterThan(0);
    expect(reports.length - failures.length).toBeGreaterThan(10);
    // The final text is complete across the topic's messages.
    const texts = final.platformMessageIds.map((id) => fake.messages.get(id)!.text);
    expect(answerTokens(texts.join('\n'))).toEqual(answerTokens(answer));
    // Within the budget: at most 20 writes a minute over the ten minutes (and the last edit's catch-up). The
    // gateway's own budget keeps it mostly under the platform's (the two windows differ by scheduling jitter, which
    // time at 100× magnifies): without it, a third of these writes would be refused. Each refusal was waited out.
    const writes = fake.log.filter((c) => /\/(sendMessage|editMessageText)$/.test(c.path) && c.status === 200);
    expect(writes.length).toBeLessThanOrEqual(20 * 11 + 1);
    expect(fake.floodRefusals.length).toBeLessThan(writes.length / 4);
  }, 60_000);
});
