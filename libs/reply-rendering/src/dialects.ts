/**
 * How each dialect writes the pieces of a Markdown document. One writer per platform family; the parse is shared
 * (marked's lexer, in render.ts), so every platform sees the same structure and only the spelling differs.
 */
import type { MarkdownDialect } from '@twokey/contracts';

export interface DialectWriter {
  /** Literal text as the platform shows it (escaped where the platform would read markup). */
  text(s: string): string;
  strong(inner: string): string;
  em(inner: string): string;
  del(inner: string): string;
  codespan(code: string): string;
  link(inner: string, href: string): string;
  heading(inner: string, depth: number): string;
  /** A fenced code block (also what a table becomes where the platform has none). */
  code(code: string, lang: string): string;
  /** Each line of an already written block, quoted. */
  quote(inner: string): string;
  hr: string;
  /** Native tables (Mattermost); otherwise tables become aligned text in a code block. */
  table?(header: string[], rows: string[][]): string;
}

const SAFE_HREF = /^(https?:|mailto:|tg:)/i;

const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const attrEscape = (s: string) => htmlEscape(s).replace(/"/g, '&quot;');

/** The longest run of `ch` in `s`, so a fence or code span is longer than anything inside it. */
function longestRun(s: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of s) {
    run = c === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

function mdFence(code: string, lang: string): string {
  const fence = '`'.repeat(Math.max(3, longestRun(code, '`') + 1));
  return `${fence}${lang}\n${code}\n${fence}`;
}

function mdCodespan(code: string): string {
  const ticks = '`'.repeat(longestRun(code, '`') + 1);
  const pad = code.startsWith('`') || code.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${code}${pad}${ticks}`;
}

const mdQuote = (inner: string) => inner.split('\n').map((l) => (l ? `> ${l}` : '>')).join('\n');

/** Backslash-escapes what CommonMark-like renderers would read as markup. */
const mdEscape = (chars: RegExp) => (s: string) => s.replace(chars, '\\$&');

/**
 * Telegram's nesting rules (core.telegram.org/bots/api#formatting-options): bold, italic, strikethrough can contain
 * anything but code and pre; code and pre contain nothing; links, code, pre and quotes cannot contain each other and
 * quotes are not nested. So formatting is wrapped around the code inside it rather than over it, and a quote that
 * holds code, a link or another quote is drawn with a bar instead of the blockquote entity.
 */
const ATOMIC = /<(code|pre)\b[^>]*>[\s\S]*?<\/\1>|<a\b[^>]*>[\s\S]*?<\/a>/g;

function wrapOutside(open: string, close: string, inner: string, keepOut: RegExp): string {
  let out = '';
  let last = 0;
  const wrap = (part: string) => (part.trim() ? `${open}${part}${close}` : part);
  for (const m of inner.matchAll(keepOut)) {
    out += wrap(inner.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + wrap(inner.slice(last));
}

const CODE_ONLY = /<(code|pre)\b[^>]*>[\s\S]*?<\/\1>/g;

const telegramHtml: DialectWriter = {
  text: htmlEscape,
  strong: (s) => wrapOutside('<b>', '</b>', s, CODE_ONLY),
  em: (s) => wrapOutside('<i>', '</i>', s, CODE_ONLY),
  del: (s) => wrapOutside('<s>', '</s>', s, CODE_ONLY),
  codespan: (c) => `<code>${htmlEscape(c)}</code>`,
  link: (inner, href) => (SAFE_HREF.test(href) ? wrapOutside(`<a href="${attrEscape(href)}">`, '</a>', inner, ATOMIC) : inner),
  heading: (s) => wrapOutside('<b>', '</b>', s, CODE_ONLY),
  code: (c, lang) => (lang ? `<pre><code class="language-${attrEscape(lang)}">${htmlEscape(c)}</code></pre>` : `<pre>${htmlEscape(c)}</pre>`),
  quote: (s) => (/<(blockquote|code|pre|a)\b/.test(s) ? s.split('\n').map((l) => `┃ ${l}`).join('\n') : `<blockquote>${s}</blockquote>`),
  hr: '———',
};

const discord: DialectWriter = {
  text: mdEscape(/[\\*_~`|[\]<>#]/g),
  strong: (s) => `**${s}**`,
  em: (s) => `*${s}*`,
  del: (s) => `~~${s}~~`,
  codespan: mdCodespan,
  // Angle brackets: Discord shows no embed preview for a link the agent wrote.
  link: (inner, href) => (SAFE_HREF.test(href) ? `[${inner}](<${href}>)` : inner),
  heading: (s, depth) => `${'#'.repeat(Math.min(depth, 3))} ${s}`,
  code: mdFence,
  quote: mdQuote,
  hr: '———',
};

const mattermost: DialectWriter = {
  text: mdEscape(/[\\*_~`|[\]<>#]/g),
  strong: (s) => `**${s}**`,
  em: (s) => `_${s}_`,
  del: (s) => `~~${s}~~`,
  codespan: mdCodespan,
  link: (inner, href) => (SAFE_HREF.test(href) ? `[${inner}](${href.replace(/[()\s]/g, encodeURIComponent)})` : inner),
  heading: (s, depth) => `${'#'.repeat(depth)} ${s}`,
  code: mdFence,
  quote: mdQuote,
  hr: '---',
  table: (header, rows) => {
    const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\n/g, ' ')).join(' | ')} |`;
    return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
  },
};

/**
 * Feishu's post Markdown reads `<at user_id="all"></at>` as a mention of everyone: a zero-width space after the `<`
 * of any `<at` keeps it text.
 */
const feishuEscape = (s: string) => mdEscape(/[\\*~`[\]]/g)(s).replace(/<(?=\s*at\b)/gi, '<\u200B');

const feishu: DialectWriter = {
  text: feishuEscape,
  strong: (s) => `**${s}**`,
  em: (s) => `*${s}*`,
  del: (s) => `~~${s}~~`,
  codespan: mdCodespan,
  link: (inner, href) => (SAFE_HREF.test(href) ? `[${inner}](${href})` : inner),
  heading: (s) => `**${s}**`,
  code: mdFence,
  quote: mdQuote,
  hr: '---',
};

/** Slack mrkdwn: no escapes but &, < and > (which also neutralizes `<!channel>`), no languages on fences. */
const slackMrkdwn: DialectWriter = {
  text: htmlEscape,
  strong: (s) => `*${s}*`,
  em: (s) => `_${s}_`,
  del: (s) => `~${s}~`,
  codespan: (c) => `\`${htmlEscape(c).replace(/`/g, 'ˋ')}\``,
  link: (inner, href) => (SAFE_HREF.test(href) ? `<${href.replace(/[|<>]/g, encodeURIComponent)}|${inner}>` : inner),
  heading: (s) => `*${s}*`,
  code: (c) => mdFence(htmlEscape(c), ''),
  quote: mdQuote,
  hr: '———',
};

const plain: DialectWriter = {
  text: (s) => s,
  strong: (s) => s,
  em: (s) => s,
  del: (s) => s,
  codespan: (c) => c,
  link: (inner, href) => (inner === href || !SAFE_HREF.test(href) ? inner : `${inner} (${href})`),
  heading: (s) => s,
  code: (c) => c,
  quote: (s) => s.split('\n').map((l) => `| ${l}`).join('\n'),
  hr: '———',
};

export const DIALECTS: Record<MarkdownDialect, DialectWriter> = {
  'telegram-html': telegramHtml,
  discord,
  mattermost,
  feishu,
  'slack-mrkdwn': slackMrkdwn,
  plain,
};
