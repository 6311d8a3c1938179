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
  return {
    message_id: o.messageId ?? nextMessageId++,
    from: o.from,
    chat: o.chat,
    date: o.date ?? Math.floor(Date.now() / 1000),
    ...(o.topicId !== undefined ? { message_thread_id: o.topicId, is_topic_message: true } : {}),
    text: o.text,
  };
}

export const messageUpdate = (o: TextMessageOptions): TelegramUpdate => ({ message: textMessage(o) });
