import type { CapabilityProfile } from '@twokey/contracts';

/**
 * Telegram Bot API (core.telegram.org/bots/api, /bots/faq): 4,096 UTF-16 units of text after entity parsing,
 * parse_mode HTML; editMessageText; about 20 messages a minute in a group (shared by a supergroup's topics) and one
 * a second per chat, so 20 writes a minute per chat; sendChatAction shows for 5 s or until the next message
 * (refreshed while a turn runs).
 */
export const TELEGRAM_PROFILE: CapabilityProfile = {
  dialect: 'telegram-html',
  maxLength: 4_096,
  lengthUnit: 'utf16',
  maxChunks: 60,
  edits: true,
  writeBudget: { writes: 20, perSeconds: 60 },
  typing: 'refreshed',
  buttons: true,
  tables: false,
};
