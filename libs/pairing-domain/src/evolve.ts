/**
 * evolve: fold one event into the state. Accepts a bare DomainEvent (what `decide` returned) or a StoredEvent.
 *
 * Time: expiries, attempt times and throttle ends come from the event data, which carries the decider's clock
 * (`now` of the command that produced it), so replay gives the same state whatever the store's timestamps.
 * `occurredAt`, when present, only advances `clockMs`, the clock used to forget what can no longer matter.
 */
import type { DomainEvent } from '@twokey/contracts';
import { assertNever } from './decision';
import { PAIRING_POLICY } from './policy';
import type { AccessState, ObservationRecord, ObservationStatus, TokenRecord } from './state';
import { initialState, withEntry, withoutEntry } from './state';
import { forgetStale, recordAttempts, recordThrottle } from './throttle';

export type EvolvableEvent = DomainEvent & { occurredAt?: string };

interface MapOps {
  put<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V>;
  remove<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V>;
}

const COPY: MapOps = { put: withEntry, remove: withoutEntry };
const IN_PLACE: MapOps = {
  put: (map, key, value) => (map as Map<typeof key, typeof value>).set(key, value),
  remove: (map, key) => {
    (map as Map<typeof key, unknown>).delete(key);
    return map;
  },
};

/** Denial reasons that are failed code-shaped attempts and so feed the brute-force counters. */
const ATTEMPT_REASONS = new Set(['pairing-code-invalid', 'pairing-code-expired', 'pairing-code-used']);

export function evolve(state: AccessState, event: EvolvableEvent): AccessState {
  return evolveWith(state, event, COPY);
}

/**
 * `evolve` for a caller that alone holds `state` and keeps only the returned one (the service's per-connection
 * registry, `rehydrate`): the maps it changes are updated in place instead of copied, so folding N allowlist
 * events costs O(N), not O(N²). Copying made 100,000 allowlisted users take minutes to rehydrate (bench 6 in
 * bench/README.md). Never pass a state someone else may still read as it was.
 */
export function evolveInPlace(state: AccessState, event: EvolvableEvent): AccessState {
  return evolveWith(state, event, IN_PLACE);
}

function evolveWith(state: AccessState, event: EvolvableEvent, ops: MapOps): AccessState {
  const applied = apply(state, event, ops);
  const seenMs = eventTimeMs(event);
  return seenMs !== undefined && seenMs > applied.clockMs ? forget({ ...applied, clockMs: seenMs }) : applied;
}

export function rehydrate(connection: string, events: Iterable<EvolvableEvent>): AccessState {
  // The state is created here and handed out only at the end: nobody else can see it change.
  let state = initialState(connection);
  for (const event of events) state = evolveInPlace(state, event);
  return state;
}

