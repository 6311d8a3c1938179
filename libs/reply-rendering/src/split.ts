/**
 * Splits rendered blocks into platform messages within a length limit in the platform's own unit: whole blocks
 * first (paragraph boundaries), then lines, then words, then characters (never inside a tag, an entity or a
 * surrogate pair). Whatever is open at a cut (an HTML tag, a code fence) is closed and reopened in the next chunk,
 * and the reopened markup counts against the limit.
 */
import type { MarkdownDialect } from '@twokey/contracts';
import { contextsOf, type OpenContexts } from './contexts';

export interface SplitLimit {
  maxLength: number;
  lengthUnit: 'utf16' | 'utf8-bytes';
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Length of `s` in the platform's unit. */
export function measure(s: string, unit: SplitLimit['lengthUnit']): number {
  return unit === 'utf16' ? s.length : utf8Length(s);
}

const HTML_ATOMS = /<[^>]*>|&[#a-zA-Z0-9]+;|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g;
const CHAR_ATOMS = /[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g;

const SEPARATOR = '\n\n';

/**
 * Cuts one oversized block. `budget` leaves room for the markup a cut may add (the longest reopen + close seen in
 * the block), so every finished chunk fits once balanced.
 */
function cutBlock(dialect: MarkdownDialect, text: string, limit: SplitLimit): string[] {
  // Slack's links (<url|text>) and entities are as indivisible as Telegram's tags.
  const atoms = text.match(dialect === 'telegram-html' || dialect === 'slack-mrkdwn' ? HTML_ATOMS : CHAR_ATOMS) ?? [];
  const len = (s: string) => measure(s, limit.lengthUnit);
  const reserve = maxContextCost(dialect, atoms, len);
  const budget = limit.maxLength - reserve;
  if (budget < 16) throw new RangeError(`limit ${limit.maxLength} leaves no room for text after the markup`);
  const out: string[] = [];
  let ctx: OpenContexts = { reopen: '', close: '' };
  let i = 0;
  while (i < atoms.length) {
    // Take atoms up to the budget, remembering the last line and word boundary.
    let used = len(ctx.reopen);
    let j = i;
    let lastNewline = -1;
    let lastSpace = -1;
    while (j < atoms.length) {
      const n = len(atoms[j]);
      if (used + n > budget) break;
      used += n;
      if (atoms[j] === '\n') lastNewline = j;
      else if (atoms[j] === ' ') lastSpace = j;
      j++;
    }
    let end = j;
    let next = j;
    if (j < atoms.length) {
      const boundary = lastNewline > i ? lastNewline : lastSpace > i ? lastSpace : -1;
      if (boundary > i) {
        end = boundary;
        next = boundary + 1; // the separator itself is not repeated
      }
    }
    if (end === i) {
      // A single atom over the budget cannot happen with budget ≥ 16 unless a tag is huge: take it alone.
      end = next = i + 1;
    }
    const body = atoms.slice(i, end).join('');
    const after = contextsOf(dialect, body, ctx);
    const chunk = ctx.reopen + body + after.close;
    const visible = dialect === 'telegram-html' ? chunk.replace(/<[^>]*>/g, '') : chunk;
    if (visible.trim() !== '') out.push(chunk);
    ctx = after;
    i = next;
  }
  return out;
}

/** The most reopen + close markup a cut anywhere in the block could need. */
function maxContextCost(dialect: MarkdownDialect, atoms: string[], len: (s: string) => number): number {
  if (dialect === 'plain') return 0;
  let maxOpen = 0;
  let maxClose = 0;
  let ctx: OpenContexts = { reopen: '', close: '' };
  // Contexts change only at tags (HTML) or at line starts (fences): checking there is enough.
  let line = '';
  for (const a of atoms) {
    if (dialect === 'telegram-html') {
      if (!a.startsWith('<') || a.length === 1) continue;
      ctx = contextsOf(dialect, a, ctx);
    } else {
      line += a;
      if (a !== '\n') continue;
      ctx = contextsOf(dialect, line, ctx);
      line = '';
    }
    maxOpen = Math.max(maxOpen, len(ctx.reopen));
    maxClose = Math.max(maxClose, len(ctx.close));
  }
  if (line) {
    ctx = contextsOf(dialect, line, ctx);
    maxOpen = Math.max(maxOpen, len(ctx.reopen));
    maxClose = Math.max(maxClose, len(ctx.close));
  }
  // A reopened fence line plus its newline, a close plus its newline.
  return maxOpen + maxClose + 2;
}

/** Packs blocks into as few chunks as fit, in order; each chunk ≤ limit in its unit, balanced. */
export function splitRendered(dialect: MarkdownDialect, blocks: string[], limit: SplitLimit): string[] {
  const len = (s: string) => measure(s, limit.lengthUnit);
  const chunks: string[] = [];
  let current = '';
  let currentLen = 0;
  const sepLen = len(SEPARATOR);
  for (const b of blocks) {
    const bl = len(b);
    if (current && currentLen + sepLen + bl <= limit.maxLength) {
      current += SEPARATOR + b;
      currentLen += sepLen + bl;
      continue;
    }
    if (current) chunks.push(current);
    current = '';
    currentLen = 0;
    if (bl <= limit.maxLength) {
      current = b;
      currentLen = bl;
      continue;
    }
    const parts = cutBlock(dialect, b, limit);
    chunks.push(...parts.slice(0, -1));
    current = parts[parts.length - 1] ?? '';
    currentLen = len(current);
  }
  if (current) chunks.push(current);
  return chunks;
}
