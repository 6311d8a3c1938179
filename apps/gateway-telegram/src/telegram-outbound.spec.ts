import { GrammyError } from 'grammy';
import { FormattingRejected, MessageTooLong, PermanentSendError, RateLimited } from '@twokey/gateway-kit';
import { parseTelegramHtml } from '@twokey/test-support/fakes/telegram';
import { renderReply } from '@twokey/reply-rendering';
import { toSendError } from './telegram-outbound';
import { TELEGRAM_PROFILE } from './telegram-profile';

const answer = (error_code: number, description: string, parameters = {}) =>
  new GrammyError(`Call to 'sendMessage' failed!`, { ok: false, error_code, description, parameters }, 'sendMessage', {});
const describe_ = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

describe('Telegram send errors', () => {
  it('maps the Bot API answers to what the kit does next', () => {
    const limited = toSendError(answer(429, 'Too Many Requests: retry after 17', { retry_after: 17 }), 'sendMessage', describe_);
    expect(limited).toBeInstanceOf(RateLimited);
    expect((limited as RateLimited).retryAfterMs).toBe(17_000);
    expect(toSendError(answer(400, "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 3"), 'sendMessage', describe_)).toBeInstanceOf(FormattingRejected);
    expect(toSendError(answer(400, 'Bad Request: message is too long'), 'sendMessage', describe_)).toBeInstanceOf(MessageTooLong);
    expect(toSendError(answer(400, 'Bad Request: chat not found'), 'sendMessage', describe_)).toBeInstanceOf(PermanentSendError);
    expect(toSendError(answer(502, 'Bad Gateway'), 'sendMessage', describe_)).not.toBeInstanceOf(PermanentSendError);
  });
});

describe("the fake Bot API's HTML parser (what Telegram accepts)", () => {
  it('accepts what the renderer writes, and refuses malformed HTML as Telegram does', () => {
    const { chunks } = renderReply(
      '# H `c`\n\n**a `b` c** *b* `c<d` [e **f** `g`](https://x.y) ~~f~~\n\n```js\nif (a < b && c) {}\n```\n\n> q `c`\n\n> plain quote\n> > nested',
      'markdown',
      TELEGRAM_PROFILE,
    );
    for (const c of chunks) expect(parseTelegramHtml(c)).toMatchObject({ ok: true });
    expect(parseTelegramHtml('<b>bold</i>')).toMatchObject({ ok: false, description: expect.stringContaining("can't parse entities") });
    expect(parseTelegramHtml('a < b')).toMatchObject({ ok: false });
    expect(parseTelegramHtml('<div>x</div>')).toMatchObject({ ok: false, description: expect.stringContaining('Unsupported start tag "div"') });
    expect(parseTelegramHtml('<b>open')).toMatchObject({ ok: false });
    expect(parseTelegramHtml('<b><code>x</code></b>')).toMatchObject({ ok: false });
    expect(parseTelegramHtml('<a href="https://x.y"><code>x</code></a>')).toMatchObject({ ok: false });
    expect(parseTelegramHtml('<blockquote><blockquote>x</blockquote></blockquote>')).toMatchObject({ ok: false });
    expect(parseTelegramHtml('<pre><code class="language-js">x</code></pre><b><a href="https://x.y">y</a></b>')).toMatchObject({ ok: true });
    expect(parseTelegramHtml('&lt;b&gt; &amp; &#33;')).toEqual({ ok: true, text: '<b> & !' });
  });
});
