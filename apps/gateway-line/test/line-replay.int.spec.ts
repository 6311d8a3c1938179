/**
 * L1 and L5 (issue 20): a LINE webhook replayed after JetStream's duplicate window would be published again (LINE
 * signs only the body, so a captured request stays valid): events more than 5 minutes off are not published but
 * dead-lettered; an unsigned request is refused before its body is read, and bodies are capped.
 */
import { nanos } from 'nats';
import { InboundMessage } from '@twokey/contracts';
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeLine } from '@twokey/test-support/fakes/line';
import { CapturingLogger, GatewayUnderTest, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { openRaw } from '@twokey/test-support/raw-http';
import { StoredMessage } from '@twokey/test-support/stream-collector';
import { LineAdapter } from '../src/line-adapter';

const SECRET = 'line-channel-secret-replay-0123';
const TOKEN = 'line-channel-access-token-replay-0123';
const DUPLICATE_WINDOW_MS = 1_000;
const alice = { userId: 'U' + 'a'.repeat(32), displayName: 'Alice' };

describe('gateway-line: replayed and unsigned webhooks', () => {
  let nats: NatsHarness;
  let fake: FakeLine;
  let gw: GatewayUnderTest;
  let webhook: string;
  /** The gateway's clock, moved forward to replay a request after the duplicate window. */
  let offsetMs = 0;
  const logger = new CapturingLogger();
  const byId = (id: string) => (m: StoredMessage<InboundMessage>) => m.data.platformMessageId === id;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeLine.start({ channelAccessToken: TOKEN, profiles: [alice] });
    const adapter = new LineAdapter({ connection: 'ln-replay', channelSecret: SECRET, channelAccessToken: TOKEN, apiBaseUrl: fake.url, logger, now: () => new Date(Date.now() + offsetMs) });
    gw = await startGatewayUnderTest({ nats, platform: 'line', adapter, logger, config: { connection: 'ln-replay' } });
    webhook = `${gw.httpUrl}/line/webhook`;
    // A short duplicate window stands in for the 10 minutes of production, so the test can outlast it.
    const jsm = await gw.nc.jetstreamManager();
    const inbound = await jsm.streams.info(gw.subjects.streams.inbound);
    await jsm.streams.update(gw.subjects.streams.inbound, { ...inbound.config, duplicate_window: nanos(DUPLICATE_WINDOW_MS) });
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  it('L1: a captured webhook replayed later than 5 minutes is not published again but dead-lettered', async () => {
    const e = fake.textEvent({ source: { type: 'user', userId: alice.userId }, text: 'captured' });
    const body = fake.webhookBody([e]);
    expect((await fake.deliver(webhook, body, { channelSecret: SECRET })).status).toBe(200);
    await gw.inbound.waitFor(byId(e.message.id));
    const storedAt = Date.now();
    // JetStream forgets the Nats-Msg-Id once its window has passed: that much time must really go by.
    await new Promise((r) => setTimeout(r, Math.max(0, storedAt + DUPLICATE_WINDOW_MS + 200 - Date.now())));

    offsetMs = 11 * 60_000; // the replay comes 11 minutes later by the gateway's clock
    try {
      expect((await fake.deliver(webhook, body, { channelSecret: SECRET })).status).toBe(200);
      const dead = await gw.dlq.waitFor((d) => d.platformMessageId === e.message.id);
      expect(dead.reason).toContain('possible replay');
      const fresh = fake.textEvent({ source: { type: 'user', userId: alice.userId }, text: 'fresh', timestamp: Date.now() + offsetMs });
      expect((await fake.deliver(webhook, fake.webhookBody([fresh]), { channelSecret: SECRET })).status).toBe(200);
      await gw.inbound.waitFor(byId(fresh.message.id));
      expect(gw.inbound.items.filter(byId(e.message.id))).toHaveLength(1);
    } finally {
      offsetMs = 0;
    }
  });

  it('L1: an event stamped more than 5 minutes ahead is refused the same way', async () => {
    const e = fake.textEvent({ source: { type: 'user', userId: alice.userId }, text: 'from the future', timestamp: Date.now() + 6 * 60_000 });
    expect((await fake.deliver(webhook, fake.webhookBody([e]), { channelSecret: SECRET })).status).toBe(200);
    expect((await gw.dlq.waitFor((d) => d.platformMessageId === e.message.id)).reason).toContain('future');
  });

  it('L5: a request without X-Line-Signature is refused before its body is read, and bodies are capped', async () => {
    const c = await openRaw(gw.gateway.httpPort, 'POST /line/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 500000\r\n\r\n{"events":[');
    const { text } = await c.received(300);
    c.socket.destroy();
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
    expect(text).toContain('missing X-Line-Signature header');
    const huge = await openRaw(gw.gateway.httpPort, 'POST /line/webhook HTTP/1.1\r\nHost: x\r\nx-line-signature: s\r\nContent-Length: 2000000\r\n\r\n');
    const tooLarge = await huge.received(300);
    huge.socket.destroy();
    expect(tooLarge.text).toMatch(/^HTTP\/1\.1 413 /);
  });
});
