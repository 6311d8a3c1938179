import type { SnapshotStore } from './snapshots';

export interface SnapshotCadence {
  /** A snapshot once this many events were folded since the last one… */
  everyEvents: number;
  /** …or once this long passed with at least one event folded since the last one. */
  everyMs: number;
}

/** One consistent cut of a fold: its position and the encoded state. */
export interface SnapshotCut {
  position: number;
  body: Buffer;
}

interface Log {
  info(msg: string, fields?: unknown): void;
  warn(msg: string, fields?: unknown): void;
}

/**
 * Writes a service's snapshots at its cadence, from a timer: never inside the handling of an event, a decision or
 * an ack, and one at a time. `cut` must take the state synchronously (the folds change their state in place) and
 * may decline (undefined) when the state is not a clean cut of the log; the next tick tries again. A failed write is
 * logged and retried at the next cadence: snapshots only shorten start-up, nothing waits for them.
 */
export class SnapshotWriter {
  private folded = 0;
  private lastAt = Date.now();
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;

  constructor(
    private readonly store: SnapshotStore,
    private readonly cadence: SnapshotCadence,
    private readonly cut: () => SnapshotCut | undefined,
    private readonly log: Log,
  ) {}

  /** `n` more events were folded (cheap: called per event). */
  noteFolded(n: number): void {
    this.folded += n;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), Math.min(1_000, this.cadence.everyMs));
    this.timer.unref();
  }

  /** Stops the cadence and waits for a write in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
  }

  private tick(): void {
    if (this.writing || this.folded === 0) return;
    if (this.folded < this.cadence.everyEvents && Date.now() - this.lastAt < this.cadence.everyMs) return;
    this.writing = this.write().finally(() => (this.writing = undefined));
  }

  private async write(): Promise<void> {
    const started = Date.now();
    const cut = this.cut();
    if (cut === undefined || cut.position === 0) return;
    const encodeMs = Date.now() - started;
    const folded = this.folded;
    try {
      await this.store.save(cut.position, cut.body);
      this.folded -= folded;
      this.log.info(`${this.store.kind} snapshot written`, { position: cut.position, bytes: cut.body.byteLength, encodeMs, ms: Date.now() - started });
    } catch (e) {
      this.log.warn(`${this.store.kind} snapshot not written; retrying at the next cadence`, { position: cut.position, error: e });
    }
    this.lastAt = Date.now();
  }
}
