import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SYSTEM_INITIATOR } from '@twokey/contracts';
import { uuidv7 } from '@twokey/event-store';
import { JsonLogger } from '@twokey/service-kit';
import type { PairingServiceConfig } from '../config';
import { ServiceHealth } from '../infra/service-health';
import { CommandExecutor } from '../state/command-executor';
import { AccessRegistry, type ConnectionEntry } from '../state/access-registry';
import { CLOCK, CONFIG, type Clock } from '../tokens';

/**
 * Every EXPIRY_TICK_MS, records TokenExpired / ObservationExpired for whatever is due. Replicas may tick at the same
 * time: optimistic concurrency lets one of them write, the others re-decide and find nothing left to expire.
 */
@Injectable()
export class ExpiryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;

  constructor(
    @Inject(CONFIG) private readonly config: PairingServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly registry: AccessRegistry,
    private readonly executor: CommandExecutor,
    private readonly health: ServiceHealth,
    private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.ticking && !this.health.failed) this.ticking = this.tick(this.clock()).finally(() => (this.ticking = undefined));
    }, this.config.expiryTickMs);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  async tick(now: Date): Promise<void> {
    for (const connection of this.registry.connections()) {
      if (!hasDue(this.registry.entry(connection), now.getTime())) continue;
      const id = `expiry:${uuidv7()}`;
      try {
        await this.executor.execute(connection, () => ({ type: 'ExpireDue', now }), {
          correlationId: id,
          causationId: id,
          actor: SYSTEM_INITIATOR,
        });
      } catch (e) {
        this.logger.error('could not record expiries; retrying on the next tick', { connection, error: e });
      }
    }
  }
}

/** Cheap pre-check so idle connections cost nothing per tick. */
function hasDue({ state }: ConnectionEntry, nowMs: number): boolean {
  for (const t of state.tokens.values()) if (t.status === 'live' && t.expiresAtMs <= nowMs) return true;
  for (const o of state.observations.values()) if (o.status === 'pending' && o.expiresAtMs <= nowMs) return true;
  return false;
}
