import { z } from 'zod';
import { Actor, Conversation, Initiator, IsoDateTime, PlatformId, Space } from './identifiers';

export const TokenPurpose = z.enum(['user', 'space']);
export type TokenPurpose = z.infer<typeof TokenPurpose>;

export const DENIAL_REASONS = [
  'user-not-allowlisted',
  'space-not-allowlisted',
  'pairing-code-invalid',
  'pairing-code-expired',
  /** A code that was valid but has already been consumed (observed) by someone. */
  'pairing-code-used',
  'pairing-throttled',
  'space-pairing-not-authorized',
  'pairing-code-exposed',
] as const;
export const DenialReason = z.enum(DENIAL_REASONS);
export type DenialReason = z.infer<typeof DenialReason>;

export const ApprovalHow = z.enum(['pairing', 'manual']);
export type ApprovalHow = z.infer<typeof ApprovalHow>;

const Id = z.string().min(1).max(64);
/** HMAC-SHA256 of the normalized code, hex. The code itself never enters an event. */
const CodeHmac = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex HMAC-SHA256');

export const PairingTokenIssued = z.object({
  tokenId: Id,
  purpose: TokenPurpose,
  codeHmac: CodeHmac,
  expiresAt: IsoDateTime,
});
export const TokenObserved = z.object({
  tokenId: Id,
  observationId: Id,
  purpose: TokenPurpose,
  actor: Actor,
  conversation: Conversation,
  space: Space.optional(),
  platformMessageId: PlatformId,
  /** An observation not approved or rejected by then expires. */
  expiresAt: IsoDateTime,
});
export const ObservationRejected = z.object({ observationId: Id, tokenId: Id });
export const ObservationExpired = z.object({ observationId: Id, tokenId: Id });
export const TokenExpired = z.object({ tokenId: Id });
export const TokenRevoked = z.object({
  tokenId: Id,
  /**
   * Set when the pairing-service burned a live code because it was posted where it cannot be used (a user code in a
   * group, a space code in a DM): who posted it and where. Absent on an admin's revocation and on older events.
   */
  exposedIn: z.object({ actor: Actor, conversation: Conversation, space: Space.optional() }).optional(),
});
export const UserApproved = z.object({
  user: Actor,
  how: ApprovalHow,
  observationId: Id.optional(),
});
export const UserRemoved = z.object({ userId: PlatformId });
export const SpaceApproved = z.object({
  space: Space,
  how: ApprovalHow,
  observationId: Id.optional(),
  /** The allowlisted user who posted the space code (pairing only). */
  pairedBy: Actor.optional(),
});
export const SpaceRemoved = z.object({ spaceId: PlatformId });
export const MessageDenied = z.object({
  reason: DenialReason,
  actor: Actor,
  conversation: Conversation,
  space: Space.optional(),
  /** How many denied messages this event stands for (coalescing window). */
  count: z.number().int().positive(),
  firstSeenAt: IsoDateTime,
  lastSeenAt: IsoDateTime,
  /** JetStream sequences (TWOKEY_INBOUND) counted here, so a redelivery after a crash is not counted twice. */
  inboundSequences: z.array(z.number().int().nonnegative()).max(10_000).optional(),
});
export const PairingThrottled = z.object({
  actorId: PlatformId,
  conversationId: PlatformId,
  scope: z.enum(['actor', 'conversation']),
  attempts: z.number().int().positive(),
  until: IsoDateTime,
});

/** Event type name → data schema. The names are part of the public contract. */
export const EVENT_DATA_SCHEMAS = {
  PairingTokenIssued,
  TokenObserved,
  ObservationRejected,
  ObservationExpired,
  TokenExpired,
  TokenRevoked,
  UserApproved,
  UserRemoved,
  SpaceApproved,
  SpaceRemoved,
  MessageDenied,
  PairingThrottled,
} as const;

export type EventType = keyof typeof EVENT_DATA_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as EventType[];
export const CURRENT_SCHEMA_VERSION = 1;

export type EventDataOf<T extends EventType> = z.infer<(typeof EVENT_DATA_SCHEMAS)[T]>;

/** A domain event before it is stored: what `decide` returns. */
export type DomainEvent = { [T in EventType]: { type: T; data: EventDataOf<T> } }[EventType];
export type DomainEventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

export const DomainEventSchema = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((type) => z.object({ type: z.literal(type), data: EVENT_DATA_SCHEMAS[type] })) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<EventType>; data: z.ZodTypeAny }>,
    ...z.ZodObject<{ type: z.ZodLiteral<EventType>; data: z.ZodTypeAny }>[],
  ],
);

/** Metadata the store adds around each event. */
export const EventEnvelopeMeta = z.object({
  eventId: z.string().uuid(),
  schemaVersion: z.number().int().positive(),
  stream: z.string().min(1).max(200),
  streamVersion: z.number().int().positive(),
  /** Global position: the JetStream sequence of the commit that holds the event. */
  position: z.number().int().positive(),
  occurredAt: IsoDateTime,
  correlationId: z.string().min(1).max(200),
  causationId: z.string().min(1).max(200),
  actor: Initiator,
});
export type EventEnvelopeMeta = z.infer<typeof EventEnvelopeMeta>;

/** A stored event as read back from the store. */
export type StoredEvent<E extends DomainEvent = DomainEvent> = E & EventEnvelopeMeta;

/** Stream names of the two aggregates per connection (§4). */
export const accessStream = (connection: string) => `access-${connection}`;
export const activityStream = (connection: string) => `activity-${connection}`;
