/**
 * What is "open" at a point of rendered text: the HTML tags of Telegram's dialect, or a code fence in the Markdown
 * dialects. A chunk cut at that point closes them, and the next chunk reopens them, so every chunk is balanced.
 */
import type { MarkdownDialect } from '@twokey/contracts';

export interface OpenContexts {
  /** What reopens the contexts at the start of the next chunk. */
  reopen: string;
  /** What closes them at the end of this one. */
  close: string;
}

const NONE: OpenContexts = { reopen: '', close: '' };
const TAG = /<(\/?)([a-z-]+)[^>]*>/g;
const FENCE = /^ *(`{3,}|~{3,})/;

/** The contexts open after `text` (of one dialect), given those open before it. */
export function contextsOf(dialect: MarkdownDialect, text: string, before: OpenContexts = NONE): OpenContexts {
  if (dialect === 'telegram-html') return htmlContexts(before.reopen + text);
  if (dialect === 'plain') return NONE;
  return fenceContexts(before.reopen + text);
}

function htmlContexts(text: string): OpenContexts {
  const stack: { name: string; open: string }[] = [];
  TAG.lastIndex = 0;
  for (let m = TAG.exec(text); m; m = TAG.exec(text)) {
    if (m[1]) {
      const i = stack.map((s) => s.name).lastIndexOf(m[2]);
      if (i >= 0) stack.splice(i);
    } else stack.push({ name: m[2], open: m[0] });
  }
  return {
    reopen: stack.map((s) => s.open).join(''),
    close: stack
      .map((s) => `</${s.name}>`)
      .reverse()
      .join(''),
  };
}

function fenceContexts(text: string): OpenContexts {
  let open: { line: string; fence: string; indent: string } | undefined;
  for (const line of text.split('\n')) {
    const m = FENCE.exec(line);
    if (!m) continue;
    if (!open) open = { line, fence: m[1], indent: line.slice(0, line.length - line.trimStart().length) };
    else if (line.trim().startsWith(open.fence[0].repeat(open.fence.length)) && /^[`~]+$/.test(line.trim())) open = undefined;
  }
  return open ? { reopen: `${open.line}\n`, close: `\n${open.indent}${open.fence}` } : NONE;
}

/**
 * The text a reader sees, without markup, entities or fence lines and without whitespace: what must be the same,
 * character for character, between a rendered reply and its chunks joined (the property tests' measure).
 */
export function visibleText(dialect: MarkdownDialect, text: string): string {
  let s = text;
  if (dialect === 'telegram-html') {
    s = s
      .replace(/<[^>]*>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
  } else if (dialect !== 'plain') {
    s = s
      .split('\n')
      .filter((l) => !FENCE.test(l))
      .join('\n');
  }
  return s.replace(/\s+/g, '');
}
