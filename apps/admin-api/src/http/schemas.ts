import { z } from 'zod';
import {
  Actor,
  AgentStatus,
  ApprovalHow,
  BotIdentity,
  ConnectionTestResult as GatewayConnectionTestResult,
  Conversation,
  DenialReason,
  DisplayName,
  IsoDateTime,
  MAX_TOKEN_TTL_SECONDS,
  MIN_TOKEN_TTL_SECONDS,
  Platform,
  PlatformId,
  Space,
  SpaceKind,
  TokenPurpose,
} from '@twokey/contracts';

/**
 * The REST contract, one zod schema each: runtime validation of requests and the OpenAPI document are both
 * derived from these (see openapi.ts). Unknown body fields are ignored.
 */

// ---- requests ----
export const IssueTokenBody = z.object({
  purpose: TokenPurpose,
  ttlSeconds: z.number().int().min(MIN_TOKEN_TTL_SECONDS).max(MAX_TOKEN_TTL_SECONDS).optional(),
});
export const AddUserBody = z.object({ id: PlatformId, displayName: DisplayName.optional(), username: DisplayName.optional() });
export const AddSpaceBody = z.object({ id: PlatformId, kind: SpaceKind, title: DisplayName.optional() });
export const LoginBody = z.object({ token: z.string().min(1).max(1024) });
export const ActivityQuery = z.object({
  connection: z.string().max(63).optional(),
  section: z.enum(['attention']).default('attention'),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const EventsQuery = z.object({
  /** Inclusive: events at this position and later (0 = the whole log). */
  fromPosition: z.coerce.number().int().min(0).default(0),
});

// ---- responses ----
const Counts = z.object({
  users: z.number().int(),
  spaces: z.number().int(),
  activeTokens: z.number().int(),
  pendingObservations: z.number().int(),
  attentionGroups: z.number().int(),
  deniedMessages: z.number().int(),
  throttles: z.number().int(),
  events: z.number().int(),
});
/** §6's reply `{ ok, bot: { id, name }, latencyMs, error? }`; `bot` is null when the test failed. */
export const ConnectionTestResult = GatewayConnectionTestResult.extend({
  bot: BotIdentity.nullable().meta({ description: 'The bot the credentials belong to; null when the test failed' }),
});
export const LastConnectionTestView = ConnectionTestResult.extend({ at: IsoDateTime });
export const GatewayView = z.object({
  adapterStarted: z.boolean().meta({ description: 'The gateway is receiving from its platform' }),
  since: IsoDateTime.meta({ description: 'When adapterStarted took its current value' }),
  lastInboundAt: IsoDateTime.nullable().meta({ description: 'When the platform last delivered anything to the gateway; null since its start' }),
  receiving: z.boolean().optional().meta({ description: 'Receiving from the platform right now' }),
  reason: z.string().optional().meta({ description: 'Why not, while receiving is false (no secrets)' }),
  halted: z.boolean().optional().meta({ description: 'Retrying stopped (rejected credentials, Discord 4014 …): fix the cause, then Reconnect' }),
});
export const ReconnectResultSchema = z.object({
  ok: z.boolean().meta({ description: 'The gateway receives from its platform again' }),
  gateway: GatewayView.nullable().meta({ description: 'Its status after the first new attempt; null when no gateway answered' }),
  error: z.string().optional(),
});
export const ConnectionViewSchema = z.object({
  id: z.string(),
  platform: Platform.nullable(),
  configured: z.boolean(),
  connected: z.boolean().meta({ description: 'The gateway answers its status now (asked at most every few seconds) and its adapter is started' }),
  gateway: GatewayView.nullable().meta({ description: 'The gateway\'s own status; null when none answered (not running, or not configured)' }),
  lastConnectionTest: LastConnectionTestView.nullable().meta({ description: 'The last connection test run through this replica since it started' }),
  counts: Counts,
  lastEventAt: IsoDateTime.nullable(),
});
export const ConnectionList = z.object({ items: z.array(ConnectionViewSchema) });

export const IssuedToken = z.object({
  tokenId: z.string(),
  code: z.string().meta({ description: 'The one-time code; shown only in this answer, never stored or logged' }),
  expiresAt: IsoDateTime,
  position: z.number().int().meta({ description: 'The event position the command produced (also in X-Twokey-Position)' }),
});
export const ActiveTokenView = z.object({
  tokenId: z.string(),
  purpose: TokenPurpose,
  expiresAt: IsoDateTime,
  issuedAt: IsoDateTime,
  issuedBy: z.string(),
  secondsLeft: z.number().int(),
});
export const ObservationView = z.object({
  observationId: z.string(),
  tokenId: z.string(),
  purpose: TokenPurpose,
  actor: Actor,
  conversation: Conversation,
  space: Space.optional(),
  observedAt: IsoDateTime,
  expiresAt: IsoDateTime,
  secondsLeft: z.number().int(),
});
export const PairingView = z.object({
  connection: z.string(),
  tokens: z.array(ActiveTokenView),
  observations: z.array(ObservationView),
});
export const ObservationDecision = z.object({
  observationId: z.string(),
  approved: z.enum(['user', 'space']).optional(),
  subjectId: z.string().optional(),
  position: z.number().int(),
});

export const UserView = z.object({
  id: z.string(),
  displayName: z.string(),
  username: z.string().optional(),
  approvedAt: IsoDateTime,
  approvedBy: z.string(),
  how: ApprovalHow,
  observationId: z.string().optional(),
});
export const SpaceView = z.object({
  id: z.string(),
  kind: SpaceKind,
  title: z.string().optional(),
  pairedBy: Actor.optional(),
  approvedAt: IsoDateTime,
  approvedBy: z.string(),
  how: ApprovalHow,
  observationId: z.string().optional(),
});
export const UserList = z.object({ items: z.array(UserView) });
export const SpaceList = z.object({ items: z.array(SpaceView) });
export const UserChanged = z.object({ userId: z.string(), position: z.number().int(), user: UserView.optional() });
export const SpaceChanged = z.object({ spaceId: z.string(), position: z.number().int(), space: SpaceView.optional() });

export const AttentionItemView = z.object({
  id: z.string(),
  connection: z.string(),
  actorId: z.string(),
  displayName: z.string(),
  username: z.string().optional(),
  conversationId: z.string(),
  conversationKind: Conversation.shape.kind,
  threadId: z.string().optional(),
  spaceId: z.string().optional(),
  spaceKind: SpaceKind.optional(),
  spaceTitle: z.string().optional().meta({ description: 'The space\'s title as its gateway resolved it (a hint)' }),
  reason: DenialReason,
  count: z.number().int(),
  firstSeen: IsoDateTime,
  lastSeen: IsoDateTime,
});
export const AttentionPageView = z.object({ items: z.array(AttentionItemView), nextCursor: z.string().nullable() });

export const SessionView = z.object({
  admin: z.object({ id: z.string() }),
  via: z.enum(['bearer', 'session']),
  csrfToken: z.string().nullable(),
  expiresAt: IsoDateTime.nullable(),
});

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  field: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
});

export { PlatformId };

export const AgentView = z
  .object({
    running: z.boolean().meta({ description: 'An agent bridge answered its status now' }),
    status: AgentStatus.nullable().meta({ description: "The bridge's own status; null when none answered" }),
  })
  .meta({ id: 'AgentView' });
