import { connect, ErrorCode, NatsConnection, NatsError } from 'nats';
import { ConnectionTestResult, GatewayStatus, InboundMessage, subjects as subjectsFor } from '@twokey/contracts';
import { rpcRequest, RpcRemoteError, RpcUnavailable } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { TEST_PROFILE, TEST_REPLY_CAPABILITY_SECRET } from '@twokey/test-support/gateway-harness';
import { gatewayConfig } from './config';
import { createGateway, Gateway } from './gateway';
import { NonRetryablePlatformError } from './errors';
import type { InboundSink, PlatformAdapter } from './platform-adapter';

const SECRET = 'bot-token-7000001:AAsecret';

/** The platform side of a gateway: starting can be made to fail; the connection test hangs until stop(). */
class StubAdapter implements PlatformAdapter {
  readonly platform = 'discord' as const;
  readonly profile = TEST_PROFILE;
  sink?: InboundSink;
  startError?: Error;
  connectionTests = 0;
  starts = 0;
  answerTests = false;
  async start(sink: InboundSink) {
    this.starts++;
    if (this.startError) throw this.startError;
    this.sink = sink;
  }
  private hanging: (() => void)[] = [];
  async stop() {
    for (const answer of this.hanging.splice(0)) answer();
  }
  async send(): Promise<string> {
    throw new Error('not used');
  }
  /** A platform that does not answer while the gateway runs. */
  connectionTest(): Promise<ConnectionTestResult> {
    this.connectionTests++;
    if (this.answerTests) return Promise.resolve({ ok: true, bot: { id: 'b1', name: 'bot' }, latencyMs: 0 });
    return new Promise((resolve) => this.hanging.push(() => resolve({ ok: false, latencyMs: 0, error: 'stopped' })));
  }
}

const message = (id: string): InboundMessage => ({
  schemaVersion: 1,
  connection: 'discord-main',
  platform: 'discord',
  platformMessageId: id,
  sentAt: '2024-01-01T00:00:00.000Z',
  receivedAt: '2024-01-01T00:00:01.000Z',
  actor: { id: '1111111', displayName: 'Test' },
  conversation: { id: '2222222', kind: 'dm' },
  text: 'hello',
});

/** The admin-api's budget for a status answer. */
const ADMIN_STATUS_TIMEOUT_MS = 750;

