import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { subjects as subjectsOf, type Subjects } from '@twokey/contracts';
import { connectNats, ensureStreams } from '@twokey/messaging';
import { startNats, type NatsHarness } from '@twokey/test-support';
import type { StoreDurability } from './table';

/** A private nats-server (own store directory, own port) with the four streams, and a client connection. */
export interface BenchNats {
  harness: NatsHarness;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  s: Subjects;
  url: string;
  prefix: string;
  /** Storage and replicas of each stream, as the server reports them. */
  durability(): Promise<StoreDurability[]>;
  close(): Promise<void>;
}

export async function startBenchNats(): Promise<BenchNats> {
  const harness = await startNats({ spawn: true });
  // The services' connection settings, so in-process figures (event store) match what a service would see.
  const nc = await connectNats({ url: harness.url, name: 'bench' });
  const jsm = await nc.jetstreamManager();
  const s = subjectsOf(harness.prefix);
  await ensureStreams(jsm, s);
  return {
    harness,
    nc,
    js: nc.jetstream(),
    jsm,
    s,
    url: harness.url,
    prefix: harness.prefix,
    async durability() {
      const out: StoreDurability[] = [];
      for (const name of Object.values(s.streams)) {
        const info = await jsm.streams.info(name);
        out.push({ stream: name, storage: String(info.config.storage), replicas: info.config.num_replicas });
      }
      return out;
    },
    async close() {
      await nc.close().catch(() => undefined);
      await harness.dispose();
    },
  };
}

/**
 * Publishes `count` messages made by `make(i)` with at most `window` publish acks outstanding (async acks, so
 * the write is limited by the server, not by round trips). Resolves when every ack came back.
 */
export async function publishMany(
  js: JetStreamClient,
  count: number,
  make: (i: number) => { subject: string; data: Uint8Array; msgID?: string },
  window = 2_000,
): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < count && failed === undefined) {
      const m = make(next++);
      try {
        await js.publish(m.subject, m.data, m.msgID ? { msgID: m.msgID } : undefined);
      } catch (e) {
        failed = e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, worker));
  if (failed !== undefined) throw failed;
}
