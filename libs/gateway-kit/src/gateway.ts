import type { NatsConnection, Subscription } from 'nats';
import { subjects as subjectsFor, type Subjects } from '@twokey/contracts';
import { connectNats, ensureStreams } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import type { GatewayConfig } from './config';
import { serveConnectionTest } from './connection-test';
import { DeadLetters } from './dead-letters';
import { GatewayHttpServer, type Readiness } from './http-server';
import { InboundPublisher } from './inbound-publisher';
import { GatewayMetrics } from './metrics';
import { OutboundConsumer } from './outbound-consumer';
import type { InboundSink, PlatformAdapter } from './platform-adapter';

export interface GatewayOptions {
  adapter: PlatformAdapter;
  config: GatewayConfig;
  logger?: JsonLogger;
  /** Create the four streams at start (needs JetStream API permissions; on by default). */
  ensureStreams?: boolean;
  /** How long publish() waits for room in a full inbound buffer before refusing (back-pressure). */
  bufferFullWaitMs?: number;
}

export interface Gateway {
  readonly config: GatewayConfig;
  readonly subjects: Subjects;
  readonly metrics: GatewayMetrics;
  readonly sink: InboundSink;
  /** The HTTP port actually bound (useful with HTTP_PORT=0). */
  readonly httpPort: number;
  /** The last adapter start error, if the adapter is not running. */
  readonly adapterError: string | undefined;
  readiness(): Readiness;
  /**
   * HTTP server, NATS (waits for it), streams, connection-test responder, outbound consumer, then the adapter.
   * Resolves after the adapter's first start attempt; a failed start is logged and retried with backoff while
   * the rest (health, connection test) keeps serving, so the admin can see why.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const ADAPTER_RETRY_MAX_MS = 60_000;

class GatewayRuntime implements Gateway {
  readonly subjects: Subjects;
  readonly metrics: GatewayMetrics;
  readonly sink: InboundPublisher;
  private readonly logger: JsonLogger;
  private readonly http: GatewayHttpServer;
  private readonly outbound: OutboundConsumer;
  private readonly deadLetters: DeadLetters;
  private nc?: NatsConnection;
  private natsConnected = false;
  private adapterStarted = false;
  private stopping = false;
  private rpc?: Subscription;
  private retryTimer?: NodeJS.Timeout;
  adapterError: string | undefined;

  constructor(private readonly o: GatewayOptions) {
    const { config } = o;
    this.logger = (o.logger ?? new JsonLogger(`gateway-${config.platform}`, config.logLevel)).child({ connection: config.connection });
    this.subjects = subjectsFor(config.prefix);
    this.metrics = new GatewayMetrics({ connection: config.connection, platform: config.platform });
    const origin = `gateway.${config.connection}`;
    this.deadLetters = new DeadLetters(() => this.nc, this.subjects.dlq(origin), { origin, connection: config.connection, platform: config.platform }, this.logger);
    this.sink = new InboundPublisher({
      connection: config.connection,
      platform: config.platform,
      subject: this.subjects.inbound(config.connection),
      bufferMax: config.bufferMax,
      publishTimeoutMs: config.publishTimeoutMs,
      fullWaitMs: o.bufferFullWaitMs,
      js: () => this.nc?.jetstream(),
      deadLetters: this.deadLetters,
      metrics: this.metrics,
      logger: this.logger,
    });
    this.outbound = new OutboundConsumer({
      connection: config.connection,
      stream: this.subjects.streams.outbound,
      subject: this.subjects.outbound(config.connection),
      send: (m) => o.adapter.send(m),
      deadLetters: this.deadLetters,
      metrics: this.metrics,
      logger: this.logger,
    });
    this.http = new GatewayHttpServer({
      host: config.http.host,
      port: config.http.port,
      readiness: () => this.readiness(),
      metrics: this.metrics,
      routes: () => o.adapter.webhooks?.() ?? [],
      logger: this.logger,
    });
  }

  get config(): GatewayConfig {
    return this.o.config;
  }

  get httpPort(): number {
    return this.http.port;
  }

  readiness(): Readiness {
    const checks: Record<string, boolean | string> = { nats: this.natsConnected, adapter: this.adapterStarted };
    if (this.adapterError) checks.adapterError = this.adapterError;
    return { ready: this.natsConnected && this.adapterStarted, checks };
  }

  async start(): Promise<void> {
    const { config } = this.o;
    await this.http.listen();
    this.logger.info('gateway starting', { platform: config.platform, httpPort: this.httpPort, nats: withoutCredentials(config.nats.url) });
    const nc = await connectNats(
      { url: config.nats.url, user: config.nats.user, password: config.nats.password, name: `gateway-${config.connection}` },
      { waitOnFirstConnect: true },
    );
    this.nc = nc;
    this.natsConnected = true;
    void this.watchNats(nc);
    if (this.o.ensureStreams !== false) {
      try {
        await ensureStreams(await nc.jetstreamManager(), this.subjects);
      } catch (e) {
        this.logger.warn('could not create or update the streams; assuming they are provisioned', { error: e });
      }
    }
    this.rpc = serveConnectionTest(nc, this.subjects.rpcGateway(config.connection, 'connection-test'), `gateway-${config.connection}`, this.o.adapter, this.logger);
    this.outbound.start(nc);
    this.sink.nudge();
    await this.startAdapter(1_000);
  }

  private async startAdapter(nextDelayMs: number): Promise<void> {
    if (this.stopping) return;
    try {
      await this.o.adapter.start(this.sink);
      this.adapterStarted = true;
      this.adapterError = undefined;
      this.logger.info('gateway ready', { platform: this.o.config.platform });
    } catch (e) {
      this.adapterError = e instanceof Error ? e.message : String(e);
      this.logger.error(`${this.o.config.platform} adapter failed to start; retrying`, { error: this.adapterError, retryInMs: nextDelayMs });
      await this.o.adapter.stop().catch(() => undefined);
      this.retryTimer = setTimeout(() => void this.startAdapter(Math.min(nextDelayMs * 2, ADAPTER_RETRY_MAX_MS)), nextDelayMs);
    }
  }

  private async watchNats(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.natsConnected = false;
        this.logger.warn('NATS disconnected; reconnecting (inbound messages are buffered)');
      } else if (s.type === 'reconnect') {
        this.natsConnected = true;
        this.logger.info('NATS reconnected');
        this.sink.nudge();
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    await this.o.adapter.stop().catch((e) => this.logger.warn('adapter stop failed', { error: e }));
    this.adapterStarted = false;
    await this.sink.stop();
    await this.outbound.stop();
    this.rpc?.unsubscribe();
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => this.nc?.close());
    this.natsConnected = false;
    await this.http.close();
    this.logger.info('gateway stopped');
  }
}

/** NATS_URL may carry `user:password@`; logs get the servers only. */
function withoutCredentials(url: string): string {
  return url.replace(/\/\/[^@/]*@/g, '//');
}

export function createGateway(options: GatewayOptions): Gateway {
  return new GatewayRuntime(options);
}
