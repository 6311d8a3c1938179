import type { NatsConnection, Subscription } from 'nats';
import { type GatewayStatus, subjects as subjectsFor, type Subjects } from '@twokey/contracts';
import { connectNats, DEFAULT_STREAM_OPTIONS, ensureStreams, openReplyStore, replyStoreBucket } from '@twokey/messaging';
import { ReplyCapabilities } from '@twokey/reply-capability';
import type { KV } from 'nats';
import type { JsonLogger } from '@twokey/service-kit';
import type { GatewayConfig } from './config';
import { serveConnectionTest } from './connection-test';
import { DeadLetters } from './dead-letters';
import { InboundPublisher } from './inbound-publisher';
import { GatewayMetrics } from './metrics';
import { OutboundConsumer } from './outbound-consumer';
import type { PlatformAdapter } from './platform-adapter';
import { ReplyDelivery } from './reply-delivery';
import { KvSentStore } from './sent-store';
import type { Clock } from './write-budget';
import { serveStatus } from './status';

export interface Readiness {
  ready: boolean;
  checks: Record<string, boolean | string>;
}

export interface GatewayRuntimeOptions {
  adapter: PlatformAdapter;
  config: GatewayConfig;
  logger: JsonLogger;
  /** Create/update the streams and the outbound consumer (default: `config.streams.ensure`). */
  ensureStreams?: boolean;
  bufferFullWaitMs?: number;
  /** The write budgets' and retry waits' clock (tests run minutes of budget in seconds with the same logic). */
  clock?: Clock;
}

const ADAPTER_RETRY_MAX_MS = 60_000;
const RESPONDERS_FLUSH_MS = 2_000;

/**
 * Everything of a gateway except HTTP: NATS (endless reconnect), the streams, the inbound buffer, the outbound
 * consumer, the status and connection-test responders and the adapter's start with retries. The Nest module drives
 * its lifecycle; the health controller reads `readiness()` and `metrics`.
 */
export class GatewayRuntime {
  readonly subjects: Subjects;
  readonly metrics: GatewayMetrics;
  readonly sink: InboundPublisher;
  private readonly logger: JsonLogger;
  private readonly ensureStreams: boolean;
  private readonly outbound: OutboundConsumer;
  private readonly deadLetters: DeadLetters;
  private nc?: NatsConnection;
  private replyStore?: Promise<KV>;
  private natsConnected = false;
  private adapterStarted = false;
  /** Started and, where the adapter can tell, still receiving from its platform: what a status request reports. */
  private receiving = false;
  /** When `receiving` was last seen to change (the runtime's creation until it first does). */
  private receivingSince = new Date();
  private stopping = false;
  private readonly rpc: Subscription[] = [];
  private retryTimer?: NodeJS.Timeout;
  adapterError: string | undefined;

