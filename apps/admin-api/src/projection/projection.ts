import type { StoredEvent } from '@twokey/contracts';
import type { EventStore, EventSubscription } from '@twokey/event-store';
import { ChangeSink, ReadModelChange, ReadModelOptions, ReadModels, initialReadModels, project } from '@twokey/read-models';
import type { JsonLogger } from '@twokey/service-kit';
import type { ReadModelSnapshots } from './read-model-snapshots';

interface Waiter {
  position: number;
  resolve: (reached: boolean) => void;
  timer: NodeJS.Timeout;
}

export interface ProjectionHooks {
  /** The subscription failed (e.g. an event that cannot be decoded). The service must stop: it fails closed. */
  onFatal?: (error: Error) => void;
  /** Each event, right after the read models took it (metrics count decisions here). */
  onApplied?: (event: StoredEvent) => void;
  /** Where the read models start from (the latest valid snapshot) and are snapshotted to; absent: none. */
  snapshots?: ReadModelSnapshots;
}

/**
 * Keeps the read models up to date: starts from the latest valid snapshot (if any), subscribes to the event store
 * after the position the models reflect (0 without a snapshot, so it catches up from the beginning), then follows
 * live. Readers get snapshots through the read-models queries; commands wait here for their own position
 * (read-your-writes).
 */
export class Projection {
  readonly models: ReadModels;
  private subscription?: EventSubscription;
  private caughtUp = false;
  private failure?: Error;
  private closed = false;
  private waiters: Waiter[] = [];
  private flushScheduled = false;
  private readonly listeners = new Set<ChangeSink>();
  private readonly byType = new Map<string, number>();
  private readonly emit: ChangeSink = (change: ReadModelChange) => {
    for (const l of this.listeners) l(change);
  };

  constructor(
    private readonly store: EventStore,
    private readonly log: JsonLogger,
    options: Partial<ReadModelOptions> = {},
    private readonly hooks: ProjectionHooks = {},
  ) {
    this.models = initialReadModels(options);
  }

  start(): void {
    const started = Date.now();
    const snapshots = this.hooks.snapshots;
    const restored = snapshots ? snapshots.restore(this.models) : Promise.resolve(0);
    void restored
      .catch((error: Error) => {
        // restore() reports every bad snapshot itself; this is an unexpected failure, and the models are untouched.
        this.log.warn('read-model snapshot not loaded: replaying the whole log from the start', { error });
        return 0;
      })
      .then((snapshot) => {
        if (!this.closed) this.follow(started, snapshot);
      });
  }

  private follow(started: number, snapshot: number): void {
    const sub = this.store.subscribe({
      afterPosition: this.models.position,
      onEvent: (event) => this.apply(event),
      onError: (error) => this.fail(error),
    });
    this.subscription = sub;
    sub.caughtUp.then(
      () => {
        this.caughtUp = true;
        this.log.info('projection caught up', {
          snapshot: snapshot || null,
          position: this.models.position,
          events: this.models.events,
          ms: Date.now() - started,
        });
        this.hooks.snapshots?.start(this.models);
        this.flushWaiters();
      },
      (error: Error) => this.fail(error),
    );
  }

  private apply(event: StoredEvent): void {
    project(this.models, event, this.listeners.size > 0 ? this.emit : undefined);
    this.byType.set(event.type, (this.byType.get(event.type) ?? 0) + 1);
    this.hooks.onApplied?.(event);
    this.hooks.snapshots?.noteFolded(1);
    // Events of one commit share a position and arrive back to back: answer waiters once the whole commit is in.
    if (this.waiters.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flushWaiters();
      });
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.log.error('projection stopped: the event log cannot be read; refusing to serve partial read models', { error });
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    this.hooks.onFatal?.(error);
  }

  private flushWaiters(): void {
    const position = this.models.position;
    const due = this.waiters.filter((w) => w.position <= position);
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > position);
    for (const w of due) {
      clearTimeout(w.timer);
      w.resolve(true);
    }
  }

  /** Resolves true once the read models reflect `position`, false if `timeoutMs` passes first. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.models.position >= position) return Promise.resolve(true);
    if (this.failure || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Live changes (for SSE). Returns the unsubscribe function. */
  onChange(listener: ChangeSink): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  position(): number {
    return this.models.position;
  }

  eventsByType(): ReadonlyMap<string, number> {
    return this.byType;
  }

  /** Before `start`: the applied-events counts a snapshot carried on from the process that wrote it. */
  restoreEventsByType(counts: readonly [string, number][]): void {
    for (const [type, n] of counts) this.byType.set(String(type), Number(n));
  }

  headPosition(): Promise<number> {
    return this.store.headPosition();
  }

  isCaughtUp(): boolean {
    return this.caughtUp && !this.failure;
  }

  failed(): Error | undefined {
    return this.failure;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    this.listeners.clear();
    await this.subscription?.close();
    await this.hooks.snapshots?.stop();
  }
}
