/**
 * Replay protection for webhooks. A webhook is accepted only while its platform timestamp is within
 * WEBHOOK_MAX_SKEW_MS of our clock; inside that window a repeat is caught by what was already seen (request nonces,
 * event ids here, and JetStream's duplicate window on `Nats-Msg-Id`, which is longer). Together nothing can be
 * replayed later, and nothing replayed inside the window is published twice.
 */

/** How far a webhook's platform timestamp may be from now, either way (Slack's and Bolt's own limit). */
export const WEBHOOK_MAX_SKEW_MS = 5 * 60_000;

export type Freshness = 'fresh' | 'stale' | 'future' | 'missing';

/** Where `timestampMs` (a platform's clock, in ms) stands relative to `nowMs`. */
export function webhookFreshness(timestampMs: number | undefined, nowMs: number, maxSkewMs = WEBHOOK_MAX_SKEW_MS): Freshness {
  if (timestampMs === undefined || !Number.isFinite(timestampMs)) return 'missing';
  if (timestampMs < nowMs - maxSkewMs) return 'stale';
  if (timestampMs > nowMs + maxSkewMs) return 'future';
  return 'fresh';
}

/**
 * Ids seen within the replay window (nonces, event ids). Bounded: past `max` ids the oldest are forgotten first,
 * which a flood of fresh, validly signed requests would need the platform's key to cause.
 */
export class ReplayWindow {
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly windowMs = WEBHOOK_MAX_SKEW_MS * 2,
    private readonly max = 100_000,
  ) {}

  /** True when `id` was remembered within the window. */
  has(id: string, nowMs: number): boolean {
    const at = this.seenAt.get(id);
    return at !== undefined && at > nowMs - this.windowMs;
  }

  remember(id: string, nowMs: number): void {
    this.seenAt.delete(id);
    this.seenAt.set(id, nowMs);
    // Insertion order is time order: drop from the front what has expired, or what exceeds the bound.
    for (const [key, at] of this.seenAt) {
      if (at > nowMs - this.windowMs && this.seenAt.size <= this.max) break;
      this.seenAt.delete(key);
    }
  }

  /** Remembers `id` and tells whether it is new (false: a replay within the window). */
  firstSeen(id: string, nowMs: number): boolean {
    if (this.has(id, nowMs)) return false;
    this.remember(id, nowMs);
    return true;
  }
}
