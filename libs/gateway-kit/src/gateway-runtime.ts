import type { JetStreamManager, KV, NatsConnection, Subscription } from 'nats';
import { GatewayReconnectRequest, GatewaySpaceTitle, GatewaySpaceTitleRequest, type GatewayStatus, parseContract, subjects as subjectsFor, type Subjects } from '@twokey/contracts';
import { connectNats, DEFAULT_STREAM_OPTIONS, ensureStreams, openReplyStore, registerJetStreamMetrics, replyStoreBucket, serveRpc } from '@twokey/messaging';
import { ReplyCapabilities } from '@twokey/reply-capability';
import type { JsonLogger } from '@twokey/service-kit';
import type { GatewayConfig } from './config';
import { serveConnectionTest } from './connection-test';
import { DeadLetters } from './dead-letters';
import { NonRetryablePlatformError } from './errors';
import { InboundPublisher } from './inbound-publisher';
import { GatewayMetrics } from './metrics';
import { OutboundConsumer, outboundConsumerName } from './outbound-consumer';
import type { PlatformAdapter } from './platform-adapter';
import { safeReason } from './safe-reason';
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
  /** The default process metrics (only for a gateway that owns its process: they are per process). */
  collectDefaultMetrics?: boolean;
  /** The write budgets' and retry waits' clock (tests run minutes of budget in seconds with the same logic). */
  clock?: Clock;
}

