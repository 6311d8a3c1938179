/**
 * What may be said about a failed platform request: its machine code, never its message. A fetch error's message
 * quotes the request URL (Telegram's holds the bot token: `…/bot<TOKEN>/getMe`), and SDK errors carry the request
 * config with its headers and body; the code (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_CONNECT_TIMEOUT`, `AbortError`
 * …) is all an operator needs to see that the platform is unreachable and why.
 */
const CODE = /^[A-Z][A-Z0-9_]{2,63}$/;
const NAMED = new Set(['AbortError', 'TimeoutError']);

/** The first code found on the error or its causes (`cause`, grammY's `error`, Slack's `original`), else "network error". */
export function networkErrorCode(e: unknown): string {
  let current: unknown = e;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const x = current as { code?: unknown; errno?: unknown; name?: unknown; cause?: unknown; error?: unknown; original?: unknown };
    if (typeof x.code === 'string' && CODE.test(x.code)) return x.code;
    if (typeof x.errno === 'string' && CODE.test(x.errno)) return x.errno;
    if (typeof x.name === 'string' && NAMED.has(x.name)) return x.name;
    current = x.cause ?? x.error ?? x.original;
  }
  return 'network error';
}
