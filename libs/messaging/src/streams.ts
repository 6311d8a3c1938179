import { DiscardPolicy, JetStreamManager, RetentionPolicy, StorageType, StreamConfig, nanos } from 'nats';
import type { Subjects } from '@twokey/contracts';

export interface StreamOptions {
  /** 1 locally, 3 on a NATS cluster in production. */
  replicas: number;
  /**
   * Whether an update may change the replicas of an existing stream. Only the provisioner (STREAM_REPLICAS) sets
   * it: a service that keeps its streams up to date must never turn an R3 stream into R1.
   */
  manageReplicas?: boolean;
  /** JetStream de-duplication window for Nats-Msg-Id (design: ≥ 2 min). */
  duplicateWindowMs: number;
  /** How long transport streams keep messages (the event store keeps everything forever). */
  transportMaxAgeMs: number;
  /** Size limit of each transport stream: when full, the oldest messages make room (discard old). */
  transportMaxBytes: TransportMaxBytes;
  /**
   * Whether an update may change the size limits of an existing stream. Only the provisioner sets it; a service
   * keeps the limit it finds, and only gives a stream that has none (made before M7) the default.
   */
  manageLimits?: boolean;
}

export interface TransportMaxBytes {
  inbound: number;
  admitted: number;
  outbound: number;
  delivered: number;
}

const MiB = 1024 * 1024;

/**
 * A flood of inbound messages must not fill the JetStream store the event store lives in (M7). Each transport
 * stream is bounded; together they reserve 1 GiB, and the NATS configurations give JetStream a max_file_store well
 * above it (deploy/generate.js checks the margin), so TWOKEY_EVENTS always has room. Inbound holds ~1 M messages of
 * a typical size: several minutes of a flood at the pairing-service's drain rate.
 */
export const DEFAULT_TRANSPORT_MAX_BYTES: TransportMaxBytes = {
  inbound: 512 * MiB,
  admitted: 256 * MiB,
  outbound: 192 * MiB,
  delivered: 64 * MiB,
};

export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  replicas: 1,
  duplicateWindowMs: 10 * 60_000,
  transportMaxAgeMs: 7 * 24 * 3_600_000,
  transportMaxBytes: DEFAULT_TRANSPORT_MAX_BYTES,
};

export function streamConfigs(s: Subjects, o: StreamOptions = DEFAULT_STREAM_OPTIONS): Partial<StreamConfig>[] {
  // Limits retention, not work-queue, for inbound too: see docs/design-notes.md ("Bounded transport streams").
  const transport = (name: string, subject: string, maxBytes: number): Partial<StreamConfig> => ({
    name,
    subjects: [subject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: o.replicas,
    duplicate_window: nanos(o.duplicateWindowMs),
    max_age: nanos(o.transportMaxAgeMs),
    max_bytes: maxBytes,
    // A full stream drops its oldest messages, so a flood never blocks new messages (a pairing code, an approval's
    // effect) from being published.
    discard: DiscardPolicy.Old,
  });
  const b = o.transportMaxBytes;
  return [
    transport(s.streams.inbound, s.inboundAll(), b.inbound),
    transport(s.streams.admitted, s.admittedAll(), b.admitted),
    transport(s.streams.outbound, s.outboundAll(), b.outbound),
    transport(s.streams.delivered, s.deliveredAll(), b.delivered),
    {
      name: s.streams.events,
      subjects: [s.eventsAll()],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: o.replicas,
      duplicate_window: nanos(o.duplicateWindowMs),
      max_age: 0,
      // The event store is kept forever: refuse new commits rather than drop old ones if a limit is ever set.
      discard: DiscardPolicy.New,
    },
  ];
}

/** Creates the five streams, or updates them to the current configuration (keeping their replicas). Idempotent. */
export async function ensureStreams(jsm: JetStreamManager, s: Subjects, o: StreamOptions = DEFAULT_STREAM_OPTIONS) {
  for (const config of streamConfigs(s, o)) {
    try {
      const existing = await jsm.streams.info(config.name!);
      const num_replicas = o.manageReplicas ? config.num_replicas : existing.config.num_replicas;
      const kept = existing.config.max_bytes;
      const max_bytes = o.manageLimits || config.max_bytes === undefined || !(kept > 0) ? config.max_bytes : kept;
      await jsm.streams.update(config.name!, { ...config, num_replicas, ...(max_bytes !== undefined ? { max_bytes } : {}) });
    } catch (e) {
      if ((e as { code?: string }).code === '404' || /stream not found/i.test((e as Error).message)) {
        await jsm.streams.add(config);
      } else {
        throw e;
      }
    }
  }
}
