import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { EventStore, EventSubscription } from '@twokey/event-store';
import { JsonLogger } from '@twokey/service-kit';
import { ServiceHealth } from '../infra/service-health';
import { EVENT_STORE } from '../tokens';
import { AccessRegistry } from './access-registry';
import { StateSnapshots } from './state-snapshots';

/**
 * Start-up rehydration and live updates. Starts from the latest valid snapshot (or nothing), reads the rest of the
 * store before anything is decided, then follows it live so another replica's approvals and denials reach this
 * replica's state. An event that cannot be read fails start-up, or stops a running service: it never runs on a
 * partial allowlist.
 */
@Injectable()
export class EventFeed implements OnModuleInit, BeforeApplicationShutdown {
  private subscription?: EventSubscription;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly registry: AccessRegistry,
    private readonly snapshots: StateSnapshots,
    private readonly health: ServiceHealth,
    private readonly logger: JsonLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    let events = 0;
    const snapshot = await this.snapshots.restore();
    // Batches, not single events: with 100,000 allowlisted users an await per event is a measurable share of start-up.
    for await (const batch of this.store.readAllBatches(this.registry.position)) {
      for (const event of batch) this.registry.applyFromFeed(event);
      events += batch.length;
    }
    this.snapshots.noteFolded(events);
    // An error before the subscription has caught up fails start-up; after that it stops the running service.
    let live = false;
    let failCatchUp: (error: Error) => void = () => undefined;
    const catchUpFailed = new Promise<never>((_, reject) => (failCatchUp = reject));
    const subscription = this.store.subscribe({
      afterPosition: this.registry.position,
      onEvent: (event) => {
        this.registry.applyFromFeed(event);
        this.snapshots.noteFolded(1);
      },
      onError: (error) => (live ? this.health.fatal(error) : failCatchUp(error)),
    });
    this.subscription = subscription;
    await Promise.race([subscription.caughtUp, catchUpFailed]);
    live = true;
    this.health.rehydrated = true;
    this.snapshots.start();
    this.logger.info('state rehydrated from the event store', {
      snapshot: snapshot || null,
      events,
      position: this.registry.position,
      connections: this.registry.connections().length,
      ms: Date.now() - started,
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }
}
