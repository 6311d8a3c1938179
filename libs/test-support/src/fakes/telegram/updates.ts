/**
 * Builders of Telegram updates in the documented shape (see /shared/fixtures/platforms/telegram): a user, a chat,
 * and a text message in it.
 */
import type { TelegramChat, TelegramUpdate, TelegramUser } from './fake-telegram';

let nextMessageId = 1;

export function telegramUser(id: number, first_name: string, extra: Partial<TelegramUser> = {}): TelegramUser {
  return { id, is_bot: false, first_name, ...extra };
}

export const privateChat = (u: TelegramUser): TelegramChat => ({
  id: u.id,
  type: 'private',
  first_name: u.first_name,
  ...(u.last_name ? { last_name: u.last_name } : {}),
  ...(u.username ? { username: u.username } : {}),
});

export interface TextMessageOptions {
  from: TelegramUser;
  chat: TelegramChat;
  text: string;
  messageId?: number;
  /** Forum topic id (sets message_thread_id and is_topic_message). */
  topicId?: number;
  date?: number;
}

export function textMessage(o: TextMessageOptions): Record<string, unknown> {
  const entities = entitiesOf(o.text);
  return {
    message_id: o.messageId ?? nextMessageId++,
    from: o.from,
    chat: o.chat,
    date: o.date ?? Math.floor(Date.now() / 1000),
    ...(o.topicId !== undefined ? { message_thread_id: o.topicId, is_topic_message: true } : {}),
    text: o.text,
    ...(entities.length ? { entities } : {}),
  };
}

/**
 * The entities Telegram's server adds to a text: `bot_command` for `/cmd` or `/cmd@botname`, `mention` for
 * `@username` (5–32 characters). Offsets and lengths in UTF-16 code units, as JavaScript counts.
 */
export function entitiesOf(text: string): { type: string; offset: number; length: number }[] {
  const found: { type: string; offset: number; length: number }[] = [];
  for (const m of text.matchAll(/(?<![\w/@])\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?(?![\w@])/g)) found.push({ type: 'bot_command', offset: m.index, length: m[0].length });
  for (const m of text.matchAll(/(?<![\w/@])@[A-Za-z0-9_]{5,32}(?!\w)/g)) found.push({ type: 'mention', offset: m.index, length: m[0].length });
  return found.sort((a, b) => a.offset - b.offset);
}

export const messageUpdate = (o: TextMessageOptions): TelegramUpdate => ({ message: textMessage(o) });
