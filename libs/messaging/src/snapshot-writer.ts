import type { SnapshotStore } from './snapshots';

export interface SnapshotCadence {
  /** A snapshot once this many events were folded since the last one… */
  everyEvents: number;
  /** …or once this long passed with at least one event folded since the last one. */
  everyMs: number;
}

/**
 * One consistent cut of a fold: its position and the state as plain data. The cut is taken synchronously, but
 * it only copies the fold's containers (maps into arrays): the records they hold are never mutated by the folds
 * (a change replaces the record), so the data can be serialized afterwards, a slice per event-loop turn.
 */
export interface SnapshotCut {
  position: number;
  data: unknown;
}

const SLICE = 500;
/** Arrays up to this length are walked element by element (they hold the big ones); longer ones are sliced. */
const WALK = 64;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/**
 * JSON.stringify's output for plain data, built a slice of SLICE array elements at a time with a turn of the event
 * loop between slices, so serializing megabytes of state never holds up an event, a decision or a request for long.
 */
export async function stringifyInSlices(value: unknown): Promise<string> {
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    if (items.length <= WALK) {
      const parts: string[] = [];
      for (const item of items) parts.push(item === undefined || typeof item === 'function' ? 'null' : await stringifyInSlices(item));
      return `[${parts.join(',')}]`;
    }
    const parts: string[] = [];
    for (let i = 0; i < items.length; i += SLICE) {
      parts.push(items.slice(i, i + SLICE).map((item) => JSON.stringify(item) ?? 'null').join(','));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return `[${parts.join(',')}]`;
  }
  if (isPlainObject(value)) {
    const parts: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === 'function') continue;
      parts.push(`${JSON.stringify(key)}:${await stringifyInSlices(item)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

interface Log {
  info(msg: string, fields?: unknown): void;
  warn(msg: string, fields?: unknown): void;
}

/**
 * Writes a service's snapshots at its cadence, from a timer: never inside the handling of an event, a decision or
 * an ack, and one at a time. `cut` must copy the state's containers synchronously (the folds change their maps in
 * place) and may decline (undefined) when the state is not a clean cut of the log; the next tick tries again. Only
 * that copy runs in one go (`cutMs` in the log line); serializing, compressing and uploading are sliced or async. A failed write is
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
    const cutMs = Date.now() - started;
    const folded = this.folded;
    try {
      const body = Buffer.from(await stringifyInSlices(cut.data), 'utf8');
      await this.store.save(cut.position, body);
      this.folded -= folded;
      this.log.info(`${this.store.kind} snapshot written`, { position: cut.position, bytes: body.byteLength, cutMs, ms: Date.now() - started });
    } catch (e) {
      this.log.warn(`${this.store.kind} snapshot not written; retrying at the next cadence`, { position: cut.position, error: e });
    }
    this.lastAt = Date.now();
  }
}
