/**
 * Replies through grammY's Api: sendMessage / editMessageText with parse_mode HTML (or none for plain text),
 * sendChatAction "typing". The Bot API's answers become the kit's typed errors: 429 → RateLimited with its
 * retry_after, "can't parse entities" → FormattingRejected, "message is too long" → MessageTooLong, other 4xx →
 * PermanentSendError; anything else stays transient.
 */
import { Api, GrammyError } from 'grammy';
import { FormattingRejected, MessageTooLong, OutboundChunk, OutboundEdit, OutboundTarget, PermanentSendError, RateLimited } from '@twokey/gateway-kit';

const messageIdOf = (platformMessageId: string) => Number(platformMessageId.split(':').pop());

export function toSendError(e: unknown, method: string, describe: (e: unknown) => Error): Error {
  if (!(e instanceof GrammyError)) return describe(e);
  if (e.error_code === 429) return new RateLimited((e.parameters.retry_after ?? 1) * 1000, `telegram ${method}: 429 ${e.description}`);
  if (/can't parse entities/i.test(e.description)) return new FormattingRejected(`telegram ${method}: ${e.description}`);
  if (/message is too long|text is too long/i.test(e.description)) return new MessageTooLong(`telegram ${method}: ${e.description}`);
  if (e.error_code < 500) return new PermanentSendError(`telegram ${method} refused: ${e.error_code} ${e.description}`, { cause: e });
  return describe(e);
}

export class TelegramOutbound {
  constructor(
    private readonly api: Api,
    private readonly describe: (e: unknown) => Error,
  ) {}

  /** Returns `<chat>:<message_id>`, the platformMessageId form inbound messages use. */
  async send(c: OutboundChunk): Promise<string> {
    const replyTo = c.replyToMessageId ? messageIdOf(c.replyToMessageId) : undefined;
    try {
      const sent = await this.api.sendMessage(c.conversationId, c.text, {
        ...(c.formatted ? { parse_mode: 'HTML' as const } : {}),
        ...(c.threadId ? { message_thread_id: Number(c.threadId) } : {}),
        ...(replyTo ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
        link_preview_options: { is_disabled: true },
      });
      return `${c.conversationId}:${sent.message_id}`;
    } catch (e) {
      throw toSendError(e, 'sendMessage', this.describe);
    }
  }

  async edit(e: OutboundEdit): Promise<void> {
    try {
      await this.api.editMessageText(e.conversationId, messageIdOf(e.messageId), e.text, {
        ...(e.formatted ? { parse_mode: 'HTML' as const } : {}),
        link_preview_options: { is_disabled: true },
      });
    } catch (err) {
      // The text is already what was asked for: nothing to change is not a failure.
      if (err instanceof GrammyError && /message is not modified/i.test(err.description)) return;
      throw toSendError(err, 'editMessageText', this.describe);
    }
  }

  async typing(t: OutboundTarget): Promise<void> {
    try {
      await this.api.sendChatAction(t.conversationId, 'typing', t.threadId ? { message_thread_id: Number(t.threadId) } : undefined);
    } catch (e) {
      throw toSendError(e, 'sendChatAction', this.describe);
    }
  }
}
