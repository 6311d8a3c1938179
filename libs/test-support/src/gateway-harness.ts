/**
 * Runs one gateway (the real kit with a real platform adapter) against a test's NATS, and collects what it
 * publishes: inbound messages from JetStream, dead letters from the DLQ subject. Used by every gateway's
 * integration and end-to-end tests; the platform side is the test's fake server.
 */
import { connect, NatsConnection } from 'nats';
import { ConnectionTestResult, DeliveryReport, GatewayStatus, InboundMessage, Platform, ReplyCapability, subjects as subjectsFor, Subjects } from '@twokey/contracts';
import { ReplyCapabilities } from '@twokey/reply-capability';
import { Clock, createGateway, DeadLetter, Gateway, GatewayConfig, gatewayConfig, PlatformAdapter } from '@twokey/gateway-kit';
import { rpcRequest } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import type { NatsHarness } from './nats-harness';
import { TEST_REPLY_CAPABILITY_SECRET } from './test-profile';
import { collectCore, Collected, collectStream, StoredMessage } from './stream-collector';

/** A logger that keeps every line, so a test can assert that an error was logged clearly. */
export class CapturingLogger extends JsonLogger {
  constructor(readonly lines: string[] = [], level: 'debug' | 'info' | 'warn' | 'error' = 'debug') {
    super('test', level, { write: (l) => void lines.push(l) });
  }

  entries(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Log entries at `level` whose message or any field mentions `needle`. */
  find(level: string, needle: string | RegExp): Record<string, unknown>[] {
    return this.entries().filter((e) => e.level === level && (typeof needle === 'string' ? JSON.stringify(e).includes(needle) : needle.test(JSON.stringify(e))));
  }
}

export const testCapabilities = (now?: () => Date) => new ReplyCapabilities(TEST_REPLY_CAPABILITY_SECRET, 3600, now);

/** An outbound command as a test writes it: connection and schema filled in, the capability signed unless given. */
export type TestOutbound = Record<string, unknown> & {
  conversationId: string;
  threadId?: string;
  idempotencyKey?: string;
  /** null: publish without a capability. */
  replyCapability?: ReplyCapability | null;
};

export interface GatewayUnderTest {
  gateway: Gateway;
  nc: NatsConnection;
  subjects: Subjects;
  connection: string;
  inbound: Collected<StoredMessage<InboundMessage>>;
  dlq: Collected<DeadLetter>;
  /** DeliveryReports the gateway published on `<prefix>.delivered.<connection>`. */
  delivered: Collected<StoredMessage<DeliveryReport>>;
  /**
   * Publishes an outbound command (SendMessage v2 unless `schemaVersion`/`type` say otherwise) on the connection's
   * outbound subject as the agent bridge would, with a capability for its target signed by the test key. Returns
   * the idempotency key.
   */
  sendOutbound(m: TestOutbound): Promise<string>;
  /** Waits for the DeliveryReport of `idempotencyKey`. */
  report(idempotencyKey: string, timeoutMs?: number): Promise<DeliveryReport>;
  /** The gateway's status RPC, as the agent bridge asks it. */
  statusRpc(): Promise<GatewayStatus>;
  connectionTest(): Promise<ConnectionTestResult>;
  /** The gateway's status answer, asked over NATS as the admin-api asks. */
  status(): Promise<GatewayStatus>;
  /** The Reconnect verb over NATS (`<prefix>.rpc.gateway.<connection>.reconnect`). */
  reconnect(): Promise<GatewayStatus>;
  /** `http://127.0.0.1:<port>` of the gateway's own HTTP server (health, metrics, webhooks). */
  httpUrl: string;
  stop(): Promise<void>;
}

let keys = 0;

export async function startGatewayUnderTest(options: {
  nats: Pick<NatsHarness, 'url' | 'prefix'>;
  platform: Platform;
  adapter: PlatformAdapter;
  logger?: JsonLogger;
  config?: Partial<GatewayConfig>;
  /** Wait for a successful adapter start (default). Set false to test a failing start. */
  expectReady?: boolean;
  clock?: Clock;
}): Promise<GatewayUnderTest> {
  const config = gatewayConfig(options.platform, {
    prefix: options.nats.prefix,
    nats: { url: options.nats.url },
    http: { port: 0, host: '127.0.0.1' },
    publishTimeoutMs: 1_000,
    replyCapability: { secret: TEST_REPLY_CAPABILITY_SECRET },
    ...options.config,
  });
  const gateway = createGateway({ adapter: options.adapter, config, logger: options.logger, clock: options.clock });
  await gateway.start();
  if (options.expectReady !== false && gateway.adapterError) {
    await gateway.stop();
    throw new Error(`gateway did not start: ${gateway.adapterError}`);
  }
  const nc = await connect({ servers: options.nats.url });
  const s = subjectsFor(options.nats.prefix);
  const inbound = await collectStream<InboundMessage>(nc, s.streams.inbound, s.inbound(config.connection));
  const dlq = collectCore<DeadLetter>(nc, s.dlq(`gateway.${config.connection}`));
  const delivered = await collectStream<DeliveryReport>(nc, s.streams.delivered, s.delivered(config.connection));
  const caps = testCapabilities();
  await nc.flush();
  return {
    gateway,
    nc,
    subjects: s,
    connection: config.connection,
    inbound,
    dlq,
    delivered,
    httpUrl: `http://127.0.0.1:${gateway.httpPort}`,
    async sendOutbound(m) {
      const idempotencyKey = m.idempotencyKey ?? `test-${Date.now()}-${++keys}`;
      const target = { connection: config.connection, conversationId: m.conversationId, threadId: m.threadId };
      const replyCapability = m.replyCapability === null ? undefined : (m.replyCapability ?? caps.sign(target));
      const cmd = { schemaVersion: 2, connection: config.connection, ...m, idempotencyKey, replyCapability };
      await nc.jetstream().publish(s.outbound(config.connection), JSON.stringify(cmd), { msgID: idempotencyKey });
      return idempotencyKey;
    },
    async report(idempotencyKey, timeoutMs = 10_000) {
      return (await delivered.waitFor((r) => r.data.idempotencyKey === idempotencyKey, timeoutMs)).data;
    },
    statusRpc: () => rpcRequest(nc, s.rpcGateway(config.connection, 'status'), {}, GatewayStatus, 5_000),
    connectionTest: () => rpcRequest(nc, s.rpcGateway(config.connection, 'connection-test'), {}, ConnectionTestResult, 15_000),
    status: () => rpcRequest(nc, s.rpcGateway(config.connection, 'status'), {}, GatewayStatus, 2_000),
    reconnect: () => rpcRequest(nc, s.rpcGateway(config.connection, 'reconnect'), {}, GatewayStatus, 30_000),
    async stop() {
      await inbound.stop();
      await dlq.stop();
      await delivered.stop();
      await gateway.stop();
      await nc.close();
    },
  };
}

/** Lets in-flight work settle, for asserting that something did NOT happen. */
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 20 ms until it holds; throws after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Like `until`, for a check that asks something over the network. */
export async function untilAsync<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { TEST_PROFILE, TEST_REPLY_CAPABILITY_SECRET } from './test-profile';
