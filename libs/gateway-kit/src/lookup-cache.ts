/**
 * A small bounded cache for platform look-ups (display names via users.info and the like): entries expire after
 * `ttlMs`, the oldest is evicted beyond `maxEntries`, and concurrent look-ups of one key share a single request. A failed
 * look-up is not cached.
 */
export class LookupCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly inflight = new Map<string, Promise<V>>();

  constructor(
    private readonly options: { maxEntries?: number; ttlMs?: number; now?: () => number } = {},
  ) {}

  private get max() {
    return this.options.maxEntries ?? 5_000;
  }

  private now() {
    return (this.options.now ?? Date.now)();
  }

  peek(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + (this.options.ttlMs ?? 15 * 60_000) });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }

  async get(key: string, load: (key: string) => Promise<V>): Promise<V> {
    const cached = this.peek(key);
    if (cached !== undefined) return cached;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = load(key)
      .then((v) => {
        this.set(key, v);
        return v;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}

/** Remembers the last `max` ids seen, to drop platform redeliveries (Slack event_id) before they cost anything. */
export class RecentIds {
  private readonly seen = new Set<string>();

  constructor(private readonly max = 10_000) {}

  has(id: string): boolean {
    return this.seen.has(id);
  }

  add(id: string): void {
    this.seen.add(id);
    if (this.seen.size > this.max) this.seen.delete(this.seen.values().next().value as string);
  }

  /** True the first time an id is seen (and remembers it), false for a repeat. */
  firstSeen(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.add(id);
    return true;
  }
}
