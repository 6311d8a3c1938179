import type { NatsConnection } from 'nats';
import type { Subjects } from '@twokey/contracts';
import { openSnapshotBucket, SnapshotStore, SnapshotWriter, type SnapshotCadence } from '@twokey/messaging';
import {
  DEFAULT_READ_MODEL_OPTIONS,
  encodeReadModels,
  readModelsVersion,
  restoreReadModels,
  type EncodedReadModels,
  type ReadModelOptions,
  type ReadModels,
} from '@twokey/read-models';
import type { JsonLogger } from '@twokey/service-kit';

export const READ_MODELS_SNAPSHOT_KIND = 'read-models';
/** Bump when AdminSnapshot changes; readModelsVersion covers the models and their options. */
const ADMIN_SNAPSHOT_LAYOUT = 1;

/** What an admin-api snapshot holds: the read models and the counters the metrics read, at one position. */
interface AdminSnapshot {
  models: EncodedReadModels;
  counters: unknown;
}

/**
 * Counters that go on across restarts (the metrics' totals): taken with each cut, restored with the models.
 * `prepare` checks an image and returns what applies it (which cannot fail), so a bad image changes nothing.
 */
export interface SnapshotCounters {
  image(): unknown;
  prepare(image: unknown, position: number): () => void;
}

/**
 * Snapshots of the read models in the bucket <PREFIX>_ADMIN_SNAPSHOTS. `restore` loads the latest one that passes
 * every check (SnapshotStore: readable, this projection's version and options, the log's own commit at its position)
 * into the fresh models; anything else is logged and the projection replays the log from the start. While running,
 * `writer` writes one at the SNAPSHOT_EVERY_* cadence, off the event path.
 */
export class ReadModelSnapshots {
  private writer?: SnapshotWriter;
  private foldedBeforeStart = 0;

  private constructor(
    private readonly store: SnapshotStore | undefined,
    private readonly cadence: SnapshotCadence,
    private readonly log: JsonLogger,
    private readonly counters?: SnapshotCounters,
  ) {}

  /** Binds to (or, with `create`, makes) the bucket; without it the projection just replays the whole log. */
  static async open(
    nc: NatsConnection,
    s: Subjects,
    options: Partial<ReadModelOptions>,
    o: SnapshotCadence & { create: boolean; log: JsonLogger; counters?: SnapshotCounters },
  ): Promise<ReadModelSnapshots> {
    try {
      const bucket = await openSnapshotBucket(nc.jetstream(), s, 'admin-api', { create: o.create });
      const store = new SnapshotStore(bucket, await nc.jetstreamManager(), s.streams.events, READ_MODELS_SNAPSHOT_KIND, `${readModelsVersion({ ...DEFAULT_READ_MODEL_OPTIONS, ...options })}, layout ${ADMIN_SNAPSHOT_LAYOUT}`);
      return new ReadModelSnapshots(store, o, o.log, o.counters);
    } catch (e) {
      o.log.warn('read-model snapshots unavailable (bucket cannot be opened): replaying the whole log, writing none', { error: e });
      return new ReadModelSnapshots(undefined, o, o.log);
    }
  }

  /** Fills the fresh `models` from the latest valid snapshot; returns its position (0: replay from the start). */
  async restore(models: ReadModels): Promise<number> {
    if (!this.store) return 0;
    const loaded = await this.store.load();
    if (loaded.status === 'absent') {
      this.log.info('no read-model snapshot yet: replaying the whole log');
      return 0;
    }
    if (loaded.status === 'ignored') {
      this.log.warn('read-model snapshot ignored: replaying the whole log from the start', { reason: loaded.reason });
      return 0;
    }
    try {
      const snapshot = JSON.parse(loaded.body.toString('utf8')) as AdminSnapshot;
      const applyCounters = this.counters?.prepare(snapshot.counters, loaded.header.position);
      restoreReadModels(models, snapshot.models);
      applyCounters?.();
    } catch (e) {
      this.log.warn('read-model snapshot ignored: replaying the whole log from the start', { reason: `its body cannot be decoded: ${(e as Error).message}` });
      return 0;
    }
    this.log.info('read-model snapshot loaded', { position: loaded.header.position, takenAt: loaded.header.takenAt, bytes: loaded.body.byteLength });
    return loaded.header.position;
  }

  /** Events projected (counted towards the next snapshot). */
  noteFolded(n: number): void {
    if (this.writer) this.writer.noteFolded(n);
    else this.foldedBeforeStart += n;
  }

  /** Starts the cadence once the projection caught up. The models change in place: each cut copies their maps at once. */
  start(models: ReadModels): void {
    if (!this.store) return;
    // encodeReadModels copies the maps into arrays; the records in them are never mutated (replaced on change).
    const cut = () => {
      const data: AdminSnapshot = { models: encodeReadModels(models), counters: this.counters?.image() ?? null };
      return { position: models.position, data };
    };
    this.writer = new SnapshotWriter(this.store, this.cadence, cut, this.log);
    this.writer.noteFolded(this.foldedBeforeStart);
    this.writer.start();
  }

  async stop(): Promise<void> {
    await this.writer?.stop();
  }
}
