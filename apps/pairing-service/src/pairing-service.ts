import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JsonLogger } from '@twokey/service-kit';
import { PairingAppModule } from './app.module';
import { SERVICE_NAME, type PairingServiceConfig } from './config';
import { PairingMetrics } from './infra/metrics';
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
}

/** The whole service, in-process; `main.ts` adds only configuration from the environment and signal handling. */
export function createPairingService(config: PairingServiceConfig, options: PairingServiceOptions = {}): PairingService {
  const logger = options.logger ?? new JsonLogger(SERVICE_NAME, config.logLevel);
  const onFatal = options.onFatal ?? (() => process.exit(1));
  let app: INestApplication | undefined;
  return {
    async start() {
      if (app) throw new Error('pairing-service already started');
      const module = PairingAppModule.forRoot(config, {
        logger,
        metrics: new PairingMetrics(options.collectDefaultMetrics ?? false),
        onFatal,
        clock: options.clock ?? (() => new Date()),
      });
      const created = await NestFactory.create(module, { logger, abortOnError: false, bodyParser: false });
      app = created;
      try {
        await created.listen(config.http.port, config.http.host);
      } catch (e) {
        app = undefined;
        await created.close().catch(() => undefined);
        throw e;
      }
    },
    async stop() {
      const running = app;
      app = undefined;
      await running?.close();
    },
    get port() {
      const address = app?.getHttpServer().address() as AddressInfo | null | undefined;
      return address?.port ?? 0;
    },
  };
}
