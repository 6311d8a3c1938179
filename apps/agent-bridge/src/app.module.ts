import { Module, type DynamicModule } from '@nestjs/common';
import { HEALTH, HealthController, type BridgeHealth } from './health.controller';
import { BridgeMetrics } from './metrics';

/**
 * The bridge's HTTP face (health, readiness, metrics). The bridge itself is plain classes wired in agent-bridge.ts:
 * it has no HTTP API of its own (operators ask its status over NATS, through admin-api).
 */
@Module({})
export class AgentBridgeModule {
  static forRoot(health: BridgeHealth, metrics: BridgeMetrics): DynamicModule {
    return {
      module: AgentBridgeModule,
      controllers: [HealthController],
      providers: [
        { provide: HEALTH, useValue: health },
        { provide: BridgeMetrics, useValue: metrics },
      ],
    };
  }
}
