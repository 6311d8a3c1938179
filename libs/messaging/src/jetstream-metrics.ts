import type { JetStreamManager } from 'nats';
import { Counter, Gauge, Registry } from 'prom-client';

export interface JetStreamMetricsTargets {
  /** Streams whose size to report (the service's NATS user must be allowed STREAM.INFO on each). */
  streams?: string[];
  /** Durable consumers (stream, name) whose backlog to report (CONSUMER.INFO on each). */
  consumers?: { stream: string; consumer: string }[];
}

/**
 * Lag and size gauges read from JetStream on each scrape, for what the service itself is allowed to see (least
 * privilege: every service reports its own durable consumers):
 *   twokey_consumer_pending{stream,consumer}      messages not yet delivered to the consumer (its lag)
 *   twokey_consumer_ack_pending{stream,consumer}  delivered, not yet acknowledged
 *   twokey_stream_messages{stream}, twokey_stream_bytes{stream}
 * A failed lookup leaves that series out of the scrape and counts twokey_jetstream_info_errors_total.
 */
export function registerJetStreamMetrics(registry: Registry, jsm: () => JetStreamManager | Promise<JetStreamManager> | undefined, targets: JetStreamMetricsTargets): void {
  const registers = [registry];
  const errors = new Counter({
    name: 'twokey_jetstream_info_errors_total',
    help: 'JetStream info requests of the metrics that failed',
    labelNames: ['kind'] as const,
    registers,
    // Waits for this scrape's lookups, so their failures are in the same scrape.
    async collect() {
      await snapshot();
    },
  });
  const streams = targets.streams ?? [];
  const consumers = targets.consumers ?? [];
  // One info request per target and scrape, shared by the gauges that read it.
  let pending: Promise<Snapshot> | undefined;
  const snapshot = () => (pending ??= read().finally(() => setTimeout(() => (pending = undefined), 0)));

  interface Snapshot {
    streams: Map<string, { messages: number; bytes: number }>;
    consumers: Map<string, { pending: number; ackPending: number; stream: string; consumer: string }>;
  }
  async function read(): Promise<Snapshot> {
    const out: Snapshot = { streams: new Map(), consumers: new Map() };
    const manager = await jsm();
    if (!manager) return out;
    await Promise.all([
      ...streams.map(async (name) => {
        try {
          const { state } = await manager.streams.info(name);
          out.streams.set(name, { messages: state.messages, bytes: state.bytes });
        } catch {
          errors.inc({ kind: 'stream' });
        }
      }),
      ...consumers.map(async ({ stream, consumer }) => {
        try {
          const info = await manager.consumers.info(stream, consumer);
          out.consumers.set(`${stream}/${consumer}`, { pending: info.num_pending, ackPending: info.num_ack_pending, stream, consumer });
        } catch {
          errors.inc({ kind: 'consumer' });
        }
      }),
    ]);
    return out;
  }

  const consumerGauge = (name: string, help: string, pick: (c: { pending: number; ackPending: number }) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['stream', 'consumer'] as const,
      registers,
      async collect() {
        this.reset();
        for (const c of (await snapshot()).consumers.values()) this.set({ stream: c.stream, consumer: c.consumer }, pick(c));
      },
    });
  const streamGauge = (name: string, help: string, pick: (s: { messages: number; bytes: number }) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['stream'] as const,
      registers,
      async collect() {
        this.reset();
        for (const [stream, s] of (await snapshot()).streams) this.set({ stream }, pick(s));
      },
    });
  if (consumers.length) {
    consumerGauge('twokey_consumer_pending', 'Messages of the stream not yet delivered to this durable consumer (its lag)', (c) => c.pending);
    consumerGauge('twokey_consumer_ack_pending', 'Messages delivered to this durable consumer and not yet acknowledged', (c) => c.ackPending);
  }
  if (streams.length) {
    streamGauge('twokey_stream_messages', 'Messages stored in the stream', (s) => s.messages);
    streamGauge('twokey_stream_bytes', 'Bytes stored in the stream', (s) => s.bytes);
  }
}
