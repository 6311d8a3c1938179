import type { NatsConnection, Subscription } from 'nats';
import { nowMs } from './stats';

/**
 * Counts AdmittedMessages as they are stored (a core subscription on `<prefix>.admitted.>` sees every message the
 * stream captures) and notes when the first and the last arrived, and optionally when each id arrived.
 */
export class AdmittedProbe {
  count = 0;
  firstAtMs = 0;
  lastAtMs = 0;
  private readonly sub: Subscription;
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(nc: NatsConnection, subject: string, onMessage?: (data: Uint8Array, atMs: number) => void) {
    this.sub = nc.subscribe(subject, {
      callback: (_err, m) => {
        const at = nowMs();
        if (this.count === 0) this.firstAtMs = at;
        this.lastAtMs = at;
        this.count++;
        onMessage?.(m.data, at);
        if (this.waiters.length) this.waiters = this.waiters.filter((w) => (this.count >= w.n ? (w.resolve(), false) : true));
      },
    });
  }

  /** Resolves once `n` were seen; rejects after `timeoutMs` saying how many arrived. */
  waitFor(n: number, timeoutMs: number): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.count} of ${n} admitted messages within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** Messages per second between the first and the last arrival. */
  rate(messages = this.count): number {
    const span = this.lastAtMs - this.firstAtMs;
    return span > 0 ? ((messages - 1) * 1000) / span : 0;
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}
