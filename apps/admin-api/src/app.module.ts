import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NatsConnection } from 'nats';
import type { EventStore } from '@twokey/event-store';
import type { JsonLogger } from '@twokey/service-kit';
import { ActivityController } from './activity/activity.controller';
import { AgentController } from './agent/agent.controller';
import { AgentStatusProbe } from './agent/agent-status-probe';
import { SpacesController } from './allowlists/spaces.controller';
import { UsersController } from './allowlists/users.controller';
import { AdminTokens } from './auth/admin-tokens';
import { CredentialLimiter } from './auth/credential-limiter';
import { SessionController } from './auth/session.controller';
import { Sessions } from './auth/sessions';
import { PairingCommands } from './commands/pairing-commands';
import type { AdminApiConfig } from './config';
import { ConnectionRegistry } from './connections/connection-registry';
import { ConnectionTester } from './connections/connection-tester';
import { ConnectionsController } from './connections/connections.controller';
import { SpaceTitles } from './connections/space-titles';
import { ConsoleModule } from './console/console.module';
import { EventsController } from './events/events.controller';
import { LiveStreams } from './events/live-streams';
import { HealthController } from './health/health.controller';
import { AdminMetrics } from './health/metrics';
import { NatsStatus } from './health/nats-status';
import { ProblemFilter } from './http/problem.filter';
import { PairingController } from './pairing/pairing.controller';
import { Projection } from './projection/projection';
import { ADMIN_API_CONFIG, EVENT_STORE, NATS_CONNECTION } from './tokens';

/** Everything built before Nest starts (connections, projection, auth state), handed to the module as values. */
export interface AdminApiRuntime {
  config: AdminApiConfig;
  log: JsonLogger;
  nc: NatsConnection;
  store: EventStore;
  projection: Projection;
  metrics: AdminMetrics;
  natsStatus: NatsStatus;
  tokens: AdminTokens;
  sessions: Sessions;
  limiter: CredentialLimiter;
  registry: ConnectionRegistry;
  tester: ConnectionTester;
  commands: PairingCommands;
  live: LiveStreams;
  agent: AgentStatusProbe;
  titles: SpaceTitles;
}

@Module({})
export class AdminApiModule {
  static register(rt: AdminApiRuntime): DynamicModule {
    return {
      module: AdminApiModule,
      imports: [ConsoleModule.register({ sessions: rt.sessions })],
      controllers: [
        HealthController,
        SessionController,
        ConnectionsController,
        PairingController,
        UsersController,
        SpacesController,
        ActivityController,
        EventsController,
        AgentController,
      ],
      providers: [
        { provide: ADMIN_API_CONFIG, useValue: rt.config },
        { provide: NATS_CONNECTION, useValue: rt.nc },
        { provide: EVENT_STORE, useValue: rt.store },
        { provide: Projection, useValue: rt.projection },
        { provide: AdminMetrics, useValue: rt.metrics },
        { provide: NatsStatus, useValue: rt.natsStatus },
        { provide: AdminTokens, useValue: rt.tokens },
        { provide: Sessions, useValue: rt.sessions },
        { provide: CredentialLimiter, useValue: rt.limiter },
        { provide: ConnectionRegistry, useValue: rt.registry },
        { provide: ConnectionTester, useValue: rt.tester },
        { provide: PairingCommands, useValue: rt.commands },
        { provide: LiveStreams, useValue: rt.live },
        { provide: AgentStatusProbe, useValue: rt.agent },
        { provide: SpaceTitles, useValue: rt.titles },
        { provide: APP_FILTER, useValue: new ProblemFilter(rt.log) },
      ],
    };
  }
}
