import type { MarkdownDialect } from '@twokey/contracts';
import { renderBlocks } from './render';

const render = (md: string, d: MarkdownDialect) => renderBlocks(md, d).join('\n\n');

/** One row per construct; each column is what that platform is sent (the payload's text). */
const TABLE: [string, string, Record<MarkdownDialect, string>][] = [
  ['bold', '**bold**', { 'telegram-html': '<b>bold</b>', discord: '**bold**', mattermost: '**bold**', feishu: '**bold**', 'slack-mrkdwn': '*bold*', plain: 'bold' }],
  ['italic', '*it*', { 'telegram-html': '<i>it</i>', discord: '*it*', mattermost: '_it_', feishu: '*it*', 'slack-mrkdwn': '_it_', plain: 'it' }],
  ['strike', '~~no~~', { 'telegram-html': '<s>no</s>', discord: '~~no~~', mattermost: '~~no~~', feishu: '~~no~~', 'slack-mrkdwn': '~no~', plain: 'no' }],
  [
    'link',
    '[docs](https://ex.com/a_b)',
    {
      'telegram-html': '<a href="https://ex.com/a_b">docs</a>',
      discord: '[docs](<https://ex.com/a_b>)',
      mattermost: '[docs](https://ex.com/a_b)',
      feishu: '[docs](https://ex.com/a_b)',
      'slack-mrkdwn': '<https://ex.com/a_b|docs>',
      plain: 'docs (https://ex.com/a_b)',
    },
  ],
  ['unsafe link target', '[x](javascript:alert(1))', { 'telegram-html': 'x', discord: 'x', mattermost: 'x', feishu: 'x', 'slack-mrkdwn': 'x', plain: 'x' }],
  ['inline code', 'run `a<b`', { 'telegram-html': 'run <code>a&lt;b</code>', discord: 'run `a<b`', mattermost: 'run `a<b`', feishu: 'run `a<b`', 'slack-mrkdwn': 'run `a&lt;b`', plain: 'run a<b' }],
  [
    'fence with language',
    '```ts\nconst x = a < b && c;\n```',
    {
      'telegram-html': '<pre><code class="language-ts">const x = a &lt; b &amp;&amp; c;</code></pre>',
      discord: '```ts\nconst x = a < b && c;\n```',
      mattermost: '```ts\nconst x = a < b && c;\n```',
      feishu: '```ts\nconst x = a < b && c;\n```',
      'slack-mrkdwn': '```\nconst x = a &lt; b &amp;&amp; c;\n```',
      plain: 'const x = a < b && c;',
    },
  ],
  ['fence holding backticks', '````\n```\n````', { 'telegram-html': '<pre>```</pre>', discord: '````\n```\n````', mattermost: '````\n```\n````', feishu: '````\n```\n````', 'slack-mrkdwn': '````\n```\n````', plain: '```' }],
  ['list', '- a\n- b', { 'telegram-html': '• a\n• b', discord: '• a\n• b', mattermost: '• a\n• b', feishu: '• a\n• b', 'slack-mrkdwn': '• a\n• b', plain: '• a\n• b' }],
  ['ordered list', '3. a\n4. b', { 'telegram-html': '3. a\n4. b', discord: '3. a\n4. b', mattermost: '3. a\n4. b', feishu: '3. a\n4. b', 'slack-mrkdwn': '3. a\n4. b', plain: '3. a\n4. b' }],
  ['quote', '> hi\n> there', { 'telegram-html': '<blockquote>hi\nthere</blockquote>', discord: '> hi\n> there', mattermost: '> hi\n> there', feishu: '> hi\n> there', 'slack-mrkdwn': '> hi\n> there', plain: '| hi\n| there' }],
  [
    'table',
    '| k | v |\n|---|---|\n| a | 10 |',
    {
      'telegram-html': '<pre>k | v\n--|---\na | 10</pre>',
      discord: '```\nk | v\n--|---\na | 10\n```',
      mattermost: '| k | v |\n| --- | --- |\n| a | 10 |',
      feishu: '```\nk | v\n--|---\na | 10\n```',
      'slack-mrkdwn': '```\nk | v\n--|---\na | 10\n```',
      plain: 'k | v\n--|---\na | 10',
    },
  ],
  ['nested', '**bold *and it***', { 'telegram-html': '<b>bold <i>and it</i></b>', discord: '**bold *and it***', mattermost: '**bold _and it_**', feishu: '**bold *and it***', 'slack-mrkdwn': '*bold _and it_*', plain: 'bold and it' }],
  [
    'code inside bold (Telegram: bold cannot contain code)',
    '**run `x` now**',
    { 'telegram-html': '<b>run </b><code>x</code><b> now</b>', discord: '**run `x` now**', mattermost: '**run `x` now**', feishu: '**run `x` now**', 'slack-mrkdwn': '*run `x` now*', plain: 'run x now' },
  ],
  ['heading', '## Plan', { 'telegram-html': '<b>Plan</b>', discord: '## Plan', mattermost: '## Plan', feishu: '**Plan**', 'slack-mrkdwn': '*Plan*', plain: 'Plan' }],
  [
    'characters that need escaping',
    '1 < 2 & a_b * c | <b>raw</b>',
    {
      'telegram-html': '1 &lt; 2 &amp; a_b * c | &lt;b&gt;raw&lt;/b&gt;',
      discord: '1 \\< 2 & a\\_b \\* c \\| \\<b\\>raw\\</b\\>',
      mattermost: '1 \\< 2 & a\\_b \\* c \\| \\<b\\>raw\\</b\\>',
      feishu: '1 < 2 & a_b \\* c | <b>raw</b>',
      'slack-mrkdwn': '1 &lt; 2 &amp; a_b * c | &lt;b&gt;raw&lt;/b&gt;',
      plain: '1 < 2 & a_b * c | <b>raw</b>',
    },
  ],
];

describe('rendering one Markdown parse to each dialect', () => {
  for (const [name, md, expected] of TABLE) {
    for (const dialect of Object.keys(expected) as MarkdownDialect[]) {
      it(`${name} → ${dialect}`, () => expect(render(md, dialect)).toBe(expected[dialect]));
    }
  }

  it.each(['telegram-html', 'discord', 'mattermost', 'feishu', 'slack-mrkdwn', 'plain'] as MarkdownDialect[])(
    'neutralizes mass mentions in %s (and Slack/Telegram escape <!channel>)',
    (dialect) => {
      const out = render('ping @channel @here @all @everyone <!channel> <!here>', dialect);
      expect(out).not.toMatch(/@(channel|here|all|everyone)\b/);
      expect(out).toContain('@\u200Bchannel');
      if (dialect === 'slack-mrkdwn' || dialect === 'telegram-html') expect(out).not.toContain('<!channel>');
    },
  );

  it('draws a Telegram quote holding code or a link with a bar: blockquote entities cannot contain them', () => {
    expect(render('> see `x`\n> and [it](https://e.com)', 'telegram-html')).toBe('┃ see <code>x</code>\n┃ and <a href="https://e.com">it</a>');
    expect(render('> outer\n>\n> > inner', 'telegram-html')).toBe('┃ outer\n┃ \n┃ <blockquote>inner</blockquote>');
  });

  it("keeps Feishu's mention-everyone tag as text", () => {
    expect(render('hi <at user_id="all">all</at>', 'feishu')).not.toMatch(/<at\b/);
  });
});
