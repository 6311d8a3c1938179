import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { hideProbePaths, JsonLogger, ProbeServer, startProbeServer } from '@twokey/service-kit';
import { PairingAppModule } from './app.module';
import { SERVICE_NAME, type PairingServiceConfig } from './config';
import { PairingMetrics } from './infra/metrics';
import { ServiceHealth } from './infra/service-health';
import { readinessAnswer } from './health/health.controller';
import type { Clock, FatalHandler } from './tokens';

export interface PairingServiceOptions {
  logger?: JsonLogger;
  /**
   * Called when the running service finds it can no longer decide safely (e.g. an event it cannot read). It has
   * already stopped deciding; the default exits the process with code 1 (fail closed).
   */
  onFatal?: FatalHandler;
  /** Process metrics (CPU, memory, event loop) on /metrics; off by default so in-process tests stay light. */
  collectDefaultMetrics?: boolean;
  /** Source of "now" for decisions, expiries and denial windows; tests move it forward instead of waiting. */
  clock?: Clock;
}

export interface PairingService {
  /** Connects, rehydrates, starts consuming and serving; resolves once ready (or rejects, having cleaned up). */
  start(): Promise<void>;
  /** Graceful stop: intake stops, held denials are appended and acked, NATS is drained. */
  stop(): Promise<void>;
  /** The HTTP port actually bound (HTTP_PORT may be 0). */
  readonly port: number;
  /** The port of /healthz, /readyz and /metrics when PROBE_PORT is set. */
  readonly probePort: number | undefined;
}

/** The whole service, in-process; `main.ts` adds only configuration from the environment and signal handling. */
export function createPairingService(config: PairingServiceConfig, options: PairingServiceOptions = {}): PairingService {
  const logger = options.logger ?? new JsonLogger(SERVICE_NAME, config.logLevel);
  const onFatal = options.onFatal ?? (() => process.exit(1));
  let app: INestApplication | undefined;
  let probes: ProbeServer | undefined;
  return {
    async start() {
      if (app) throw new Error('pairing-service already started');
      const metrics = new PairingMetrics(options.collectDefaultMetrics ?? false);
      const module = PairingAppModule.forRoot(config, {
        logger,
        metrics,
        onFatal,
        clock: options.clock ?? (() => new Date()),
      });
      const created = await NestFactory.create(module, { logger, abortOnError: false, bodyParser: false });
      app = created;
      if (config.probePort !== undefined) created.use(hideProbePaths());
      try {
        await created.listen(config.http.port, config.http.host);
        if (config.probePort !== undefined) {
          const health = created.get(ServiceHealth);
          probes = await startProbeServer(config.probePort, config.http.host, {
            healthz: () => ({ status: 200, body: { status: 'ok' } }),
            readyz: () => readinessAnswer(health),
            registry: metrics.registry,
          });
        }
      } catch (e) {
        app = undefined;
        await created.close().catch(() => undefined);
        throw e;
      }
    },
    async stop() {
      const running = app;
      app = undefined;
      await probes?.close();
      probes = undefined;
      await running?.close();
    },
    get probePort() {
      return probes?.port;
    },
    get port() {
      const address = app?.getHttpServer().address() as AddressInfo | null | undefined;
      return address?.port ?? 0;
    },
  };
}
