/**
 * The bot's own mention in a Discord message (issue 19): `<@id>` or `<@!id>` (the older nickname form) of the bot
 * user in `content`, and the bot among `mentions[]`. The bot's mention is removed; another user's `<@id>` becomes
 * `@<their name>` from `mentions[]` (member nick → global name → username), so the agent reads names, not ids.
 */
import { removeSpans, type TextSpan } from '@twokey/gateway-kit';
import { DiscordMentionsWire } from './wire';

const USER_MENTION = /<@!?(\d{1,20})>/g;

export function withoutBotMention(content: string, mentions: unknown, botUserId: string): { text: string; mentionedBot: boolean } {
  const parsed = DiscordMentionsWire.safeParse(mentions ?? []);
  const users = parsed.success ? parsed.data : [];
  const names = new Map(users.map((u) => [u.id, u.member?.nick || u.global_name || u.username]));
  let renamed = '';
  let at = 0;
  // Names change lengths, so the bot's spans are measured in the renamed text and cut from it.
  const botSpans: TextSpan[] = [];
  for (const m of content.matchAll(USER_MENTION)) {
    renamed += content.slice(at, m.index);
    at = m.index + m[0].length;
    if (m[1] === botUserId) {
      botSpans.push({ offset: renamed.length, length: m[0].length });
      renamed += m[0];
    } else {
      const name = names.get(m[1]);
      renamed += name ? `@${name}` : m[0];
    }
  }
  renamed += content.slice(at);
  const mentionedBot = botSpans.length > 0 || users.some((u) => u.id === botUserId);
  return { text: botSpans.length > 0 ? removeSpans(renamed, botSpans) : renamed, mentionedBot };
}
