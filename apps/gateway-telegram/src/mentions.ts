/**
 * The bot's own mention in a Telegram message, found through the message's `entities` (issue 19): a `mention`
 * `@botname`, a `text_mention` of the bot's user id (a bot without a username, or a name picked from a list), or a
 * `bot_command` addressed `/start@botname` (only the `@botname` part goes; the command stays). Other users'
 * mentions stay as written.
 */
import { removeSpans, type TextSpan } from '@twokey/gateway-kit';
import { TelegramEntitiesWire } from './wire';

export interface BotIdentity {
  botId: number;
  /** Without the `@`, from getMe. */
  botUsername?: string;
}

export function withoutBotMention(text: string, entities: unknown, bot: BotIdentity): { text: string; mentionedBot: boolean } {
  const parsed = TelegramEntitiesWire.safeParse(entities ?? []);
  // Entities are formatting hints: broken ones never lose the message, they only mean no mention was recognised.
  if (!parsed.success) return { text, mentionedBot: false };
  const handle = bot.botUsername ? `@${bot.botUsername}`.toLowerCase() : undefined;
  const spans: TextSpan[] = [];
  for (const e of parsed.data) {
    const written = text.slice(e.offset, e.offset + e.length);
    if (e.type === 'mention' && handle && written.toLowerCase() === handle) spans.push(e);
    else if (e.type === 'text_mention' && e.user?.id === bot.botId) spans.push(e);
    else if (e.type === 'bot_command' && handle && written.toLowerCase().endsWith(handle)) {
      spans.push({ offset: e.offset + e.length - handle.length, length: handle.length });
    }
  }
  return spans.length === 0 ? { text, mentionedBot: false } : { text: removeSpans(text, spans), mentionedBot: true };
}
