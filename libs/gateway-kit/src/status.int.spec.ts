import { connect, ErrorCode, NatsConnection, NatsError } from 'nats';
import { ConnectionTestResult, GatewayStatus, InboundMessage, subjects as subjectsFor } from '@twokey/contracts';
import { rpcRequest, RpcRemoteError, RpcUnavailable } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { TEST_PROFILE, TEST_REPLY_CAPABILITY_SECRET } from '@twokey/test-support/gateway-harness';
import { gatewayConfig } from './config';
import { createGateway, Gateway } from './gateway';
import type { InboundSink, PlatformAdapter } from './platform-adapter';

const SECRET = 'bot-token-7000001:AAsecret';

/** The platform side of a gateway: starting can be made to fail; the connection test hangs until stop(). */
class StubAdapter implements PlatformAdapter {
  readonly platform = 'discord' as const;
  readonly profile = TEST_PROFILE;
  sink?: InboundSink;
  startError?: Error;
  connectionTests = 0;
  async start(sink: InboundSink) {
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

  const start = async (adapter: StubAdapter) => {
    const gateway = createGateway({
      adapter,
      logger: new JsonLogger('gateway-test', 'debug', { write: (l) => void logLines.push(l) }),
      config: gatewayConfig('discord', {
        connection: 'discord-main',
        replyCapability: { secret: TEST_REPLY_CAPABILITY_SECRET },
        prefix: nats.prefix,
        nats: { url: nats.url },
        http: { port: 0, host: '127.0.0.1' },
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
});