describe('gateway status over real NATS', () => {
  let nats: NatsHarness;
  let nc: NatsConnection;
  const logLines: string[] = [];
  const started: Gateway[] = [];

  const start = async (adapter: StubAdapter, probePort?: number) => {
    const gateway = createGateway({
      adapter,
      logger: new JsonLogger('gateway-test', 'debug', { write: (l) => void logLines.push(l) }),
      config: gatewayConfig('discord', {
        connection: 'discord-main',
        replyCapability: { secret: TEST_REPLY_CAPABILITY_SECRET },
        prefix: nats.prefix,
        nats: { url: nats.url },
        http: { port: 0, host: '127.0.0.1' },
        ...(probePort !== undefined ? { probePort } : {}),
      }),
    });
    started.push(gateway);
    await gateway.start();
    return gateway;
  };
  const subject = () => subjectsFor(nats.prefix).rpcGateway('discord-main', 'status');
  const ask = (body: unknown = {}) => rpcRequest(nc, subject(), body, GatewayStatus, ADMIN_STATUS_TIMEOUT_MS);

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
  });
  afterEach(async () => {
    for (const g of started.splice(0)) await g.stop();
  });
  afterAll(async () => {
    await nc.close();
    await nats.dispose();
  });

  it('answers from memory while the platform hangs: adapter started, since when, last delivery, buffer', async () => {
    const before = Date.now();
    const adapter = new StubAdapter();
    await start(adapter);
    // A connection test that never ends must not hold up the status (the admin-api asks with a short timeout).
    void rpcRequest(nc, subjectsFor(nats.prefix).rpcGateway('discord-main', 'connection-test'), {}, ConnectionTestResult, 60_000).catch(() => undefined);

    const first = await ask();
    expect(first).toEqual({
      connection: 'discord-main',
      platform: 'discord',
      adapterStarted: true,
      since: expect.any(String),
      lastInboundAt: null,
      bufferSize: 0,
      receiving: true,
      // What replies can do here, for the agent bridge (from memory as well).
      profile: TEST_PROFILE,
    });
    expect(Date.parse(first.since)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(first.since)).toBeLessThanOrEqual(Date.now());

    const delivered = Date.now();
    await adapter.sink!.publish(message('1'));
    const second = await ask({ correlationId: 'c-1' });
    expect(Date.parse(second.lastInboundAt!)).toBeGreaterThanOrEqual(delivered);
    expect(second.since).toBe(first.since);
    expect(adapter.connectionTests).toBe(1); // only the explicit connection test reached the platform
  });

  it('says when the adapter could not start, without its error (which may quote a credential)', async () => {
    const adapter = new StubAdapter();
    adapter.startError = new Error(`401 Unauthorized for https://discord.example/bot${SECRET}/gateway`);
    const gateway = await start(adapter);
    expect(gateway.adapterError).toContain(SECRET);

    const reply = await nc.request(subject(), '{}', { timeout: ADMIN_STATUS_TIMEOUT_MS });
    const raw = Buffer.from(reply.data).toString('utf8');
    expect(raw).not.toContain(SECRET);
    expect(GatewayStatus.parse(JSON.parse(raw))).toMatchObject({ connection: 'discord-main', adapterStarted: false, lastInboundAt: null });
    expect(adapter.connectionTests).toBe(0);
  });

  it('L4: /readyz and /metrics carry no error text: the adapter error that quotes a credential stays out', async () => {
    const adapter = new StubAdapter();
    adapter.startError = new Error(`401 Unauthorized for https://discord.example/bot${SECRET}/gateway`);
    const gateway = await start(adapter);
    const ready = await fetch(`http://127.0.0.1:${gateway.httpPort}/readyz`);
    const body = await ready.text();
    expect(ready.status).toBe(503);
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain('Unauthorized');
    expect(JSON.parse(body)).toEqual({ status: 'not-ready', checks: { nats: true, adapter: false } });
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    expect(metrics).not.toContain(SECRET);
    expect(metrics).toMatch(/^twokey_build_info\{service="gateway-discord",version="[^"]+",node="v\d+[^"]*"[^}]*\} 1$/m);
  });

  it('L4: with PROBE_PORT the probes and metrics answer there only; the public port (webhooks) has none of them', async () => {
    const adapter = new StubAdapter();
    adapter.startError = new Error(`401 Unauthorized for https://discord.example/bot${SECRET}/gateway`);
    const gateway = await start(adapter, 0);
    const pub = (p: string) => fetch(`http://127.0.0.1:${gateway.httpPort}${p}`);
    const internal = (p: string) => fetch(`http://127.0.0.1:${gateway.probePort}${p}`);
    expect(gateway.probePort).toEqual(expect.any(Number));
    expect(gateway.probePort).not.toBe(gateway.httpPort);
    for (const p of ['/healthz', '/readyz', '/metrics']) expect([p, (await pub(p)).status]).toEqual([p, 404]);
    expect((await internal('/healthz')).status).toBe(200);
    const ready = await internal('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not-ready', checks: { nats: true, adapter: false } });
    const metrics = await (await internal('/metrics')).text();
    expect(metrics).toContain('twokey_build_info{service="gateway-discord"');
    // The backlog of its outbound consumer (replies waiting for it), read from JetStream.
    expect(metrics).toContain(`twokey_consumer_pending{stream="${subjectsFor(nats.prefix).streams.outbound}",consumer="gateway-discord-main",connection="discord-main",platform="discord"} 0`);
    expect(metrics).not.toContain(SECRET);
  });

  it('refuses a request that breaks the contract with a 400 service error', async () => {
    await start(new StubAdapter());
    const refused = await ask({ correlationId: '' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RpcRemoteError);
    expect((refused as RpcRemoteError).code).toBe('400');
  });

  it('stops answering when the gateway stops: the asker hears "no responders" at once', async () => {
    const gateway = await start(new StubAdapter());
    expect((await ask()).adapterStarted).toBe(true);
    await gateway.stop();
    const gone = await ask().catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(RpcUnavailable);
    expect(((gone as RpcUnavailable).cause as NatsError).code).toBe(ErrorCode.NoResponders);
  });

  it('a start refused for good is not retried, says why, fails the connection test, and Reconnect starts afresh', async () => {
    const adapter = new StubAdapter();
    adapter.answerTests = true;
    adapter.startError = new NonRetryablePlatformError('Example refused the token (401): check EXAMPLE_TOKEN');
    await start(adapter);
    expect(adapter.starts).toBe(1);
    expect(await ask()).toMatchObject({ receiving: false, halted: true, reason: 'Example refused the token (401): check EXAMPLE_TOKEN' });
    const test = await rpcRequest(nc, subjectsFor(nats.prefix).rpcGateway('discord-main', 'connection-test'), {}, ConnectionTestResult, 5_000);
    expect(test).toMatchObject({ ok: false, bot: { id: 'b1' }, error: expect.stringMatching(/not receiving.*refused the token/) });

    adapter.startError = undefined;
    const reconnect = subjectsFor(nats.prefix).rpcGateway('discord-main', 'reconnect');
    expect(await rpcRequest(nc, reconnect, {}, GatewayStatus, 5_000)).toMatchObject({ receiving: true, adapterStarted: true });
    expect(adapter.starts).toBe(2);
    expect((await ask()).halted).toBeUndefined();
  });
});
