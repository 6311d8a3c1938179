import fc from 'fast-check';
import type { MarkdownDialect } from '@twokey/contracts';
import { contextsOf, visibleText } from './contexts';
import { renderBlocks } from './render';
import { measure, splitRendered, type SplitLimit } from './split';

const DIALECTS: MarkdownDialect[] = ['telegram-html', 'discord', 'mattermost', 'feishu', 'slack-mrkdwn', 'plain'];

/** Markdown as agents write it: words, emphasis, code, fences, tables, lists, quotes, odd characters. */
const fragment = fc.oneof(
  fc.constantFrom('word ', 'longerword ', '**bold** ', '*it* ', '`code` ', '[l](https://e.com) ', '& ', '< ', '> ', '_x_ '),
  fc.constantFrom('\n', '\n\n', '\n- item ', '\n1. item ', '\n> quote ', '\n## head\n', '@here ', '<!channel> '),
  fc.constantFrom('\n```ts\nconst a = 1;\nif (a < 2) {}\n```\n', '\n```\n' + 'x'.repeat(300) + '\n```\n', '\n| a | b |\n|---|---|\n| 1 | 2 |\n'),
  fc.constantFrom('😀', '漢字', 'e\u0301', '\u200B', 'x'.repeat(120)),
  fc.string({ maxLength: 30 }),
);
const markdown = fc.array(fragment, { maxLength: 120 }).map((xs) => xs.join(''));
const limit = fc.record({ maxLength: fc.integer({ min: 120, max: 900 }), lengthUnit: fc.constantFrom<SplitLimit['lengthUnit']>('utf16', 'utf8-bytes') });

/** Every fence opened in the chunk is closed in it, and (HTML) every tag closed was opened in it. */
function balanced(dialect: MarkdownDialect, chunk: string): boolean {
  const open = contextsOf(dialect, chunk);
  if (open.close !== '') return false;
  if (dialect !== 'telegram-html') return true;
  const stack: string[] = [];
  for (const m of chunk.matchAll(/<(\/?)([a-z-]+)[^>]*>/g)) {
    if (!m[1]) stack.push(m[2]);
    else if (stack.pop() !== m[2]) return false;
  }
  return stack.length === 0;
}

describe('splitting rendered replies (property)', () => {
  it('for any Markdown and every platform: chunks within the limit in its unit, balanced, nothing lost or repeated', () => {
    fc.assert(
      fc.property(markdown, limit, fc.constantFrom(...DIALECTS), (md, lim, dialect) => {
        const blocks = renderBlocks(md, dialect);
        const chunks = splitRendered(dialect, blocks, lim);
        for (const c of chunks) {
          expect(measure(c, lim.lengthUnit)).toBeLessThanOrEqual(lim.maxLength);
          expect(balanced(dialect, c)).toBe(true);
        }
        expect(visibleText(dialect, chunks.join('\n'))).toBe(visibleText(dialect, blocks.join('\n\n')));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
  });
});

describe('splitting rendered replies (examples)', () => {
  it('cuts at paragraph, then line, then word boundaries', () => {
    const lim: SplitLimit = { maxLength: 36, lengthUnit: 'utf16' };
    expect(splitRendered('plain', ['first paragraph', 'second paragraph', 'third'], lim)).toEqual(['first paragraph\n\nsecond paragraph', 'third']);
    expect(splitRendered('plain', ['line one is here\nline two is here\nline three is here'], lim)).toEqual(['line one is here\nline two is here', 'line three is here']);
    expect(splitRendered('plain', ['word '.repeat(12).trim()], { maxLength: 30, lengthUnit: 'utf16' })).toEqual(['word word word word word word', 'word word word word word word']);
  });

  it('closes a fence at the cut and reopens it with its language, counting the reopened fence', () => {
    const code = '```py\n' + Array.from({ length: 30 }, (_, i) => `line_${i}`).join('\n') + '\n```';
    const chunks = splitRendered('discord', [code], { maxLength: 100, lengthUnit: 'utf16' });
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.startsWith('```py\n')).toBe(true);
      expect(c.endsWith('\n```')).toBe(true);
      expect(c.length).toBeLessThanOrEqual(100);
    }
    expect(chunks.join('\n').match(/line_\d+/g)).toHaveLength(30);
  });

  it('closes and reopens Telegram tags, never cutting inside a tag or an entity', () => {
    const html = '<pre><code class="language-js">' + 'a &amp;&amp; b;\n'.repeat(40) + '</code></pre>';
    const chunks = splitRendered('telegram-html', [html], { maxLength: 120, lengthUnit: 'utf16' });
    for (const c of chunks) {
      expect(c).toMatch(/^<pre><code class="language-js">[\s\S]*<\/code><\/pre>$/);
      expect(c).not.toMatch(/&(?![a-z]+;)/);
    }
  });

  it('measures UTF-8 bytes where the platform does (Feishu), never splitting a surrogate pair', () => {
    const chunks = splitRendered('feishu', ['😀'.repeat(100)], { maxLength: 50, lengthUnit: 'utf8-bytes' });
    for (const c of chunks) {
      expect(measure(c, 'utf8-bytes')).toBeLessThanOrEqual(50);
      expect(c).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
    expect(chunks.join('')).toBe('😀'.repeat(100));
  });
});
