import type { JsonLogger } from '@twokey/service-kit';
import type { OutboundTarget } from './platform-adapter';
import type { Clock } from './write-budget';

/** Telegram's chat action shows for 5 s, Discord's typing for 10 s: refreshing every 4 s covers both. */
export const TYPING_REFRESH_MS = 4_000;
/** A turn whose stop never came stops showing typing after this. */
export const TYPING_MAX_MS = 5 * 60_000;

/**
 * Keeps a "typing…" indicator up while a turn runs (profile.typing `refreshed`), per conversation and thread,
 * until stopped: a ChatAction stop, the next send or final edit there, the gateway stopping, or TYPING_MAX_MS.
 */
export class TypingRefresher {
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; until: number }>();

  constructor(
    private readonly show: (target: OutboundTarget) => Promise<unknown> | undefined,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
  ) {}

  private key(t: OutboundTarget): string {
    return `${t.conversationId}\u0000${t.threadId ?? ''}`;
  }

  /** Refreshes from now on (the caller has just shown it); a repeated start keeps the first one's deadline. */
  start(target: OutboundTarget): void {
    const key = this.key(target);
    const until = this.timers.get(key)?.until ?? this.clock.now() + TYPING_MAX_MS;
    this.stop(target);
    const tick = () => {
      if (this.clock.now() >= until) return void this.timers.delete(key);
      void Promise.resolve(this.show(target)).catch((e) => this.logger.warn('typing refresh failed', { error: (e as Error).message }));
      this.timers.set(key, { timer: setTimeout(tick, TYPING_REFRESH_MS), until });
    };
    this.timers.set(key, { timer: setTimeout(tick, TYPING_REFRESH_MS), until });
  }

  stop(target: OutboundTarget): void {
    const key = this.key(target);
    const t = this.timers.get(key);
    if (t) clearTimeout(t.timer);
    this.timers.delete(key);
  }

  close(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
