/**
 * The shape of an outbound Feishu message: Markdown as a `post` with one `md` element (Feishu's post Markdown),
 * plain text as `text`. And how a 429 says how long to wait.
 */

/** Feishu's code for content over its limit (open.feishu.cn: im/v1/messages error codes). */
export const FEISHU_CONTENT_TOO_LONG = 230025;

export function feishuContent(text: string, formatted: boolean): { msg_type: 'post' | 'text'; content: string } {
  if (!formatted) return { msg_type: 'text', content: JSON.stringify({ text }) };
  return { msg_type: 'post', content: JSON.stringify({ zh_cn: { content: [[{ tag: 'md', text }]] } }) };
}

/** Feishu's gateway answers 429 with x-ogw-ratelimit-reset (seconds until the window resets). */
export function retryAfterOf(e: unknown): number {
  const headers = (e as { response?: { headers?: Record<string, unknown> } } | undefined)?.response?.headers ?? {};
  const reset = Number(headers['x-ogw-ratelimit-reset'] ?? headers['retry-after']);
  return Number.isFinite(reset) && reset >= 0 ? reset * 1000 : 1_000;
}
