/**
 * The bot's own mention in a Slack message (issue 19): `<@U…>` (or `<@U…|label>`) of the bot user's id. It is
 * removed; another user's mention becomes `@<name>` when the name is known (the label, or the adapter's name cache),
 * and stays as Slack wrote it otherwise.
 */
import { removeSpans, type TextSpan } from '@twokey/gateway-kit';

const USER_MENTION = /<@([UW][A-Z0-9]{2,40})(?:\|([^>]{1,256}))?>/g;

export function withoutBotMention(
  text: string,
  botUserId: string,
  nameOf: (userId: string) => string | undefined = () => undefined,
): { text: string; mentionedBot: boolean } {
  let renamed = '';
  let at = 0;
  const botSpans: TextSpan[] = [];
  for (const m of text.matchAll(USER_MENTION)) {
    renamed += text.slice(at, m.index);
    at = m.index + m[0].length;
    if (m[1] === botUserId) {
      botSpans.push({ offset: renamed.length, length: m[0].length });
      renamed += m[0];
    } else {
      const name = m[2] ?? nameOf(m[1]);
      renamed += name ? `@${name}` : m[0];
    }
  }
  renamed += text.slice(at);
  return botSpans.length > 0 ? { text: removeSpans(renamed, botSpans), mentionedBot: true } : { text: renamed, mentionedBot: false };
}
