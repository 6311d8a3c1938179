import { z } from 'zod';
import { ConnectionId, PlatformId } from './identifiers';
import { MAX_TEXT_LENGTH } from './inbound-message';
import { ReplyCapability } from './reply-capability';

/** Longest text an agent may hand a gateway in one command; the gateway splits it to the platform's limit. */
export const MAX_REPLY_TEXT_LENGTH = 200_000;

export const ReplyFormat = z.enum(['markdown', 'plain']);
export type ReplyFormat = z.infer<typeof ReplyFormat>;

const IdempotencyKey = z.string().min(1).max(200);

/** Fields every outbound command carries. */
const OutboundBase = z.object({
  connection: ConnectionId,
  /** Used as Nats-Msg-Id so a retried publish is sent once; names the command in its DeliveryReport. */
  idempotencyKey: IdempotencyKey,
  conversationId: PlatformId,
  threadId: PlatformId.optional(),
  /**
   * Copied from the AdmittedMessage being answered. Optional in the schema only so that a command without one is
   * answered with a failed DeliveryReport (`capability-invalid`) rather than lost as unparseable: a gateway refuses it.
   */
  replyCapability: ReplyCapability.optional(),
});

/** v1, plain text (kept accepted; upcast to v2 with `format: plain`, `final: true`). */
export const SendMessageV1 = z.object({
  schemaVersion: z.literal(1),
  type: z.literal('send-message').optional(),
  connection: ConnectionId,
  idempotencyKey: IdempotencyKey,
  conversationId: PlatformId,
  threadId: PlatformId.optional(),
  /** Platform message id to reply to, where the platform supports replies. */
  replyToMessageId: PlatformId.optional(),
  text: z.string().min(1, 'must not be empty').max(MAX_TEXT_LENGTH),
  /** v1 predates capabilities: a gateway refuses a v1 command without one (DeliveryReport failed). */
  replyCapability: ReplyCapability.optional(),
});
export type SendMessageV1 = z.infer<typeof SendMessageV1>;

/** A reply the agent asks a gateway to send, on `twokey.outbound.<connection>`. */
export const SendMessageV2 = OutboundBase.extend({
  schemaVersion: z.literal(2),
  type: z.literal('send-message').optional(),
  replyToMessageId: PlatformId.optional(),
  text: z.string().min(1, 'must not be empty').max(MAX_REPLY_TEXT_LENGTH),
  /** Markdown = CommonMark + GFM fences and tables, as agents write it. */
  format: ReplyFormat.default('markdown'),
  /** false while the answer still grows (edits may follow and may be dropped over budget); final ones never are. */
  final: z.boolean().default(true),
});
export type SendMessageV2 = z.infer<typeof SendMessageV2>;

/** Either version on the wire; `upcastSendMessage` gives the v2 shape every gateway works with. */
export const SendMessage = z.union([SendMessageV2, SendMessageV1]);
/** Either version as parsed; gateways work on `upcastSendMessage`'s v2. */
export type SendMessage = z.infer<typeof SendMessage>;

export function upcastSendMessage(m: SendMessageV1 | SendMessageV2): SendMessageV2 {
  if (m.schemaVersion === 2) return m;
  return {
    schemaVersion: 2,
    type: 'send-message',
    connection: m.connection,
    idempotencyKey: m.idempotencyKey,
    conversationId: m.conversationId,
    threadId: m.threadId,
    replyToMessageId: m.replyToMessageId,
    text: m.text,
    format: 'plain',
    final: true,
    replyCapability: m.replyCapability,
  };
}

/** Replaces the whole text of an earlier SendMessage, named by that command's idempotency key. */
export const EditMessage = OutboundBase.extend({
  schemaVersion: z.literal(1),
  type: z.literal('edit-message'),
  /** The idempotencyKey of the SendMessage whose platform message(s) are edited. */
  targetIdempotencyKey: IdempotencyKey,
  text: z.string().min(1, 'must not be empty').max(MAX_REPLY_TEXT_LENGTH),
  format: ReplyFormat.default('markdown'),
  final: z.boolean().default(false),
});
export type EditMessage = z.infer<typeof EditMessage>;

/** Shows (or stops showing) that the agent is working; only ever for an admitted conversation (rule 11). */
export const ChatAction = OutboundBase.extend({
  schemaVersion: z.literal(1),
  type: z.literal('chat-action'),
  action: z.literal('typing'),
  state: z.enum(['start', 'stop']),
});
export type ChatAction = z.infer<typeof ChatAction>;

export type OutboundCommand = SendMessageV2 | EditMessage | ChatAction;
export type OutboundCommandType = 'send-message' | 'edit-message' | 'chat-action';

/** Reads any command on `twokey.outbound.<connection>`: by `type`, a missing one meaning send-message. */
export const OutboundCommandSchema = z
  .union([EditMessage, ChatAction, SendMessageV2, SendMessageV1])
  .transform((m): OutboundCommand => (m.type === 'edit-message' || m.type === 'chat-action' ? m : upcastSendMessage(m)));

export function outboundCommandType(m: OutboundCommand): OutboundCommandType {
  return m.type ?? 'send-message';
}
