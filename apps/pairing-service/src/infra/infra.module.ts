import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { subjects, type Subjects } from '@twokey/contracts';
import { JetStreamEventStore } from '@twokey/event-store';
import { registerJetStreamMetrics } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import type { PairingServiceConfig } from '../config';
import { CLOCK, CONFIG, EVENT_STORE, FATAL_HANDLER, NATS, SUBJECTS, type Clock, type FatalHandler } from '../tokens';
import { PairingMetrics } from './metrics';
import { NatsLink, natsConnectionProvider } from './nats-link';
import { ServiceHealth } from './service-health';
import { StreamFill } from './stream-fill';

export interface InfraOptions {
  logger: JsonLogger;
  metrics: PairingMetrics;
  onFatal: FatalHandler;
  clock: Clock;
}

/**
 * The few things every part needs: configuration, logger, metrics, health, the NATS connection and the event
 * store. Global so feature modules do not re-import it; it holds nothing else.
 */
const JETSTREAM_METRICS = Symbol('jetstream metrics');

@Module({})
export class InfraModule {
  static forRoot(config: PairingServiceConfig, options: InfraOptions): DynamicModule {
    const exported = [CONFIG, CLOCK, SUBJECTS, JsonLogger, PairingMetrics, ServiceHealth, NATS, EVENT_STORE];
    return {
      module: InfraModule,
      global: true,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: SUBJECTS, useValue: subjects(config.prefix) },
        { provide: JsonLogger, useValue: options.logger },
        { provide: PairingMetrics, useValue: options.metrics },
        { provide: FATAL_HANDLER, useValue: options.onFatal },
        { provide: CLOCK, useValue: options.clock },
        ServiceHealth,
        natsConnectionProvider,
        NatsLink,
        StreamFill,
        {
          // Lag of the inbound consumer and the size of the streams it reads and writes, on every scrape.
          provide: JETSTREAM_METRICS,
          inject: [NATS, SUBJECTS, PairingMetrics, CONFIG],
          useFactory: (nc: NatsConnection, s: Subjects, metrics: PairingMetrics, c: PairingServiceConfig) => {
            let jsm: ReturnType<NatsConnection['jetstreamManager']> | undefined;
            registerJetStreamMetrics(metrics.registry, () => (jsm ??= nc.jetstreamManager()), {
              streams: [s.streams.inbound, s.streams.admitted, s.streams.events],
              consumers: [{ stream: s.streams.inbound, consumer: c.consumerName }],
            });
            return true;
          },
        },
        {
          provide: EVENT_STORE,
          inject: [NATS, SUBJECTS],
          useFactory: (nc: NatsConnection, s: Subjects) => new JetStreamEventStore({ nc, subjects: s }),
        },
      ],
      exports: exported,
    };
  }
}
