import { connect, NatsConnection } from 'nats';
import { ConnectionTestResult, DeliveryReport, InboundMessage, SendMessage, subjects as subjectsFor } from '@twokey/contracts';
import { collectStream } from '@twokey/test-support/stream-collector';
import { TEST_PROFILE, TEST_REPLY_CAPABILITY_SECRET, testCapabilities } from '@twokey/test-support/gateway-harness';
import { rpcRequest } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { gatewayConfig } from './config';
import { GatewayBufferFull } from './errors';
import { createGateway, Gateway } from './gateway';
import type { InboundSink, OutboundChunk, PlatformAdapter } from './platform-adapter';

class StubAdapter implements PlatformAdapter {
  readonly platform = 'telegram' as const;
  readonly profile = TEST_PROFILE;
  sink?: InboundSink;
  sent: OutboundChunk[] = [];
  failNext = 0;
  async start(sink: InboundSink) {
    this.sink = sink;
  }
  async stop() {}
  async send(m: OutboundChunk) {
    if (this.failNext-- > 0) throw new Error('platform said 502');
    this.sent.push(m);
    return `m${this.sent.length}`;
  }
  async connectionTest(): Promise<ConnectionTestResult> {
    return { ok: true, bot: { id: '42', name: 'stub_bot' }, latencyMs: 0 };
  }
}

const lines: string[] = [];
const logger = new JsonLogger('gateway-test', 'debug', { write: (l) => void lines.push(l) });

const message = (id: string, text = 'hello'): InboundMessage => ({
  schemaVersion: 1,
  connection: 'telegram',
  platform: 'telegram',
  platformMessageId: id,
  sentAt: '2024-01-01T00:00:00.000Z',
  receivedAt: '2024-01-01T00:00:01.000Z',
  actor: { id: '1111111', displayName: 'Test' },
  conversation: { id: '1111111', kind: 'dm' },
  text,
});

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve(fn()).catch(() => undefined); // NATS may still be recovering
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('gateway kit over real NATS', () => {
  let nats: NatsHarness;
  let nc: NatsConnection;
  let gateway: Gateway;
  const adapter = new StubAdapter();

  beforeAll(async () => {
    nats = await startNats({ spawn: true });
    gateway = createGateway({
      adapter,
      logger,
      config: gatewayConfig('telegram', { replyCapability: { secret: TEST_REPLY_CAPABILITY_SECRET }, prefix: nats.prefix, nats: { url: nats.url }, http: { port: 0, host: '127.0.0.1' }, publishTimeoutMs: 500 }),
    });
    await gateway.start();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterAll(async () => {
    await gateway.stop();
    await nc.close();
    await nats.dispose();
  });

  const s = () => subjectsFor(nats.prefix);
  const stored = async () => (await (await nc.jetstreamManager({ timeout: 500 })).streams.info(s().streams.inbound)).state.messages;
  const http = (path: string) => fetch(`http://127.0.0.1:${gateway.httpPort}${path}`);

  it('publishes a valid message once, even when the platform delivers it twice', async () => {
    await adapter.sink!.publish(message('1111111:1'));
    await adapter.sink!.publish(message('1111111:1'));
    expect(await stored()).toBe(1);
    const got = await (await nc.jetstreamManager()).streams.getMessage(s().streams.inbound, { seq: 1 });
    expect(got.subject).toBe(s().inbound('telegram'));
    expect(got.header.get('Nats-Msg-Id')).toBe('telegram:1111111:1');
  });

  it('dead-letters an invalid message with the field and id, never the text', async () => {
    const dlq: unknown[] = [];
    const sub = nc.subscribe(s().dlq('gateway.telegram'), { callback: (_e, m) => dlq.push(m.json()) });
    await nc.flush();
    await adapter.sink!.publish(message('1111111:2', 'x'.repeat(70_000)));
    await adapter.sink!.publish({ ...message('1111111:3'), actor: { id: '', displayName: 'x' } });
    await until(() => dlq.length === 2);
    sub.unsubscribe();
    expect(dlq[0]).toMatchObject({ origin: 'gateway.telegram', reason: expect.stringContaining('text'), field: 'text', platformMessageId: '1111111:2' });
    expect(dlq[1]).toMatchObject({ field: 'actor.id', platformMessageId: '1111111:3' });
    expect(JSON.stringify(dlq)).not.toContain('xxxx');
    expect(await stored()).toBe(1);
  });

  it('keeps messages while NATS is down and publishes each exactly once after it is back', async () => {
    await nats.kill();
    const pending = [adapter.sink!.publish(message('1111111:10')), adapter.sink!.publish(message('1111111:11'))];
    await Promise.all(pending);
    expect(((await (await http('/readyz')).json()) as { checks: { nats: boolean } }).checks.nats).toBe(false);
    await nats.start();
    await until(async () => (await stored()) === 3 || undefined, 15_000);
    await adapter.sink!.publish(message('1111111:11'));
    expect(await stored()).toBe(3);
    expect((await http('/readyz')).status).toBe(200);
  });

  it('sends SendMessage commands through the adapter, retrying a failure, and dead-letters invalid ones', async () => {
    const js = nc.jetstream();
    const dlq: { field?: string; reason?: string }[] = [];
    const sub = nc.subscribe(s().dlq('gateway.telegram'), { callback: (_e, m) => dlq.push(m.json()) });
    await nc.flush();
    adapter.failNext = 1;
    const replyCapability = testCapabilities().sign({ connection: 'telegram', conversationId: '1111111' });
    const cmd: SendMessage = { schemaVersion: 1, connection: 'telegram', idempotencyKey: 'k1', conversationId: '1111111', text: 'hi', replyCapability };
    await js.publish(s().outbound('telegram'), JSON.stringify(cmd), { msgID: 'k1' });
    await js.publish(s().outbound('telegram'), JSON.stringify({ ...cmd, text: '' }), { msgID: 'k2' });
    await until(() => adapter.sent.length === 1 || undefined, 10_000);
    expect(adapter.sent[0]).toMatchObject({ conversationId: '1111111', text: 'hi', formatted: false, chunkKey: 'k1:0' });
    await until(() => dlq.length === 1 || undefined);
    sub.unsubscribe();
    expect(dlq[0]).toMatchObject({ field: 'text', reason: expect.stringContaining('invalid OutboundCommand') });
    expect(adapter.sent).toHaveLength(1);
    // One DeliveryReport each, even though the invalid command (wrongly) reused k1.
    const reports = await collectStream<DeliveryReport>(nc, s().streams.delivered, s().delivered('telegram'));
    try {
      const [a, b] = await reports.waitForCount(2, 10_000);
      expect([a.data, b.data].map((r) => [r.status, r.failure]).sort()).toEqual([
        ['delivered', undefined],
        ['failed', 'invalid-command'],
      ]);
    } finally {
      await reports.stop();
    }
  });

  it('answers the connection test with the bot identity and a measured latency', async () => {
    const r = await rpcRequest(nc, s().rpcGateway('telegram', 'connection-test'), {}, ConnectionTestResult);
    expect(r).toMatchObject({ ok: true, bot: { id: '42', name: 'stub_bot' } });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('serves health, readiness and metrics', async () => {
    expect((await http('/healthz')).status).toBe(200);
    expect((await http('/readyz')).status).toBe(200);
    const metrics = await (await http('/metrics')).text();
    expect(metrics).toMatch(/twokey_gateway_inbound_published_total\{[^}]*\} 3/);
    expect(metrics).toMatch(/twokey_gateway_inbound_rejected_total\{[^}]*\} 2/);
    expect(metrics).toMatch(/twokey_gateway_outbound_sent_total\{[^}]*\} 1/);
    expect(metrics).toMatch(/twokey_gateway_buffer_size\{[^}]*\} 0/);
  });
});

