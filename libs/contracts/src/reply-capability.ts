import { z } from 'zod';
import { IsoDateTime, PlatformId } from './identifiers';

/** Default lifetime of a reply capability: a turn (and its edits) may run for a day, not longer. */
export const DEFAULT_REPLY_CAPABILITY_TTL_SECONDS = 24 * 3600;

/**
 * Proof that the pairing-service admitted a message in this conversation (and thread), so an agent may answer there
 * and nowhere else. `mac` is base64url(HMAC-SHA256) over connection, conversationId, threadId and expiresAt, keyed by
 * REPLY_CAPABILITY_SECRET, which the pairing-service and the gateways hold and the agent never does. The target is
 * carried in the clear so the bridge knows where it may reply; a gateway recomputes the MAC from the command's own
 * target, so a capability copied onto another conversation does not verify.
 */
export const ReplyCapability = z.object({
  conversationId: PlatformId,
  threadId: PlatformId.optional(),
  expiresAt: IsoDateTime,
  mac: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url HMAC-SHA256'),
});
export type ReplyCapability = z.infer<typeof ReplyCapability>;
