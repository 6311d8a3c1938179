/**
 * AccessState as plain JSON data and back, for snapshots. Maps become entry lists in their insertion order, so the
 * decoded state is the one that was encoded (order included: eviction and listings depend on it).
 *
 * Bump ACCESS_STATE_CODEC_VERSION whenever AccessState, this encoding or what `evolve` builds from an event changes:
 * a snapshot of another version is then ignored and the state is folded from the log again.
 */
import type { Actor, Space } from '@twokey/contracts';
import type { AccessState, ObservationRecord, ThrottleScope, TokenRecord } from './state';

export const ACCESS_STATE_CODEC_VERSION = 1;

export interface EncodedAccessState {
  connection: string;
  users: [string, Actor][];
  spaces: [string, Space][];
  tokens: TokenRecord[];
  observations: ObservationRecord[];
  failedAttempts: Record<ThrottleScope, [string, number[]][]>;
  throttledUntil: Record<ThrottleScope, [string, number][]>;
  clockMs: number;
}

export function encodeAccessState(s: AccessState): EncodedAccessState {
  return {
    connection: s.connection,
    users: [...s.users],
    spaces: [...s.spaces],
    tokens: [...s.tokens.values()],
    observations: [...s.observations.values()],
    failedAttempts: {
      actor: [...s.failedAttempts.actor].map(([k, v]) => [k, [...v]]),
      conversation: [...s.failedAttempts.conversation].map(([k, v]) => [k, [...v]]),
    },
    throttledUntil: { actor: [...s.throttledUntil.actor], conversation: [...s.throttledUntil.conversation] },
    clockMs: s.clockMs,
  };
}

/** The state `e` encodes. Throws (TypeError) on data that is not an encoded state; callers then fold from the log. */
export function decodeAccessState(e: EncodedAccessState): AccessState {
  if (typeof e.connection !== 'string' || typeof e.clockMs !== 'number') throw new TypeError('not an encoded AccessState');
  return {
    connection: e.connection,
    users: new Map(e.users),
    spaces: new Map(e.spaces),
    tokens: new Map(e.tokens.map((t) => [t.tokenId, t])),
    observations: new Map(e.observations.map((o) => [o.observationId, o])),
    failedAttempts: { actor: new Map(e.failedAttempts.actor), conversation: new Map(e.failedAttempts.conversation) },
    throttledUntil: { actor: new Map(e.throttledUntil.actor), conversation: new Map(e.throttledUntil.conversation) },
    clockMs: e.clockMs,
  };
}
