import { z } from 'zod';
import { Actor, ConnectionId, Conversation, IsoDateTime, Platform, PlatformId, Space } from './identifiers';

/** Longest text a gateway may forward. Longer texts are rejected at the edge (DLQ), never truncated silently. */
export const MAX_TEXT_LENGTH = 32_768;

export const InboundMessage = z
  .object({
    schemaVersion: z.literal(1),
    connection: ConnectionId,
    platform: Platform,
    /** Unique per connection; `<connection>:<platformMessageId>` is the JetStream Nats-Msg-Id. */
    platformMessageId: PlatformId,
    /** When the platform says the message was sent. */
    sentAt: IsoDateTime,
    /** When the gateway received it. */
    receivedAt: IsoDateTime,
    actor: Actor,
    conversation: Conversation,
    /** Present exactly when the conversation is shared (not a DM). */
    space: Space.optional(),
    text: z.string().max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`),
    /**
     * The message addressed the bot by the platform's mention metadata (the mention itself is removed from `text`).
     * The agent bridge answers in shared conversations only when addressed.
     */
    mentionedBot: z.boolean().optional(),
  })
  .superRefine((m, ctx) => {
    if (m.conversation.kind === 'dm' && m.space) {
      ctx.addIssue({ code: 'custom', path: ['space'], message: 'a dm has no space' });
    }
    if (m.conversation.kind !== 'dm' && !m.space) {
      ctx.addIssue({ code: 'custom', path: ['space'], message: 'required for a shared conversation' });
    }
  });
export type InboundMessage = z.infer<typeof InboundMessage>;

export function inboundMessageId(m: Pick<InboundMessage, 'connection' | 'platformMessageId'>): string {
  return `${m.connection}:${m.platformMessageId}`;
}
