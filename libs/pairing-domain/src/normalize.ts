/**
 * Forgiving code matching (rule 2). People paste codes with spaces, dashes of every kind, zero-width characters
 * picked up from rich-text clients, full-width forms from CJK keyboards, the bot's mention in front, or a
 * `/pair` / `/start` command; they confuse O with 0 and I or L with 1; and they write it into a sentence ("my code
 * is K7QM-2ZXD", L3). All of these must still match.
 *
 * Not every code-shaped string is a guess, though: "hello bot?" folds to `HE110B0T` only through the aliases. A
 * candidate that needed the aliases to become a code, and shows no digit either, is still compared with the tokens
 * (a real code typed with O for 0 pairs) but a miss is an ordinary message, not a failed attempt (L3). A digit is
 * enough to count: otherwise a guesser could spell every guess with O/I/L and never be throttled.
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

/**
 * A code written as one word of a sentence: 4 + 4 letters or digits, at most one dash between, standing alone.
 * Spaces inside are not accepted here ("best deal" is two words, not a guess), nor a part of a longer dashed word.
 */
const DASH = '[\\p{Dash}\\u02D7\\u2796]';
const WORD_CODE = new RegExp(
  `(?<![\\p{L}\\p{N}\\p{M}]|[\\p{L}\\p{N}]${DASH})([\\p{L}\\p{N}]{4})${DASH}?([\\p{L}\\p{N}]{4})(?![\\p{L}\\p{N}\\p{M}]|${DASH}[\\p{L}\\p{N}])`,
  'gu',
);

/** Only a short message is searched for a code inside it: a long one is talk, not a pairing attempt. */
export const MAX_SEARCHED_LENGTH = 200;
/** At most this many codes are taken from one sentence, so one message costs a bounded number of HMACs. */
export const MAX_CANDIDATES = 4;

const CROCKFORD_ALIASES: Readonly<Record<string, string>> = { O: '0', I: '1', L: '1' };
const DIGIT = /[0-9]/;

export interface CodeCandidate {
  /** 8 uppercase Crockford symbols, aliases folded. */
  readonly code: string;
  /** A miss counts as a failed code attempt (rule 6): code-shaped before alias folding, or showing a digit. */
  readonly attempt: boolean;
}

/**
 * The codes a message may stand for: the whole message as one code (apart from the prefixes above), or else the
 * code-shaped words of a short sentence, in order. Empty when nothing is code-shaped. Being code-shaped says
 * nothing about matching a token.
 */
export function findCodeCandidates(text: string): CodeCandidate[] {
  const clean = text.normalize('NFKC').replace(FORMAT_CHARS, '').trim();
  const whole = wholeMessageCandidate(clean);
  if (whole) return [whole];
  if (clean.length > MAX_SEARCHED_LENGTH) return [];
  const found: CodeCandidate[] = [];
  for (const match of clean.toUpperCase().matchAll(WORD_CODE)) {
    const raw = match[1] + match[2];
    const code = fold(raw);
    // Inside a sentence only a word that is a code as written, digit included, counts: "STANDARD" is a word.
    if (isNormalizedCode(code) && !found.some((c) => c.code === code)) found.push({ code, attempt: isNormalizedCode(raw) && DIGIT.test(raw) });
    if (found.length === MAX_CANDIDATES) break;
  }
  return found;
}

/** The first candidate's code, or `undefined` when the message is not code-shaped. */
export function extractCandidate(text: string): string | undefined {
  return findCodeCandidates(text)[0]?.code;
}

function wholeMessageCandidate(clean: string): CodeCandidate | undefined {
  let rest = clean;
  for (let i = 0; i < MAX_LEADING_TOKENS; i++) {
    const next = rest.replace(LEADING_TOKEN, '');
    if (next === rest) break;
    rest = next;
  }
  const raw = rest.replace(SEPARATORS, '').toUpperCase();
  const code = fold(raw);
  if (!isNormalizedCode(code)) return undefined;
  return { code, attempt: isNormalizedCode(raw) || DIGIT.test(raw) };
}

function fold(upper: string): string {
  return upper.replace(/[OIL]/g, (c) => CROCKFORD_ALIASES[c]);
}
