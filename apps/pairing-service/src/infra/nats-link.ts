import { Inject, Injectable, type FactoryProvider, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Subjects } from '@twokey/contracts';
import { connectNats, ensureStreams } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import { SERVICE_NAME, type PairingServiceConfig } from '../config';
import { CONFIG, NATS, SUBJECTS } from '../tokens';
import { ServiceHealth } from './service-health';

/** Connects (endless reconnects) and, when ENSURE_STREAMS, creates or updates the four streams. */
export const natsConnectionProvider: FactoryProvider<NatsConnection> = {
  provide: NATS,
  inject: [CONFIG, SUBJECTS],
  useFactory: async (config: PairingServiceConfig, s: Subjects) => {
    const nc = await connectNats({ ...config.nats, name: SERVICE_NAME });
    try {
      if (config.ensureStreams) await ensureStreams(await nc.jetstreamManager(), s);
    } catch (e) {
      await nc.close();
      throw e;
    }
    return nc;
  },
};

/** Follows the connection's status for /readyz and drains it last on shutdown (after pending acks went out). */
@Injectable()
export class NatsLink implements OnApplicationShutdown {
  constructor(
    @Inject(NATS) private readonly nc: NatsConnection,
    private readonly health: ServiceHealth,
    private readonly logger: JsonLogger,
  ) {
    health.natsConnected = !nc.isClosed();
    void this.watch();
  }

  private async watch(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') {
        this.health.natsConnected = false;
        this.logger.warn('NATS disconnected; reconnecting', { server: s.data });
      } else if (s.type === 'reconnect') {
        this.health.natsConnected = true;
        this.logger.info('NATS reconnected', { server: s.data });
      }
    }
    this.health.natsConnected = false;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      await this.nc.drain();
    } catch (e) {
      this.logger.warn('NATS drain failed; closing', { error: e });
      await this.nc.close();
    }
  }
}
