import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { GatewayStatus, Subjects } from '@twokey/contracts';
import { hideProbePaths, JsonLogger, ProbeServer, startProbeServer } from '@twokey/service-kit';
import type { GatewayConfig } from './config';
import { GatewayLifecycle, GatewayModule } from './gateway.module';
import { readinessAnswer } from './health.controller';
import { GatewayRuntime, type Readiness } from './gateway-runtime';
import type { GatewayMetrics } from './metrics';
import type { InboundSink, PlatformAdapter } from './platform-adapter';
import { applyHttpLimits } from './http-limits';
import { webhookMiddleware } from './webhook-middleware';
import type { Clock } from './write-budget';

export interface GatewayOptions {
  adapter: PlatformAdapter;
  config: GatewayConfig;
  logger?: JsonLogger;
  /**
   * Create/update the four streams and the outbound consumer at start (needs JetStream management permissions).
   * Defaults to `config.streams.ensure` (ENSURE_STREAMS, on by default).
   */
  ensureStreams?: boolean;
  /** How long publish() waits for room in a full inbound buffer before refusing (back-pressure). */
  bufferFullWaitMs?: number;
  /** Stop cleanly on SIGTERM / SIGINT and exit (Nest shutdown hooks); for a gateway that owns its process. */
  exitOnSignals?: boolean;
  /** The write budgets' clock (tests); real time by default. */
  clock?: Clock;
}

export interface Gateway {
  readonly config: GatewayConfig;
  readonly subjects: Subjects;
  readonly metrics: GatewayMetrics;
  readonly sink: InboundSink;
  /** The HTTP port actually bound (useful with HTTP_PORT=0). */
  readonly httpPort: number;
  /** Set when PROBE_PORT is: /healthz, /readyz, /metrics answer there only. */
  readonly probePort: number | undefined;
  /** The last adapter start error, if the adapter is not running. */
  readonly adapterError: string | undefined;
  readiness(): Readiness;
  /** What the gateway answers on `<prefix>.rpc.gateway.<connection>.status`. */
  status(): GatewayStatus;
  /** What `<prefix>.rpc.gateway.<connection>.reconnect` does: restart the adapter afresh, a halt included. */
  reconnect(): Promise<GatewayStatus>;
  /**
   * The Nest application (health, metrics, webhooks) listens first, then NATS (waits for it), streams,
   * status and connection-test responders, outbound consumer, then the adapter. Resolves after the adapter's first start
   * attempt; a failed start is logged and retried with backoff while the rest (health, connection test) keeps
   * serving, so the admin can see why.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A gateway as a NestJS application: the module provides the runtime, its lifecycle and the health controller. */
class NestGateway implements Gateway {
  private readonly runtime: GatewayRuntime;
  private readonly logger: JsonLogger;
  private app?: INestApplication;
  private probes?: ProbeServer;

  constructor(private readonly o: GatewayOptions) {
    const { config } = o;
    this.logger = (o.logger ?? new JsonLogger(`gateway-${config.platform}`, config.logLevel)).child({ connection: config.connection });
    this.runtime = new GatewayRuntime({
      adapter: o.adapter,
      config,
      logger: this.logger,
      ensureStreams: o.ensureStreams,
      bufferFullWaitMs: o.bufferFullWaitMs,
      collectDefaultMetrics: o.exitOnSignals,
      clock: o.clock,
    });
  }

  get config(): GatewayConfig {
    return this.o.config;
  }
  get subjects(): Subjects {
    return this.runtime.subjects;
  }
  get metrics(): GatewayMetrics {
    return this.runtime.metrics;
  }
  get sink(): InboundSink {
    return this.runtime.sink;
  }
  get adapterError(): string | undefined {
    return this.runtime.adapterError;
  }
  /** The port of the probes and metrics when PROBE_PORT is set (the real one when it is 0). */
  get probePort(): number | undefined {
    return this.probes?.port;
  }

  get httpPort(): number {
    return (this.app?.getHttpServer().address() as AddressInfo | null | undefined)?.port ?? 0;
  }

  readiness(): Readiness {
    return this.runtime.readiness();
  }

  status(): GatewayStatus {
    return this.runtime.status();
  }

  reconnect(): Promise<GatewayStatus> {
    return this.runtime.reconnect();
  }

  async start(): Promise<void> {
    if (this.app) throw new Error('gateway already started');
    const { config } = this.o;
    const app = await NestFactory.create<NestExpressApplication>(GatewayModule.register(this.runtime, this.logger), {
      logger: this.logger,
      bodyParser: false, // webhook signatures are checked over the raw bytes
      abortOnError: false,
      forceCloseConnections: true, // stop() must not wait for idle keep-alive connections
    });
    this.app = app;
    app.disable('x-powered-by');
    if (config.probePort !== undefined) app.use(hideProbePaths());
    applyHttpLimits(app.getHttpServer(), config.http);
    app.use(webhookMiddleware(() => this.o.adapter.webhooks?.() ?? [], this.logger));
    if (this.o.exitOnSignals) app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
    try {
      await app.listen(config.http.port, config.http.host);
      if (config.probePort !== undefined) {
        this.probes = await startProbeServer(config.probePort, config.http.host, {
          healthz: () => ({ status: 200, body: { status: 'ok' } }),
          readyz: () => readinessAnswer(this.runtime),
          registry: this.runtime.metrics.registry,
        });
      }
      this.logger.info('gateway starting', { platform: config.platform, httpPort: this.httpPort, probePort: this.probes?.port, nats: withoutCredentials(config.nats.url) });
      await app.get(GatewayLifecycle).whenStarted();
    } catch (e) {
      await this.stop().catch(() => undefined);
      throw e;
    }
  }

  /** Nest closes HTTP (no new webhooks), then the shutdown hook stops the adapter, the buffer, consumers and NATS. */
  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    const probes = this.probes;
    this.probes = undefined;
    await probes?.close();
    if (app) await app.close();
    else await this.runtime.stop();
  }
}

/** NATS_URL may carry `user:password@`; logs get the servers only. */
function withoutCredentials(url: string): string {
  return url.replace(/\/\/[^@/]*@/g, '//');
}

export function createGateway(options: GatewayOptions): Gateway {
  return new NestGateway(options);
}
