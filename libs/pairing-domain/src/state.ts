/**
 * The AccessPolicy aggregate of one connection (§4): tokens, observations, both allowlists and the brute-force
 * counters. Immutable: `evolve` returns a new state. Times are epoch milliseconds. Maps (not plain objects) are
 * used because keys are platform ids chosen by strangers (`__proto__` must be just another id).
 */
import type { Actor, Conversation, Space, TokenPurpose } from '@twokey/contracts';

export type TokenStatus = 'live' | 'observed' | 'expired' | 'revoked';

export interface TokenRecord {
  readonly tokenId: string;
  readonly purpose: TokenPurpose;
  readonly codeHmac: string;
  readonly expiresAtMs: number;
  readonly status: TokenStatus;
}

export type ObservationStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export interface ObservationRecord {
  readonly observationId: string;
  readonly tokenId: string;
  readonly purpose: TokenPurpose;
  readonly actor: Actor;
  readonly conversation: Conversation;
  readonly space?: Space;
  readonly platformMessageId: string;
  readonly expiresAtMs: number;
  readonly status: ObservationStatus;
}

export type ThrottleScope = 'actor' | 'conversation';

/** Per scope: key (actor id or conversation id) → times of failed code-shaped attempts, oldest first. */
export type AttemptLog = Readonly<Record<ThrottleScope, ReadonlyMap<string, readonly number[]>>>;
/** Per scope: key → end of the throttle. */
export type ThrottleLog = Readonly<Record<ThrottleScope, ReadonlyMap<string, number>>>;

export interface AccessState {
  readonly connection: string;
  /** User allowlist: actor id → the actor as approved (display name is a hint only, rule 9). */
  readonly users: ReadonlyMap<string, Actor>;
  /** Space allowlist: space id → space. */
  readonly spaces: ReadonlyMap<string, Space>;
  readonly tokens: ReadonlyMap<string, TokenRecord>;
  readonly observations: ReadonlyMap<string, ObservationRecord>;
  readonly failedAttempts: AttemptLog;
  readonly throttledUntil: ThrottleLog;
  /**
   * The latest time the events have shown (0 before any). Only used to forget what can no longer matter
   * (stale attempts, long-dead tokens, old decided observations); decisions always use the command's `now`.
   */
  readonly clockMs: number;
}

export function initialState(connection: string): AccessState {
  return {
    connection,
    users: new Map(),
    spaces: new Map(),
    tokens: new Map(),
    observations: new Map(),
    failedAttempts: { actor: new Map(), conversation: new Map() },
    throttledUntil: { actor: new Map(), conversation: new Map() },
    clockMs: 0,
  };
}

/** A token that can still be observed at `nowMs`: not consumed, revoked or expired (by event or by the clock). */
export function isLive(token: TokenRecord, nowMs: number): boolean {
  return token.status === 'live' && token.expiresAtMs > nowMs;
}

export function liveTokens(state: AccessState, nowMs: number): TokenRecord[] {
  return [...state.tokens.values()].filter((t) => isLive(t, nowMs));
}

/** Tokens whose code is still recognized: live ones and dead ones within `deadTokenMemoryMs` of their expiry. */
export function recognizedTokens(state: AccessState, nowMs: number, deadTokenMemoryMs: number): TokenRecord[] {
  return [...state.tokens.values()].filter((t) => isLive(t, nowMs) || t.expiresAtMs + deadTokenMemoryMs > nowMs);
}

/** An observation awaiting the admin at `nowMs`. */
export function isPending(observation: ObservationRecord, nowMs: number): boolean {
  return observation.status === 'pending' && observation.expiresAtMs > nowMs;
}

/**
 * When `ExpireDue` next has something to do: the earliest expiry of a live token or a pending observation.
 * The service can arm its timer with it instead of polling.
 */
export function nextExpiryAt(state: AccessState): Date | undefined {
  let next: number | undefined;
  const consider = (ms: number) => {
    if (next === undefined || ms < next) next = ms;
  };
  for (const t of state.tokens.values()) if (t.status === 'live') consider(t.expiresAtMs);
  for (const o of state.observations.values()) if (o.status === 'pending') consider(o.expiresAtMs);
  return next === undefined ? undefined : new Date(next);
}

export function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  return new Map(map).set(key, value);
}

export function withoutEntry<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}
