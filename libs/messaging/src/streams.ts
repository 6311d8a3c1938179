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
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  replicas: 1,
  duplicateWindowMs: 10 * 60_000,
  transportMaxAgeMs: 7 * 24 * 3_600_000,
};

export function streamConfigs(s: Subjects, o: StreamOptions = DEFAULT_STREAM_OPTIONS): Partial<StreamConfig>[] {
  const transport = (name: string, subject: string): Partial<StreamConfig> => ({
    name,
    subjects: [subject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: o.replicas,
    duplicate_window: nanos(o.duplicateWindowMs),
    max_age: nanos(o.transportMaxAgeMs),
    discard: DiscardPolicy.Old,
  });
  return [
    transport(s.streams.inbound, s.inboundAll()),
    transport(s.streams.admitted, s.admittedAll()),
    transport(s.streams.outbound, s.outboundAll()),
    transport(s.streams.delivered, s.deliveredAll()),
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
      await jsm.streams.update(config.name!, { ...config, num_replicas });
    } catch (e) {
      if ((e as { code?: string }).code === '404' || /stream not found/i.test((e as Error).message)) {
        await jsm.streams.add(config);
      } else {
        throw e;
      }
    }
  }
}