  constructor(private readonly o: GatewayRuntimeOptions) {
    const { config } = o;
    this.logger = o.logger;
    this.ensureStreams = o.ensureStreams ?? config.streams.ensure;
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
      deliveredSubject: this.subjects.delivered(config.connection),
      capabilities: new ReplyCapabilities(config.replyCapability.secret),
      delivery: new ReplyDelivery({ adapter: o.adapter, store: new KvSentStore(() => this.openReplyStore()), logger: this.logger, clock: o.clock }),
      createConsumer: this.ensureStreams,
      deadLetters: this.deadLetters,
      metrics: this.metrics,
      logger: this.logger,
    });
  }

  get config(): GatewayConfig {
    return this.o.config;
  }

  /** The connection's sent-message store, opened on first use and opened again after a failure. */
  private openReplyStore(): Promise<KV> {
    const nc = this.nc;
    if (!nc) return Promise.reject(new Error('NATS not connected'));
    this.replyStore ??= openReplyStore(nc.jetstream(), replyStoreBucket(this.o.config.prefix, this.o.config.connection), {
      create: this.ensureStreams,
      replicas: this.o.config.streams.replicas,
    }).catch((e) => {
      this.replyStore = undefined;
      throw e;
    });
    return this.replyStore;
  }

  readiness(): Readiness {
    const checks: Record<string, boolean | string> = { nats: this.natsConnected, adapter: this.adapterStarted };
    if (this.adapterError) checks.adapterError = this.adapterError;
    return { ready: this.natsConnected && this.adapterStarted, checks };
  }

  /** The answer to a status request. Never the adapter's error: it may quote a URL that carries the bot token. */
  status(): GatewayStatus {
    const { config } = this.o;
    return {
      connection: config.connection,
      platform: config.platform,
      adapterStarted: this.noteReceiving(),
      since: this.receivingSince.toISOString(),
      lastInboundAt: this.sink.lastDeliveryAt?.toISOString() ?? null,
      bufferSize: this.sink.size,
      profile: this.o.adapter.profile,
    };
  }

  private setAdapterStarted(started: boolean): void {
    this.adapterStarted = started;
    this.noteReceiving();
  }

  /** The adapter's own "receiving" is read when asked (a drop inside the SDK tells nobody), so `since` is when it was noticed. */
  private noteReceiving(): boolean {
    const receiving = this.adapterStarted && (this.o.adapter.receiving?.() ?? true);
    if (receiving !== this.receiving) {
      this.receiving = receiving;
      this.receivingSince = new Date();
    }
    return receiving;
  }

  /**
   * NATS (waits for it), streams, status and connection-test responders, outbound consumer, then the adapter. Resolves
   * after the adapter's first start attempt; a failed start is retried with backoff while the rest keeps serving.
   */
  async start(): Promise<void> {
    const { config } = this.o;
    const nc = await connectNats(
      { url: config.nats.url, user: config.nats.user, password: config.nats.password, name: `gateway-${config.connection}` },
      { waitOnFirstConnect: true },
    );
    if (this.stopping) {
      // Stopped (e.g. SIGTERM) while NATS was still unreachable.
      await nc.close();
      return;
    }
    this.nc = nc;
    this.natsConnected = true;
    void this.watchNats(nc);
    if (this.ensureStreams) {
      try {
        // STREAM_REPLICAS applies when the gateway creates the streams; existing streams keep their replicas.
        await ensureStreams(await nc.jetstreamManager(), this.subjects, { ...DEFAULT_STREAM_OPTIONS, replicas: config.streams.replicas });
      } catch (e) {
        this.logger.warn('could not create or update the streams; assuming they are provisioned', { error: e });
      }
    }
    const queue = `gateway-${config.connection}`;
    this.rpc.push(
      serveStatus(nc, this.subjects.rpcGateway(config.connection, 'status'), queue, () => this.status(), this.logger),
      serveConnectionTest(nc, this.subjects.rpcGateway(config.connection, 'connection-test'), queue, this.o.adapter, this.logger),
    );
    // Once start() resolves the responders should be reachable: whoever saw the gateway start may ask at once. Bounded,
    // so a NATS outage right now does not hold up the platform intake (the subscriptions follow on reconnect anyway).
    let flushTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      nc.flush().catch((e) => this.logger.warn('NATS flush failed after subscribing the responders', { error: e })),
      new Promise((r) => (flushTimer = setTimeout(r, RESPONDERS_FLUSH_MS))),
    ]);
    clearTimeout(flushTimer);
    this.outbound.start(nc);
    this.sink.nudge();
    await this.startAdapter(1_000);
  }

  private async startAdapter(nextDelayMs: number): Promise<void> {
    if (this.stopping) return;
    try {
      await this.o.adapter.start(this.sink);
      this.setAdapterStarted(true);
      this.adapterError = undefined;
      this.logger.info('gateway ready', { platform: this.o.config.platform });
    } catch (e) {
      this.adapterError = e instanceof Error ? e.message : String(e);
      this.logger.error(`${this.o.config.platform} adapter failed to start; retrying`, { error: this.adapterError, retryInMs: nextDelayMs });
      await this.o.adapter.stop().catch(() => undefined);
      if (this.stopping) return;
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

  /** Adapter first (no new intake), then the inbound buffer, the outbound consumer, the responders and NATS. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.retryTimer);
    await this.o.adapter.stop().catch((e) => this.logger.warn('adapter stop failed', { error: e }));
    this.setAdapterStarted(false);
    await this.sink.stop();
    await this.outbound.stop();
    for (const sub of this.rpc.splice(0)) sub.unsubscribe();
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => this.nc?.close());
    this.natsConnected = false;
    this.logger.info('gateway stopped');
  }
}
