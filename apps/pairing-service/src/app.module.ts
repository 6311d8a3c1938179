import { Module, type DynamicModule } from '@nestjs/common';
import type { PairingServiceConfig } from './config';
import { ExpiryModule } from './expiry/expiry.module';
import { HealthModule } from './health/health.module';
import { InboundModule } from './inbound/inbound.module';
import { InfraModule, type InfraOptions } from './infra/infra.module';
import { RpcModule } from './rpc/rpc.module';
import { StateModule } from './state/state.module';

/**
 * Start-up order follows Nest's lifecycle: providers are built (NATS connected, streams ensured), `onModuleInit`
 * rehydrates the state from the event store, and only then `onApplicationBootstrap` starts the inbound consumer, the
 * admin verbs and the expiry timer. Shutdown runs the other way: stop intake, flush held denials, drain NATS.
 */
@Module({})
export class PairingAppModule {
  static forRoot(config: PairingServiceConfig, options: InfraOptions): DynamicModule {
    return {
      module: PairingAppModule,
      imports: [InfraModule.forRoot(config, options), StateModule, InboundModule, RpcModule, ExpiryModule, HealthModule],
    };
  }
}