/** Issue 20 P1: a platform that comes back is noticed within half a minute, never after grammY's twenty. */
export const ADAPTER_RETRY_MAX_MS = 30_000;
const ADAPTER_RETRY_FIRST_MS = 1_000;
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
  /** Failed start attempts since the last success (or Reconnect). */
  private failedStarts = 0;
  /** A start refused for good (NonRetryablePlatformError): no retry until a Reconnect or a restart. */
  private haltedReason?: string;
  /** Bumped by each Reconnect, so a retry armed before it never runs after it. */
  private generation = 0;
  adapterError: string | undefined;

  constructor(private readonly o: GatewayRuntimeOptions) {
    const { config } = o;
    this.logger = o.logger;
    this.ensureStreams = o.ensureStreams ?? config.streams.ensure;
    this.subjects = subjectsFor(config.prefix);
    this.metrics = new GatewayMetrics({ connection: config.connection, platform: config.platform }, o.collectDefaultMetrics ?? false);
    // The backlog of its own outbound consumer: replies waiting for this gateway.
    let jsm: { nc: NatsConnection; manager: Promise<JetStreamManager> } | undefined;
    registerJetStreamMetrics(this.metrics.registry, () => {
      if (!this.nc) return undefined;
      if (jsm?.nc !== this.nc) jsm = { nc: this.nc, manager: this.nc.jetstreamManager() };
      return jsm.manager;
    }, { consumers: [{ stream: this.subjects.streams.outbound, consumer: outboundConsumerName(config.connection) }] });
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
    const receiving = this.noteReceiving();
    // Booleans only (L4): the adapter's error may quote a URL that carries the bot token; it goes to the log and, as a
    // sanitized reason, to the status RPC. Started but not receiving (P1) is not ready.
    const checks: Record<string, boolean> = { nats: this.natsConnected, adapter: this.adapterStarted };
    if (this.adapterStarted && !receiving) checks.receiving = false;
    return { ready: this.natsConnected && receiving, checks };
  }

  /** The answer to a status request. Never the adapter's error: it may quote a URL that carries the bot token. */
  status(): GatewayStatus {
    const { config } = this.o;
    const receiving = this.noteReceiving();
    const problem = this.problem();
    return {
      connection: config.connection,
      platform: config.platform,
      adapterStarted: receiving,
      since: this.receivingSince.toISOString(),
      lastInboundAt: this.sink.lastDeliveryAt?.toISOString() ?? null,
      bufferSize: this.sink.size,
      receiving,
      ...(!receiving ? { reason: problem?.reason ?? this.silentReason(), halted: problem?.halted ?? false } : {}),
      profile: this.o.adapter.profile,
    };
  }

  private silentReason(): string {
    const platform = this.o.config.platform;
    return this.adapterStarted ? `the connection to ${platform} is down; reconnecting` : `starting: no answer from ${platform} yet`;
  }

  /** Receiving now: what the connection test also requires (a valid token is not enough while nothing arrives). */
  isReceiving(): boolean {
    return this.noteReceiving();
  }

  /** Why the gateway is not receiving, fit for the status (see safeReason), or undefined when it is or cannot tell. */
  private problem(): { reason: string; halted: boolean } | undefined {
    if (this.haltedReason) return { reason: this.haltedReason, halted: true };
    if (this.adapterStarted) {
      const p = this.o.adapter.problem?.();
      return p ? { reason: safeReason(p.reason), halted: p.halted } : undefined;
    }
    return this.adapterError ? { reason: safeReason(this.adapterError), halted: false } : undefined;
  }

  private setAdapterStarted(started: boolean): void {
    this.adapterStarted = started;
    this.noteReceiving();
  }

  /** The adapter's own "receiving" is read when asked (a drop inside the SDK tells nobody), so `since` is when it was noticed. */
  private noteReceiving(): boolean {
    const receiving = this.adapterStarted && (this.o.adapter.receiving?.() ?? true) && !this.o.adapter.problem?.()?.halted;
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
      serveConnectionTest(nc, this.subjects.rpcGateway(config.connection, 'connection-test'), queue, this.o.adapter, this.logger, () =>
        this.isReceiving() ? undefined : (this.problem()?.reason ?? this.silentReason()),
      ),
      serveRpc(
        nc,
        this.subjects.rpcGateway(config.connection, 'reconnect'),
        queue,
        async (body) => {
          parseContract('GatewayReconnectRequest', GatewayReconnectRequest, body);
          return this.reconnect();
        },
        (e) => this.logger.warn('reconnect request failed', { error: e }),
      ),
      serveRpc(
        nc,
        this.subjects.rpcGateway(config.connection, 'space-title'),
        queue,
        async (body) => {
          const { spaceId } = parseContract('GatewaySpaceTitleRequest', GatewaySpaceTitleRequest, body);
          return parseContract('GatewaySpaceTitle', GatewaySpaceTitle, { spaceId, title: (await this.spaceTitle(spaceId)) ?? null });
        },
        (e) => this.logger.warn('space title request failed', { error: e }),
      ),
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
    await this.startAdapter(ADAPTER_RETRY_FIRST_MS, this.generation);
  }

  /**
   * One start attempt. A failure is logged (each one: the reason, the attempt, when the next comes) and retried with
   * a doubling delay capped at ADAPTER_RETRY_MAX_MS, except a NonRetryablePlatformError: then nothing more is tried
   * until `reconnect()` or a restart.
   */
  private async startAdapter(nextDelayMs: number, generation: number): Promise<void> {
    if (this.stopping || generation !== this.generation) return;
    const platform = this.o.config.platform;
    try {
      await this.o.adapter.start(this.sink);
      if (generation !== this.generation) return;
      this.setAdapterStarted(true);
      this.adapterError = undefined;
      this.failedStarts = 0;
      this.logger.info('gateway ready', { platform });
    } catch (e) {
      if (generation !== this.generation) return;
      this.adapterError = e instanceof Error ? e.message : String(e);
      this.failedStarts++;
      await this.o.adapter.stop().catch(() => undefined);
      if (e instanceof NonRetryablePlatformError) {
        this.haltedReason = safeReason(e.message);
        this.logger.error(`${platform} refused the gateway; not retrying until the configuration changes or an admin asks to reconnect`, {
          error: this.haltedReason,
          attempt: this.failedStarts,
        });
        return;
      }
      // Each attempt is logged (P1), its reason cut like the status's: an SDK's error may quote a URL with the token.
      this.logger.error(`${platform} adapter failed to start; retrying`, { error: safeReason(this.adapterError), attempt: this.failedStarts, retryInMs: nextDelayMs });
      if (this.stopping) return;
      this.retryTimer = setTimeout(() => void this.startAdapter(Math.min(nextDelayMs * 2, ADAPTER_RETRY_MAX_MS), generation), nextDelayMs);
    }
  }

  /**
   * The admin's Reconnect (and the way out of a halt): stop the adapter, forget the halt and the backoff, start
   * again. Answers with the status after that first attempt.
   */
  /** The adapter's title for a space (undefined where it has no look-up, or the look-up failed: a title is a hint). */
  private async spaceTitle(spaceId: string): Promise<string | undefined> {
    const adapter = this.o.adapter;
    if (!adapter.spaceTitle) return undefined;
    try {
      return await adapter.spaceTitle(spaceId);
    } catch (e) {
      this.logger.warn('space title look-up failed', { platform: this.o.config.platform, error: e });
      return undefined;
    }
  }

  async reconnect(): Promise<GatewayStatus> {
    if (this.stopping) return this.status();
    const generation = ++this.generation;
    clearTimeout(this.retryTimer);
    this.logger.info('reconnect requested: restarting the adapter', { platform: this.o.config.platform, halted: this.haltedReason !== undefined });
    this.haltedReason = undefined;
    this.failedStarts = 0;
    await this.o.adapter.stop().catch((e) => this.logger.warn('adapter stop failed', { error: e }));
    this.setAdapterStarted(false);
    await this.startAdapter(ADAPTER_RETRY_FIRST_MS, generation);
    return this.status();
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
