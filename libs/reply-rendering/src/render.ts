/**
 * Markdown (CommonMark + GFM, as agents write it) → the blocks of one platform dialect, from one parser: marked's
 * lexer. Raw HTML in the input is shown as text, never passed through; links only keep http(s)/mailto/tg targets.
 */
import { Lexer, type Token, type Tokens } from 'marked';
import type { MarkdownDialect } from '@twokey/contracts';
import { DIALECTS, type DialectWriter } from './dialects';

const MASS_MENTION = /([@＠])(channel|here|all|everyone)\b/gi;

/**
 * Mass mentions lose their power: a zero-width space after the `@` keeps them readable but no platform reads them
 * as a mention (`<!channel>` is already escaped by the dialects that read it).
 */
export function neutralizeMentions(s: string): string {
  return s.replace(MASS_MENTION, '$1\u200B$2');
}

function inline(tokens: Token[] | undefined, w: DialectWriter): string {
  let out = '';
  for (const t of tokens ?? []) out += inlineToken(t, w);
  return out;
}

function inlineToken(t: Token, w: DialectWriter): string {
  switch (t.type) {
    case 'strong':
      return w.strong(inline((t as Tokens.Strong).tokens, w));
    case 'em':
      return w.em(inline((t as Tokens.Em).tokens, w));
    case 'del':
      return w.del(inline((t as Tokens.Del).tokens, w));
    case 'codespan':
      return w.codespan((t as Tokens.Codespan).text);
    case 'br':
      return '\n';
    case 'link': {
      const l = t as Tokens.Link;
      return w.link(inline(l.tokens, w), l.href);
    }
    case 'image': {
      const i = t as Tokens.Image;
      return w.link(w.text(neutralizeMentions(i.text || i.href)), i.href);
    }
    case 'text': {
      const x = t as Tokens.Text;
      return x.tokens ? inline(x.tokens, w) : w.text(neutralizeMentions(x.text));
    }
    case 'escape':
      return w.text((t as Tokens.Escape).text);
    case 'checkbox':
      return (t as Tokens.Checkbox).checked ? '☑ ' : '☐ ';
    default:
      // Raw HTML and anything unknown: shown as the text the agent wrote.
      return w.text(neutralizeMentions(t.raw));
  }
}

function indent(s: string, by: string): string {
  return s
    .split('\n')
    .map((l, i) => (i === 0 || !l ? l : by + l))
    .join('\n');
}

function list(l: Tokens.List, w: DialectWriter): string {
  const start = typeof l.start === 'number' ? l.start : 1;
  return l.items
    .map((item, i) => {
      const marker = l.ordered ? `${start + i}. ` : '• ';
      const body = blocks(item.tokens, w).join(item.loose ? '\n\n' : '\n');
      return marker + indent(body, ' '.repeat(marker.length));
    })
    .join('\n');
}

/** A table as aligned text in a code block, for platforms without tables. */
function tableAsCode(t: Tokens.Table): string {
  const cell = (c: Tokens.TableCell) => plainInline(c.tokens).replace(/\n/g, ' ');
  const rows = [t.header.map(cell), ...t.rows.map((r) => r.map(cell))];
  const widths = t.header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  return [line(rows[0]), widths.map((n) => '-'.repeat(Math.max(1, n))).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}

function plainInline(tokens: Token[]): string {
  return inline(tokens, DIALECTS.plain);
}

function block(t: Token, w: DialectWriter): string | undefined {
  switch (t.type) {
    case 'space':
    case 'def':
      return undefined;
    case 'paragraph':
      return inline((t as Tokens.Paragraph).tokens, w);
    case 'text': {
      const x = t as Tokens.Text;
      return x.tokens ? inline(x.tokens, w) : w.text(neutralizeMentions(x.text));
    }
    case 'heading': {
      const h = t as Tokens.Heading;
      return w.heading(inline(h.tokens, w), h.depth);
    }
    case 'code': {
      const c = t as Tokens.Code;
      return w.code(c.text, (c.lang ?? '').split(/\s/)[0].replace(/[^A-Za-z0-9_+#.-]/g, ''));
    }
    case 'blockquote':
      return w.quote(blocks((t as Tokens.Blockquote).tokens, w).join('\n\n'));
    case 'list':
      return list(t as Tokens.List, w);
    case 'table': {
      const tb = t as Tokens.Table;
      if (w.table) return w.table(tb.header.map((c) => inline(c.tokens, w)), tb.rows.map((r) => r.map((c) => inline(c.tokens, w))));
      return w.code(tableAsCode(tb), '');
    }
    case 'hr':
      return w.hr;
    default:
      return w.text(neutralizeMentions(t.raw.trim())) || undefined;
  }
}

function blocks(tokens: Token[], w: DialectWriter): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    const b = block(t, w);
    if (b !== undefined && b.trim() !== '') out.push(b);
  }
  return out;
}

/** The top-level blocks (paragraphs, lists, fences …) of `markdown` written in `dialect`, to be joined by blank lines. */
export function renderBlocks(markdown: string, dialect: MarkdownDialect): string[] {
  return blocks(new Lexer({ gfm: true }).lex(markdown), DIALECTS[dialect]);
}