describe('gateway kit buffer bound', () => {
  it('refuses a message with a logged error when the buffer is full, and loses none of the buffered ones', async () => {
    const nats = await startNats({ spawn: true });
    const adapter = new StubAdapter();
    const logged: string[] = [];
    const gateway = createGateway({
      adapter,
      logger: new JsonLogger('gateway-test', 'debug', { write: (l) => void logged.push(l) }),
      bufferFullWaitMs: 100,
      config: gatewayConfig('telegram', { replyCapability: { secret: TEST_REPLY_CAPABILITY_SECRET }, prefix: nats.prefix, nats: { url: nats.url }, http: { port: 0, host: '127.0.0.1' }, publishTimeoutMs: 300, bufferMax: 2 }),
    });
    await gateway.start();
    const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      await nats.kill();
      await adapter.sink!.publish(message('1111111:1'));
      await adapter.sink!.publish(message('1111111:2'));
      await expect(adapter.sink!.publish(message('1111111:3'))).rejects.toBeInstanceOf(GatewayBufferFull);
      expect(logged.some((l) => l.includes('inbound buffer full') && l.includes('"level":"error"'))).toBe(true);
      await nats.start();
      const s = subjectsFor(nats.prefix);
      const count = async () => (await (await nc.jetstreamManager({ timeout: 500 })).streams.info(s.streams.inbound)).state.messages;
      await until(async () => (await count()) === 2 || undefined, 15_000);
      expect(await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`).then((r) => r.text())).toMatch(/twokey_gateway_inbound_refused_total\{[^}]*\} 1/);
    } finally {
      await gateway.stop();
      await nc.close();
      await nats.dispose();
    }
  });
});
