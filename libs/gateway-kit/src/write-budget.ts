/**
 * Per-conversation write budgets (sends and edits), from the platform's profile: at most `writes` in any window of
 * `perSeconds`. A 429 also closes the conversation's budget until its retry_after has passed. The clock and the
 * sleep are injected so a test can run minutes of budget in seconds with the same logic.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export class WriteBudgets {
  private readonly writes = new Map<string, number[]>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly windowMs: number;

  constructor(
    private readonly budget: { writes: number; perSeconds: number },
    private readonly clock: Clock = realClock,
  ) {
    this.windowMs = budget.perSeconds * 1000;
  }

  /** Milliseconds until `key` may write again (0: now). */
  waitMs(key: string): number {
    const now = this.clock.now();
    const recent = (this.writes.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.writes.set(key, recent);
    const paused = Math.max(0, (this.pausedUntil.get(key) ?? 0) - now);
    const full = recent.length >= this.budget.writes ? recent[0] + this.windowMs - now : 0;
    return Math.max(paused, full);
  }

  /**
   * Takes one write for `key`. `droppable` (an intermediate edit): false at once when over budget. Otherwise waits
   * until the budget allows it, and always returns true: a final message is never dropped.
   */
  async take(key: string, droppable: boolean): Promise<boolean> {
    for (let wait = this.waitMs(key); wait > 0; wait = this.waitMs(key)) {
      if (droppable) return false;
      await this.clock.sleep(wait);
    }
    this.writes.get(key)!.push(this.clock.now());
    return true;
  }

  /**
   * The write taken last for `key` completed now: it counts from here. The platform counts a write when it arrives,
   * which on a slow network or a busy machine is later than the take; counting from the take would let the next
   * window open early and meet a 429.
   */
  settle(key: string): void {
    const recent = this.writes.get(key);
    if (recent?.length) recent[recent.length - 1] = Math.max(recent[recent.length - 1], this.clock.now());
  }

  /** The platform said 429: nothing more for `key` until `ms` from now. */
  pause(key: string, ms: number): void {
    this.pausedUntil.set(key, Math.max(this.pausedUntil.get(key) ?? 0, this.clock.now() + ms));
  }

  /** Forget idle conversations so the map does not grow without bound. */
  sweep(): void {
    const now = this.clock.now();
    for (const [k, ts] of this.writes) if (!ts.length || ts[ts.length - 1] <= now - this.windowMs) this.writes.delete(k);
    for (const [k, t] of this.pausedUntil) if (t <= now) this.pausedUntil.delete(k);
  }
}
