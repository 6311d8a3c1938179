import { Module } from '@nestjs/common';
import type { PairingServiceConfig } from '../config';
import { CONFIG, DOMAIN_DEPS } from '../tokens';
import { AccessRegistry } from './access-registry';
import { CommandExecutor } from './command-executor';
import { productionDomainDeps } from './domain-deps';
import { EventFeed } from './event-feed';
import { StateSnapshots } from './state-snapshots';

/** The in-memory state of every connection, kept in step with the event store, and the command executor. */
@Module({
  providers: [
    AccessRegistry,
    EventFeed,
    StateSnapshots,
    CommandExecutor,
    {
      provide: DOMAIN_DEPS,
      inject: [CONFIG],
      useFactory: (config: PairingServiceConfig) => productionDomainDeps(config.hmacSecret),
    },
  ],
  exports: [AccessRegistry, CommandExecutor],
})
export class StateModule {}
