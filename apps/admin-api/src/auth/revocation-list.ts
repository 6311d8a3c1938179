import type { KV, QueuedIterator, KvEntry } from 'nats';
import type { JsonLogger } from '@twokey/service-kit';

/** Logged-out session ids, each kept until the session would have expired anyway. */
export interface RevocationList {
  has(sessionId: string): boolean;
  add(sessionId: string, until: number): Promise<void>;
}

/** One process's list (unit tests; a single replica without NATS). */
export class MemoryRevocations implements RevocationList {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  has(sessionId: string): boolean {
    return this.until.has(sessionId);
  }

  add(sessionId: string, until: number): Promise<void> {
    this.note(sessionId, until);
    return Promise.resolve();
  }

  /** Records a revocation and forgets the ones past their session's expiry (bounded by live sessions). */
  note(sessionId: string, until: number): void {
    const now = this.now();
    for (const [id, end] of this.until) if (end <= now) this.until.delete(id);
    if (until > now) this.until.set(sessionId, until);
  }
}

/**
 * The list every admin-api replica shares (M2): logout writes the session id to a NATS KV bucket; each replica
 * watches the bucket into memory, so checking a cookie stays a synchronous map lookup. start() returns once the
 * bucket's current content is loaded: a restarted replica never accepts a session that was logged out before.
 */
export class KvRevocations implements RevocationList {
  private readonly local: MemoryRevocations;
  private watcher?: QueuedIterator<KvEntry>;

  constructor(
    private readonly kv: KV,
    private readonly log: JsonLogger,
    now: () => number = Date.now,
  ) {
    this.local = new MemoryRevocations(now);
  }

  async start(): Promise<void> {
    let loaded!: () => void;
    const initial = new Promise<void>((resolve) => (loaded = resolve));
    this.watcher = await this.kv.watch({ initializedFn: () => loaded() });
    void (async () => {
      for await (const e of this.watcher!) {
        if (e.operation === 'PUT') this.local.note(e.key, Number(e.string()));
      }
    })().catch((err: Error) => this.log.error('session revocation watch ended', { error: err.message }));
    await initial;
  }

  has(sessionId: string): boolean {
    return this.local.has(sessionId);
  }

  async add(sessionId: string, until: number): Promise<void> {
    // Locally at once (this replica's next request), then for the others; a failed write fails the logout.
    this.local.note(sessionId, until);
    await this.kv.put(sessionId, String(until));
  }

  stop(): void {
    this.watcher?.stop();
  }
}
