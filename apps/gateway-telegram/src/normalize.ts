/**
 * Telegram update → InboundMessage (pure). Choices, each tested in normalize.spec.ts:
 * - Only `message` updates carry something to decide on. `edited_message` is ignored: an edit is not a new
 *   message, cannot be a new pairing attempt and must not re-trigger a decision. `channel_post` and other update
 *   types are ignored (no individual sender).
 * - Messages from bots (`from.is_bot`, which includes this bot and the anonymous-admin bot) and messages without a
 *   person behind them (`sender_chat` only) are ignored.
 * - Non-text messages (photos, stickers, captions, service messages) are ignored; `/start <code>` deep links are
 *   plain text and pass through unchanged.
 * - Space (§2): a supergroup is space `telegram-supergroup`, a basic group `telegram-group`, both with id
 *   `chat.id`; a forum topic is `conversation.threadId = message_thread_id`. A private chat is a DM, no space.
 * - platformMessageId is `<chat.id>:<message_id>` (message ids are only unique per chat).
 * - The bot's own mention (entities) is removed from the text and recorded as `mentionedBot` (see mentions.ts).
 */
import type { InboundMessage } from '@twokey/contracts';
import { clipHint, isoFromEpochSeconds, type Normalized } from '@twokey/gateway-kit';
import { withoutBotMention } from './mentions';
import { TelegramMessageWire, TelegramUpdateWire } from './wire';

export interface TelegramNormalizeContext {
  connection: string;
  /** The bot's own user id (from getMe). */
  botId: number;
  /** The bot's username without `@` (from getMe), to recognise `@botname` and `/start@botname`. */
  botUsername?: string;
  receivedAt: Date;
}

const IGNORED_UPDATE_REASONS: Record<string, string> = {
  edited_message: 'edited message (edits never re-trigger a decision)',
  edited_channel_post: 'edited channel post',
  channel_post: 'channel post (no individual sender)',
};

const fieldOf = (path: readonly PropertyKey[]) => path.map(String).join('.');

export function normalizeTelegramUpdate(update: unknown, ctx: TelegramNormalizeContext): Normalized {
  const head = TelegramUpdateWire.safeParse(update);
  if (!head.success) {
    const issue = head.error.issues[0];
    return { kind: 'invalid', reason: `malformed Telegram update: ${fieldOf(issue.path)} ${issue.message}`, field: fieldOf(issue.path) };
  }
  const u = head.data as Record<string, unknown>;
  if (!('message' in u)) {
    const type = Object.keys(u).find((k) => k !== 'update_id') ?? 'empty';
    return { kind: 'ignored', reason: IGNORED_UPDATE_REASONS[type] ?? `update type ${type}` };
  }
  const parsed = TelegramMessageWire.safeParse(u.message);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const m = u.message as { chat?: { id?: unknown }; message_id?: unknown } | undefined;
    const id = typeof m?.chat?.id === 'number' && typeof m.message_id === 'number' ? `${m.chat.id}:${m.message_id}` : undefined;
    return {
      kind: 'invalid',
      reason: `malformed Telegram message: message.${fieldOf(issue.path)} ${issue.message}`,
      field: `message.${fieldOf(issue.path)}`,
      platformMessageId: id,
    };
  }
  return normalizeTelegramMessage(parsed.data, ctx);
}

export function normalizeTelegramMessage(m: TelegramMessageWire, ctx: TelegramNormalizeContext): Normalized {
  const platformMessageId = `${m.chat.id}:${m.message_id}`;
  if (!m.from) return { kind: 'ignored', reason: 'no individual sender (sent on behalf of a chat)' };
  if (m.from.id === ctx.botId) return { kind: 'ignored', reason: 'own message' };
  if (m.from.is_bot) return { kind: 'ignored', reason: 'message from a bot' };
  if (m.sender_chat) return { kind: 'ignored', reason: 'sent on behalf of a chat' };
  if (m.text === undefined) return { kind: 'ignored', reason: 'non-text message' };

  const sentAt = isoFromEpochSeconds(m.date);
  if (!sentAt) return { kind: 'invalid', reason: 'malformed Telegram message: message.date out of range', field: 'message.date', platformMessageId };

  const chatId = String(m.chat.id);
  const title = clipHint(m.chat.title);
  const topic = m.is_topic_message && m.message_thread_id !== undefined ? String(m.message_thread_id) : undefined;
  let where: Pick<InboundMessage, 'conversation' | 'space'>;
  switch (m.chat.type) {
    case 'private':
      where = { conversation: { id: chatId, kind: 'dm' } };
      break;
    case 'group':
      where = { conversation: { id: chatId, kind: 'group', title }, space: { id: chatId, kind: 'telegram-group', title } };
      break;
    case 'supergroup':
      where = {
        conversation: { id: chatId, kind: 'supergroup', title, ...(topic ? { threadId: topic } : {}) },
        space: { id: chatId, kind: 'telegram-supergroup', title },
      };
      break;
    case 'channel':
      return { kind: 'ignored', reason: 'channel message (no individual sender)' };
  }

  const name = clipHint([m.from.first_name, m.from.last_name].filter(Boolean).join(' ')) || String(m.from.id);
  const addressed = withoutBotMention(m.text, m.entities, ctx);
  return {
    kind: 'message',
    message: {
      schemaVersion: 1,
      connection: ctx.connection,
      platform: 'telegram',
      platformMessageId,
      sentAt,
      receivedAt: ctx.receivedAt.toISOString(),
      actor: { id: String(m.from.id), displayName: name, ...(m.from.username ? { username: clipHint(m.from.username) } : {}) },
      ...where,
      text: addressed.text,
      ...(addressed.mentionedBot ? { mentionedBot: true } : {}),
    },
  };
}
