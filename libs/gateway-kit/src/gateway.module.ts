import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JsonLogger } from '@twokey/service-kit';
import { GatewayRuntime } from './gateway-runtime';
import { HealthController } from './health.controller';

/** Starts the gateway when the Nest application boots and stops it on shutdown (app.close() or SIGTERM/SIGINT). */
@Injectable()
export class GatewayLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private started?: Promise<void>;

  constructor(
    @Inject(GatewayRuntime) private readonly gateway: GatewayRuntime,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: Nest binds the HTTP port only after bootstrap, and /healthz must answer while NATS is unreachable.
    // Shutdown also waits for bootstrap, so awaiting here would make SIGTERM hang until NATS came back.
    this.started = this.gateway.start();
    this.started.catch(() => undefined); // the caller of whenStarted() sees the error
  }

  /** Resolves after NATS is connected and the adapter's first start attempt. */
  whenStarted(): Promise<void> {
    return this.started ?? Promise.reject(new Error('the gateway application has not been bootstrapped'));
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    if (signal) this.logger.info('shutting down', { signal });
    await this.gateway.stop();
  }
}

@Module({})
export class GatewayModule {
  static register(gateway: GatewayRuntime, logger: JsonLogger): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [HealthController],
      providers: [{ provide: GatewayRuntime, useValue: gateway }, { provide: JsonLogger, useValue: logger }, GatewayLifecycle],
    };
  }
}