function apply(state: AccessState, event: DomainEvent, ops: MapOps): AccessState {
  switch (event.type) {
    case 'PairingTokenIssued': {
      const { tokenId, purpose, codeHmac, expiresAt } = event.data;
      const token: TokenRecord = { tokenId, purpose, codeHmac, expiresAtMs: Date.parse(expiresAt), status: 'live' };
      return { ...state, tokens: ops.put(state.tokens, tokenId, token) };
    }
    case 'TokenObserved': {
      const d = event.data;
      const observation: ObservationRecord = {
        observationId: d.observationId,
        tokenId: d.tokenId,
        purpose: d.purpose,
        actor: d.actor,
        conversation: d.conversation,
        ...(d.space ? { space: d.space } : {}),
        platformMessageId: d.platformMessageId,
        expiresAtMs: Date.parse(d.expiresAt),
        status: 'pending',
      };
      const withToken = setTokenStatus(state, d.tokenId, 'observed', ops);
      return { ...withToken, observations: ops.put(state.observations, d.observationId, observation) };
    }
    case 'ObservationRejected':
      return setObservationStatus(state, event.data.observationId, 'rejected', ops);
    case 'ObservationExpired':
      return setObservationStatus(state, event.data.observationId, 'expired', ops);
    case 'TokenExpired':
      return setTokenStatus(state, event.data.tokenId, 'expired', ops);
    case 'TokenRevoked':
      return setTokenStatus(state, event.data.tokenId, 'revoked', ops);
    case 'UserApproved': {
      const { user, observationId } = event.data;
      const next = { ...state, users: ops.put(state.users, user.id, user) };
      return observationId ? setObservationStatus(next, observationId, 'approved', ops) : next;
    }
    case 'UserRemoved':
      return { ...state, users: ops.remove(state.users, event.data.userId) };
    case 'SpaceApproved': {
      const { space, observationId } = event.data;
      const next = { ...state, spaces: ops.put(state.spaces, space.id, space) };
      return observationId ? setObservationStatus(next, observationId, 'approved', ops) : next;
    }
    case 'SpaceRemoved':
      return { ...state, spaces: ops.remove(state.spaces, event.data.spaceId) };
    case 'MessageDenied': {
      const d = event.data;
      if (!ATTEMPT_REASONS.has(d.reason)) return state;
      const keys = { actor: d.actor.id, conversation: d.conversation.id };
      return { ...state, failedAttempts: recordAttempts(state.failedAttempts, keys, Date.parse(d.lastSeenAt), d.count) };
    }
    case 'PairingThrottled': {
      const d = event.data;
      const key = d.scope === 'actor' ? d.actorId : d.conversationId;
      return { ...state, throttledUntil: recordThrottle(state.throttledUntil, d.scope, key, Date.parse(d.until)) };
    }
    default:
      return assertNever(event);
  }
}

function setTokenStatus(state: AccessState, tokenId: string, status: TokenRecord['status'], ops: MapOps): AccessState {
  const token = state.tokens.get(tokenId);
  // Only a live token changes state: a late TokenExpired must not turn a consumed token back into "expired".
  if (!token || token.status !== 'live') return state;
  return { ...state, tokens: ops.put(state.tokens, tokenId, { ...token, status }) };
}

function setObservationStatus(state: AccessState, observationId: string, status: ObservationStatus, ops: MapOps): AccessState {
  const observation = state.observations.get(observationId);
  if (!observation || observation.status !== 'pending') return state;
  return { ...state, observations: ops.put(state.observations, observationId, { ...observation, status }) };
}

/** The time an event shows, for the forgetting clock only. */
function eventTimeMs(event: EvolvableEvent): number | undefined {
  if (event.occurredAt !== undefined) return Date.parse(event.occurredAt);
  if (event.type === 'MessageDenied') return Date.parse(event.data.lastSeenAt);
  if (event.type === 'TokenObserved') return Date.parse(event.data.expiresAt) - PAIRING_POLICY.observationTtlMs;
  return undefined;
}

/** Drops what no decision at or after `clockMs` can depend on, so the state stays small forever. */
function forget(state: AccessState): AccessState {
  const c = state.clockMs;
  const { attempts, throttles } = forgetStale(state.failedAttempts, state.throttledUntil, c);
  const deadTokenGone = (t: TokenRecord) => t.status !== 'live' && t.expiresAtMs + PAIRING_POLICY.deadTokenMemoryMs <= c;
  const decidedGone = (o: ObservationRecord) =>
    o.status !== 'pending' && o.expiresAtMs + PAIRING_POLICY.decidedObservationMemoryMs <= c;
  const tokens = [...state.tokens.values()].some(deadTokenGone)
    ? new Map([...state.tokens].filter(([, t]) => !deadTokenGone(t)))
    : state.tokens;
  const observations = [...state.observations.values()].some(decidedGone)
    ? new Map([...state.observations].filter(([, o]) => !decidedGone(o)))
    : state.observations;
  return { ...state, tokens, observations, failedAttempts: attempts, throttledUntil: throttles };
}
