/**
 * Forgiving code matching (rule 2). People paste codes with spaces, dashes of every kind, zero-width characters
 * picked up from rich-text clients, full-width forms from CJK keyboards, the bot's mention in front, or a
 * `/pair` / `/start` command; they confuse O with 0 and I or L with 1. All of these must still match, while a
 * sentence that merely contains a code does not (the code has to be the whole message apart from those prefixes).
 */
import { isNormalizedCode } from './code';

/** Format characters: zero-width space/joiners (U+200B–U+200D), word joiner (U+2060), BOM (U+FEFF), soft hyphen, bidi marks. */
const FORMAT_CHARS = /\p{Cf}/gu;

/**
 * One leading token that is not part of the code: a platform mention (Slack `<@U123>`, Discord `<@123>` / `<@!123>`,
 * Mattermost / Telegram `@bot`, Feishu `@_user_1`) or the `/pair` or `/start` command, optionally addressed
 * `/start@botname`.
 */
const LEADING_TOKEN = /^(?:<@[^>]*>|@\S+|\/(?:pair|start)(?:@\S*)?(?=\s|$))\s*/iu;
const MAX_LEADING_TOKENS = 8;

/** Whitespace, punctuation and every Unicode dash/hyphen/minus form (the `Dash` property covers U+2212 too). */
const SEPARATORS = /[\s\p{Z}\p{P}\p{Dash}\u02D7\u2796]/gu;

const CROCKFORD_ALIASES: Readonly<Record<string, string>> = { O: '0', I: '1', L: '1' };

/**
 * The normalized code a message stands for (8 uppercase Crockford symbols, no separator), or `undefined` when
 * the message is not code-shaped. Being code-shaped says nothing about matching a token.
 */
export function extractCandidate(text: string): string | undefined {
  let rest = text.normalize('NFKC').replace(FORMAT_CHARS, '').trim();
  for (let i = 0; i < MAX_LEADING_TOKENS; i++) {
    const next = rest.replace(LEADING_TOKEN, '');
    if (next === rest) break;
    rest = next;
  }
  const candidate = rest
    .replace(SEPARATORS, '')
    .toUpperCase()
    .replace(/[OIL]/g, (c) => CROCKFORD_ALIASES[c]);
  return isNormalizedCode(candidate) ? candidate : undefined;
}
