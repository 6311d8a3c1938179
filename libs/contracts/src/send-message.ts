import { z } from 'zod';
import { ConnectionId, PlatformId } from './identifiers';
import { MAX_TEXT_LENGTH } from './inbound-message';

/** A reply the agent asks a gateway to send, on `twokey.outbound.<connection>`. */
export const SendMessage = z.object({
  schemaVersion: z.literal(1),
  connection: ConnectionId,
  /** Used as Nats-Msg-Id so a retried publish is sent once. */
  idempotencyKey: z.string().min(1).max(200),
  conversationId: PlatformId,
  threadId: PlatformId.optional(),
  /** Platform message id to reply to, where the platform supports replies. */
  replyToMessageId: PlatformId.optional(),
  text: z.string().min(1, 'must not be empty').max(MAX_TEXT_LENGTH),
});
export type SendMessage = z.infer<typeof SendMessage>;
