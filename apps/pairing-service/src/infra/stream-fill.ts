import { Inject, Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { NatsConnection } from 'nats';
import type { Subjects } from '@twokey/contracts';
import { JsonLogger } from '@twokey/service-kit';
import { NATS, SUBJECTS } from '../tokens';
import { PairingMetrics } from './metrics';

/**
 * How full the streams this service may inspect are, read from the server at each scrape (M7): bytes stored and,
 * for the bounded transport streams, the share of their max_bytes. An inbound stream near 1 is being flooded and is
 * dropping its oldest messages; the event store's bytes show how much of the JetStream store it uses.
 */
@Injectable()
export class StreamFill {
  constructor(
    @Inject(NATS) nc: NatsConnection,
    @Inject(SUBJECTS) s: Subjects,
    metrics: PairingMetrics,
    logger: JsonLogger,
  ) {
    const streams = [s.streams.inbound, s.streams.admitted, s.streams.events];
    // Both gauges of one scrape share one round of stream info requests.
    let last: { at: number; info: ReturnType<typeof inspect> } | undefined;
    const read = () => {
      if (!last || Date.now() - last.at > 1_000) last = { at: Date.now(), info: inspect() };
      return last.info;
    };
    const inspect = async () => {
      const jsm = await nc.jetstreamManager();
      return Promise.all(
        streams.map(async (name) => {
          try {
            const info = await jsm.streams.info(name);
            return { name, bytes: info.state.bytes, max: info.config.max_bytes };
          } catch (e) {
            logger.debug('stream info unavailable for metrics', { stream: name, error: e });
            return undefined;
          }
        }),
      );
    };
    new Gauge({
      name: 'twokey_pairing_stream_bytes',
      help: 'Bytes stored in a JetStream stream (inbound, admitted, events)',
      labelNames: ['stream'],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const r of await read()) if (r) this.set({ stream: r.name }, r.bytes);
      },
    });
    new Gauge({
      name: 'twokey_pairing_stream_fill_ratio',
      help: 'Bytes stored over max_bytes of a bounded transport stream; at 1 it drops its oldest messages',
      labelNames: ['stream'],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const r of await read()) if (r && r.max > 0) this.set({ stream: r.name }, r.bytes / r.max);
      },
    });
  }
}
