/**
 * The public shape of the pairing Decider (§5). Everything here is pure: the clock arrives in each command
 * (`now`), randomness and the HMAC key arrive through `DomainDeps`, so tests are deterministic and the lib
 * imports nothing with I/O.
 */
import type {
  Actor,
  DenialReason,
  DomainEvent,
  EventType,
  InboundMessage,
  Space,
  TokenPurpose,
} from '@twokey/contracts';

export interface DomainDeps {
  /** HMAC-SHA256 (deployment secret) of a normalized code, lowercase hex. */
  hmac(normalizedCode: string): string;
  /** Constant-time equality of two hex strings of equal length. */
  equalHex(a: string, b: string): boolean;
  /** A fresh 8-symbol Crockford base32 code (uppercase, unformatted). */
  newCode(): string;
  /** A fresh unique id (UUIDv7 in production) for tokens and observations. */
  newId(): string;
}

export type Command =
  | { type: 'IssuePairingToken'; purpose: TokenPurpose; ttlSeconds?: number; now: Date }
  | { type: 'RevokeToken'; tokenId: string; now: Date }
  /** `inboundSequence` is the message's TWOKEY_INBOUND sequence, carried into MessageDenied for idempotence. */
  | { type: 'ObserveMessage'; message: InboundMessage; inboundSequence?: number; now: Date }
  | { type: 'ApproveObservation'; observationId: string; now: Date }
  | { type: 'RejectObservation'; observationId: string; now: Date }
  | { type: 'AddUser'; user: { id: string; displayName?: string; username?: string }; now: Date }
  | { type: 'RemoveUser'; userId: string; now: Date }
  | { type: 'AddSpace'; space: Space; now: Date }
  | { type: 'RemoveSpace'; spaceId: string; now: Date }
  /** Timer tick: expire tokens and observations that are due. */
  | { type: 'ExpireDue'; now: Date };

export type CommandType = Command['type'];

/** Aligned with the RPC error codes so the service passes them through unchanged. */
export interface DomainError {
  code: 'invalid' | 'not-found' | 'conflict' | 'expired';
  message: string;
  field?: string;
}

/** A denial the service hands to the coalescer (rule 7) instead of appending one event per message. */
export interface Denial {
  reason: DenialReason;
  actor: Actor;
  conversation: InboundMessage['conversation'];
  space?: InboundMessage['space'];
  at: Date;
  inboundSequence?: number;
}

export type Outcome =
  | { kind: 'admitted' }
  /** A code matched: TokenObserved is among the events. */
  | { kind: 'observed'; observationId: string }
  /**
   * Denied. `coalesce` is set for denials that go through the coalescer (no event yet); code-shaped failures
   * and throttling come back as events (they feed the brute-force counters and must be durable at once).
   */
  | { kind: 'denied'; reason: DenialReason; coalesce?: Denial }
  | { kind: 'token-issued'; tokenId: string; code: string; expiresAt: Date }
  | { kind: 'done' };

export type Decision = { ok: true; events: DomainEvent[]; outcome: Outcome } | { ok: false; error: DomainError };

/** Which aggregate stream an event belongs to: `access` (optimistic concurrency) or `activity` (append-only). */
export type EventStreamKind = 'access' | 'activity';
export const ACTIVITY_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>(['MessageDenied', 'PairingThrottled']);
export const streamKindOf = (type: EventType): EventStreamKind => (ACTIVITY_EVENT_TYPES.has(type) ? 'activity' : 'access');
