/**
 * Removing the bot's own mention from a message (issue 19). The platforms mark mentions in metadata (Telegram
 * entities, LINE mentionees, Feishu `mentions[]`) or in markup (`<@U…>`); the adapters find the bot's among them and
 * hand the spans here. What stays must read as the person wrote it, minus the address: "@Twokey Acceptance Bot
 * K7QM-2ZXD" → "K7QM-2ZXD", "hi @bot there" → "hi there".
 */

/** A piece of the text in UTF-16 code units (what JavaScript strings, Telegram and LINE count). */
export interface TextSpan {
  readonly offset: number;
  readonly length: number;
}

/** Spaces and tabs, not line breaks: a mention on its own line leaves the lines as they were. */
const HORIZONTAL_SPACE_END = /[^\S\r\n]+$/u;
const HORIZONTAL_SPACE_START = /^[^\S\r\n]+/u;

/**
 * The text without the given spans (out-of-range or overlapping ones are clipped, never thrown on: they come from
 * the platform), with the spaces around each cut collapsed to one and the whole trimmed.
 */
export function removeSpans(text: string, spans: readonly TextSpan[]): string {
  const sorted = spans
    .map((s) => ({ start: Math.max(0, Math.trunc(s.offset)), end: Math.min(text.length, Math.trunc(s.offset + s.length)) }))
    .filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end) && s.end > s.start)
    .sort((a, b) => a.start - b.start);
  if (sorted.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of sorted) {
    if (s.end <= at) continue;
    out = joinAtCut(out, text.slice(at, Math.max(at, s.start)));
    at = Math.max(at, s.end);
  }
  return joinAtCut(out, text.slice(at)).trim();
}

/** Every whole-word occurrence of `needle` (case-insensitive), as spans, e.g. Mattermost's `@username`. */
export function wordSpans(text: string, needle: string): TextSpan[] {
  if (needle === '') return [];
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const spans: TextSpan[] = [];
  for (const m of text.matchAll(new RegExp(`(?<![\\p{L}\\p{N}_.-])${escaped}(?![\\p{L}\\p{N}_-]|\\.[\\p{L}\\p{N}])`, 'giu'))) {
    spans.push({ offset: m.index, length: m[0].length });
  }
  return spans;
}

function joinAtCut(left: string, right: string): string {
  if (left === '') return right;
  const l = left.replace(HORIZONTAL_SPACE_END, '');
  const r = right.replace(HORIZONTAL_SPACE_START, '');
  if (l === '' || r === '') return l + r;
  // A cut that had space on either side keeps one; a mention glued to a word ("hi@bot") leaves them apart too.
  return /[\r\n]$/.test(l) || /^[\r\n]/.test(r) ? l + r : `${l} ${r}`;
}
