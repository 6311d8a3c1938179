import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Subjects } from '@twokey/contracts';
import { openSnapshotBucket, SnapshotStore, SnapshotWriter, type SnapshotCut } from '@twokey/messaging';
import { ACCESS_STATE_CODEC_VERSION } from '@twokey/pairing-domain';
import { JsonLogger } from '@twokey/service-kit';
import type { PairingServiceConfig } from '../config';
import { CONFIG, NATS, SUBJECTS } from '../tokens';
import { AccessRegistry, type RegistryImage } from './access-registry';

/** Bump when RegistryImage changes; ACCESS_STATE_CODEC_VERSION covers AccessState and its fold. */
const REGISTRY_IMAGE_VERSION = 1;
export const PAIRING_SNAPSHOT_KIND = 'pairing-state';
export const PAIRING_SNAPSHOT_VERSION = `registry ${REGISTRY_IMAGE_VERSION}, access-state ${ACCESS_STATE_CODEC_VERSION}`;

/**
 * Snapshots of the registry in the bucket <PREFIX>_PAIRING_SNAPSHOTS. At start, `restore` loads the latest one that
 * passes every check (SnapshotStore) and the feed folds forward from its position; a missing bucket, an unreadable or
 * other-version snapshot only costs a fold from the start (logged). While running, a snapshot is written once
 * SNAPSHOT_EVERY_EVENTS events were folded or SNAPSHOT_EVERY_SECONDS passed: from a timer, never inside a decision
 * or an ack, and one at a time.
 */
@Injectable()
export class StateSnapshots implements BeforeApplicationShutdown {
  private store?: SnapshotStore;
  private writer?: SnapshotWriter;
  private foldedAtStart = 0;

  constructor(
    @Inject(CONFIG) private readonly config: PairingServiceConfig,
    @Inject(NATS) private readonly nc: NatsConnection,
    @Inject(SUBJECTS) private readonly s: Subjects,
    private readonly registry: AccessRegistry,
    private readonly logger: JsonLogger,
  ) {}

  /** Restores the registry from the latest valid snapshot; returns its position (0: fold from the start). */
  async restore(): Promise<number> {
    if (!this.config.snapshots?.enabled) return 0;
    try {
      const js = this.nc.jetstream();
      const bucket = await openSnapshotBucket(js, this.s, 'pairing-service', { create: this.config.ensureStreams });
      // The counted sequences are pruned at this consumer's ack floor: a snapshot is only valid for the same consumer.
      const version = `${PAIRING_SNAPSHOT_VERSION}, consumer ${this.config.consumerName}`;
      this.store = new SnapshotStore(bucket, await this.nc.jetstreamManager(), this.s.streams.events, PAIRING_SNAPSHOT_KIND, version);
    } catch (e) {
      this.logger.warn('state snapshots unavailable (bucket cannot be opened): folding the whole log, writing none', { error: e });
      return 0;
    }
    const loaded = await this.store.load().catch((e: Error) => ({ status: 'ignored' as const, reason: e.message }));
    if (loaded.status === 'absent') {
      this.logger.info('no state snapshot yet: folding the whole log');
      return 0;
    }
    if (loaded.status === 'ignored') {
      this.logger.warn('state snapshot ignored: folding the whole log from the start', { reason: loaded.reason });
      return 0;
    }
    try {
      this.registry.restore(JSON.parse(loaded.body.toString('utf8')) as RegistryImage);
    } catch (e) {
      this.logger.warn('state snapshot ignored: folding the whole log from the start', { reason: `its body cannot be decoded: ${(e as Error).message}` });
      return 0;
    }
    this.logger.info('state snapshot loaded', { position: loaded.header.position, takenAt: loaded.header.takenAt, bytes: loaded.body.byteLength });
    return loaded.header.position;
  }

  /** The feed folded `n` more events (counted towards the next snapshot). */
  noteFolded(n: number): void {
    if (this.writer) this.writer.noteFolded(n);
    else this.foldedAtStart += n;
  }

  /** Starts the cadence once the state is rehydrated. */
  start(): void {
    if (!this.store || !this.config.snapshots) return;
    const { everyEvents, everyMs } = this.config.snapshots;
    this.writer = new SnapshotWriter(this.store, { everyEvents, everyMs }, () => this.cut(), this.logger);
    this.writer.noteFolded(this.foldedAtStart);
    this.writer.start();
  }

  /** One synchronous cut: the registry changes its maps in place, so the image copies them before any await. */
  private cut(): SnapshotCut | undefined {
    const image = this.registry.image();
    return image && { position: image.position, data: image };
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.writer?.stop();
  }
}
