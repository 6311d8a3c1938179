import { z } from 'zod';
import { Actor, ConnectionId, DisplayName, Initiator, IsoDateTime, Platform, PlatformId, Space } from './identifiers';
import { TokenPurpose } from './events';
import { CapabilityProfile } from './capability-profile';

export const MIN_TOKEN_TTL_SECONDS = 60;
export const MAX_TOKEN_TTL_SECONDS = 30 * 60;
export const DEFAULT_TOKEN_TTL_SECONDS = 5 * 60;

/** Fields every admin command carries: who asks, and the id that ties the resulting events together. */
const CommandBase = z.object({
  connection: ConnectionId,
  initiator: Initiator,
  correlationId: z.string().min(1).max(200),
});

const Id = z.string().min(1).max(64);

/** Verb (the last subject token of `twokey.rpc.pairing.<verb>`) → request schema. */
export const PAIRING_RPC_REQUESTS = {
  'issue-token': CommandBase.extend({
    purpose: TokenPurpose,
    ttlSeconds: z.number().int().min(MIN_TOKEN_TTL_SECONDS).max(MAX_TOKEN_TTL_SECONDS).optional(),
  }),
  'revoke-token': CommandBase.extend({ tokenId: Id }),
  'approve-observation': CommandBase.extend({ observationId: Id }),
  'reject-observation': CommandBase.extend({ observationId: Id }),
  'add-user': CommandBase.extend({
    user: Actor.extend({ displayName: Actor.shape.displayName.optional() }),
  }),
  'remove-user': CommandBase.extend({ userId: PlatformId }),
  'add-space': CommandBase.extend({ space: Space }),
  'remove-space': CommandBase.extend({ spaceId: PlatformId }),
} as const;

export type PairingVerb = keyof typeof PAIRING_RPC_REQUESTS;
export const PAIRING_VERBS = Object.keys(PAIRING_RPC_REQUESTS) as PairingVerb[];
export type PairingRequest<V extends PairingVerb> = z.infer<(typeof PAIRING_RPC_REQUESTS)[V]>;

/** Verb → the `result` of a successful reply. */
export const PAIRING_RPC_RESULTS = {
  'issue-token': z.object({ tokenId: Id, code: z.string(), expiresAt: IsoDateTime }),
  'revoke-token': z.object({ tokenId: Id }),
  'approve-observation': z.object({ observationId: Id, approved: z.enum(['user', 'space']), subjectId: PlatformId }),
  'reject-observation': z.object({ observationId: Id }),
  'add-user': z.object({ userId: PlatformId }),
  'remove-user': z.object({ userId: PlatformId }),
  'add-space': z.object({ spaceId: PlatformId }),
  'remove-space': z.object({ spaceId: PlatformId }),
} as const satisfies Record<PairingVerb, z.ZodTypeAny>;
export type PairingResult<V extends PairingVerb> = z.infer<(typeof PAIRING_RPC_RESULTS)[V]>;

/** Stable error codes; admin-api maps them to HTTP (invalid→400, not-found→404, conflict/expired→409). */
export const RPC_ERROR_CODES = ['invalid', 'not-found', 'conflict', 'expired', 'unavailable', 'internal'] as const;
export const RpcErrorCode = z.enum(RPC_ERROR_CODES);
export type RpcErrorCode = z.infer<typeof RpcErrorCode>;

export const RpcError = z.object({
  code: RpcErrorCode,
  message: z.string(),
  /** The offending field (dot path) for `invalid`. */
  field: z.string().optional(),
});
export type RpcError = z.infer<typeof RpcError>;

/** Every pairing reply: `position` is the global event position the command produced (or saw). */
export type PairingReply<V extends PairingVerb> =
  | { ok: true; position: number; result: PairingResult<V> }
  | { ok: false; error: RpcError };

export const PairingReplySchema = <V extends PairingVerb>(verb: V) =>
  z.union([
    z.object({ ok: z.literal(true), position: z.number().int().nonnegative(), result: PAIRING_RPC_RESULTS[verb] }),
    z.object({ ok: z.literal(false), error: RpcError }),
  ]);

/**
 * How long a gateway gives the platform to answer a connection test. Whoever asks a gateway must wait clearly
 * longer, so a slow platform comes back as the gateway's `{ ok: false, error }` rather than as a silent gateway.
 */
export const GATEWAY_CONNECTION_TEST_TIMEOUT_MS = 8_000;

/** `twokey.rpc.gateway.<connection>.connection-test` */
export const ConnectionTestRequest = z.object({ correlationId: z.string().min(1).max(200).optional() });
export const BotIdentity = z.object({ id: z.string(), name: z.string() });
export type BotIdentity = z.infer<typeof BotIdentity>;
export const ConnectionTestResult = z.object({
  ok: z.boolean(),
  /** The bot the credentials belong to; null (or absent, from an adapter) when the test failed. */
  bot: BotIdentity.nullable().optional(),
  latencyMs: z.number().nonnegative(),
  error: z.string().optional(),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResult>;

/**
 * `twokey.rpc.gateway.<connection>.status`: what the gateway knows about itself right now. Answered from memory,
 * never by calling the platform, so anyone may ask often and with a short timeout (unlike the connection test).
 */
export const GatewayStatusRequest = z.object({ correlationId: z.string().min(1).max(200).optional() });
export const GatewayStatus = z.object({
  connection: ConnectionId,
  platform: Platform,
  /** The adapter is receiving from its platform (long polling, websocket, webhooks mounted). */
  adapterStarted: z.boolean(),
  /** When `adapterStarted` took its current value (the gateway's start while it never has). */
  since: IsoDateTime,
  /** When the platform last delivered anything to this gateway; null when nothing arrived since it started. */
  lastInboundAt: IsoDateTime.nullable().optional(),
  /** Inbound messages waiting in the gateway's buffer for JetStream. */
  bufferSize: z.number().int().nonnegative(),
  /** Receiving from the platform right now (started and, where the adapter can tell, still connected). */
  receiving: z.boolean().optional(),
  /** Why not, while `receiving` is false: words an operator can act on, never a secret or a raw URL. */
  reason: z.string().max(500).optional(),
  /**
   * Retrying stopped because it cannot help (credentials rejected, Discord close 4004/4010–4014 …): the gateway
   * waits for a configuration change (restart) or a Reconnect (`twokey.rpc.gateway.<connection>.reconnect`).
   */
  halted: z.boolean().optional(),
  /** What replies can do on this platform (length, edits, typing …); optional so older gateways still parse. */
  profile: CapabilityProfile.optional(),
});
export type GatewayStatus = z.infer<typeof GatewayStatus>;

/** `twokey.rpc.gateway.<connection>.reconnect`: stop and start the adapter now, retrying afresh; answered with the status after the first attempt. */
export const GatewayReconnectRequest = z.object({ correlationId: z.string().min(1).max(200).optional() });

/**
 * `twokey.rpc.gateway.<connection>.space-title`: the title of a space its messages did not carry (a LINE group's
 * summary, a Feishu chat's info, a Mattermost team's name). Asked by the admin-api only when an admin looks, so a
 * denied stranger's message never costs a platform call; the gateway caches the answer (failures too).
 */
export const GatewaySpaceTitleRequest = z.object({ correlationId: z.string().min(1).max(200).optional(), spaceId: PlatformId });
export const GatewaySpaceTitle = z.object({
  spaceId: PlatformId,
  /** null when the platform would not say (or has no title for this kind of space). */
  title: DisplayName.nullable(),
});
export type GatewaySpaceTitle = z.infer<typeof GatewaySpaceTitle>;
