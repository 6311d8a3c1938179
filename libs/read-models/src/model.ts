import type { Actor, ApprovalHow, Conversation, DenialReason, Space, SpaceKind, TokenPurpose } from '@twokey/contracts';

/**
 * Read-model records. The projector never mutates a record it has handed out: a change replaces the record, so a
 * reader may keep a reference (or a whole list) without copying and without seeing it change under its feet.
 */
export interface AuthorizedUser {
  readonly id: string;
  readonly displayName: string;
  readonly username?: string;
  readonly approvedAt: string;
  /** Id of whoever caused the approval (the admin, from the event envelope). */
  readonly approvedBy: string;
  readonly how: ApprovalHow;
  readonly observationId?: string;
}

export interface AuthorizedSpace {
  readonly id: string;
  readonly kind: SpaceKind;
  readonly title?: string;
  /** The allowlisted user who posted the space code (pairing only). */
  readonly pairedBy?: Actor;
  readonly approvedAt: string;
  readonly approvedBy: string;
  readonly how: ApprovalHow;
  readonly observationId?: string;
}

/** A token that can still be observed. Its code is never known here (events hold only an HMAC). */
export interface ActiveToken {
  readonly tokenId: string;
  readonly purpose: TokenPurpose;
  readonly expiresAt: string;
  readonly issuedAt: string;
  readonly issuedBy: string;
}

export interface PendingObservation {
  readonly observationId: string;
  readonly tokenId: string;
  readonly purpose: TokenPurpose;
  readonly actor: Actor;
  readonly conversation: Conversation;
  readonly space?: Space;
  readonly observedAt: string;
  readonly expiresAt: string;
}

/** Activity → Attention: denials of one (actor, conversation, thread, reason) on one connection. */
export interface DenialGroup {
  /** Stable id of the group within its connection (also the cursor tie-breaker). */
  readonly key: string;
  readonly connection: string;
  readonly actorId: string;
  readonly displayName: string;
  readonly username: string | undefined;
  readonly conversationId: string;
  readonly conversationKind: Conversation['kind'];
  readonly threadId: string | undefined;
  readonly spaceId: string | undefined;
  readonly spaceKind: SpaceKind | undefined;
  /** The space's title as the gateway last resolved it (a hint, like the display name). */
  readonly spaceTitle: string | undefined;
  readonly reason: DenialReason;
  /** Denied messages, the sum of MessageDenied.count. */
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** firstSeen / lastSeen as epoch milliseconds, for ordering. */
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

/** The mutable per-connection state, owned by the projector. Readers use the query functions. */
export interface ConnectionState {
  readonly id: string;
  readonly users: Map<string, AuthorizedUser>;
  readonly spaces: Map<string, AuthorizedSpace>;
  readonly tokens: Map<string, ActiveToken>;
  readonly observations: Map<string, PendingObservation>;
  /** Insertion order = least recently updated first, so eviction takes the first key. */
  readonly attention: Map<string, DenialGroup>;
  /** Total denied messages ever counted (evicted groups included). */
  deniedMessages: number;
  throttles: number;
  evictedGroups: number;
  events: number;
  lastPosition: number;
  lastEventAt?: string;
  /** Bumped on every attention change; lets readers cache the sorted list. */
  attentionVersion: number;
}

export interface ReadModelOptions {
  /** Bounded retention of Activity → Attention, per connection: beyond it the oldest group is evicted. */
  maxAttentionGroups: number;
}

export const DEFAULT_READ_MODEL_OPTIONS: ReadModelOptions = { maxAttentionGroups: 10_000 };

export interface ReadModels {
  readonly options: ReadModelOptions;
  /** Position of the last projected event (0 = nothing yet). */
  position: number;
  /** Events projected. */
  events: number;
  readonly connections: Map<string, ConnectionState>;
}

export function initialReadModels(options: Partial<ReadModelOptions> = {}): ReadModels {
  return { options: { ...DEFAULT_READ_MODEL_OPTIONS, ...options }, position: 0, events: 0, connections: new Map() };
}

export function newConnectionState(id: string): ConnectionState {
  return {
    id,
    users: new Map(),
    spaces: new Map(),
    tokens: new Map(),
    observations: new Map(),
    attention: new Map(),
    deniedMessages: 0,
    throttles: 0,
    evictedGroups: 0,
    events: 0,
    lastPosition: 0,
    attentionVersion: 0,
  };
}
