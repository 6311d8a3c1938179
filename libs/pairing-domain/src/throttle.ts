/**
 * Brute-force counters (rule 6). Failed code-shaped attempts are counted per actor and per conversation over a
 * sliding window; the counters are rebuilt from MessageDenied events, so they survive a restart. There is
 * deliberately no global counter: a stranger must not be able to lock the admin out of pairing.
 */
import { PAIRING_POLICY } from './policy';
import type { AccessState, AttemptLog, ThrottleLog, ThrottleScope } from './state';

export const THROTTLE_SCOPES: readonly ThrottleScope[] = ['actor', 'conversation'];

/** Failed attempts of `key` within the window ending at `nowMs`. */
export function failedAttemptsWithin(state: AccessState, scope: ThrottleScope, key: string, nowMs: number): number {
  const since = nowMs - PAIRING_POLICY.attemptWindowMs;
  return (state.failedAttempts[scope].get(key) ?? []).filter((t) => t > since && t <= nowMs).length;
}

/** End of the throttle on `key` if it is still throttled at `nowMs`. */
export function throttledUntil(state: AccessState, scope: ThrottleScope, key: string, nowMs: number): number | undefined {
  const until = state.throttledUntil[scope].get(key);
  return until !== undefined && until > nowMs ? until : undefined;
}

export function recordAttempts(log: AttemptLog, keys: Record<ThrottleScope, string>, atMs: number, count: number): AttemptLog {
  // More than limit + 1 entries can never change a decision, so a hostile count cannot bloat the state.
  const n = Math.min(count, PAIRING_POLICY.maxFailedAttempts + 1);
  const add = (scope: ThrottleScope): ReadonlyMap<string, readonly number[]> => {
    const times = [...(log[scope].get(keys[scope]) ?? []), ...Array<number>(n).fill(atMs)]
      .sort((a, b) => a - b)
      .slice(-(PAIRING_POLICY.maxFailedAttempts + 1));
    return new Map(log[scope]).set(keys[scope], times);
  };
  return { actor: add('actor'), conversation: add('conversation') };
}

export function recordThrottle(log: ThrottleLog, scope: ThrottleScope, key: string, untilMs: number): ThrottleLog {
  const current = log[scope].get(key) ?? 0;
  return { ...log, [scope]: new Map(log[scope]).set(key, Math.max(current, untilMs)) };
}

/** Drops attempts older than the window and ended throttles at `clockMs`; returns the same objects when nothing changes. */
export function forgetStale(
  attempts: AttemptLog,
  throttles: ThrottleLog,
  clockMs: number,
): { attempts: AttemptLog; throttles: ThrottleLog } {
  const since = clockMs - PAIRING_POLICY.attemptWindowMs;
  const pruneAttempts = (m: ReadonlyMap<string, readonly number[]>): ReadonlyMap<string, readonly number[]> => {
    if (![...m.values()].some((times) => times.some((t) => t <= since))) return m;
    const next = new Map<string, readonly number[]>();
    for (const [key, times] of m) {
      const kept = times.filter((t) => t > since);
      if (kept.length > 0) next.set(key, kept);
    }
    return next;
  };
  const pruneThrottles = (m: ReadonlyMap<string, number>): ReadonlyMap<string, number> => {
    if (![...m.values()].some((until) => until <= clockMs)) return m;
    return new Map([...m].filter(([, until]) => until > clockMs));
  };
  const a = { actor: pruneAttempts(attempts.actor), conversation: pruneAttempts(attempts.conversation) };
  const t = { actor: pruneThrottles(throttles.actor), conversation: pruneThrottles(throttles.conversation) };
  return {
    attempts: a.actor === attempts.actor && a.conversation === attempts.conversation ? attempts : a,
    throttles: t.actor === throttles.actor && t.conversation === throttles.conversation ? throttles : t,
  };
}
