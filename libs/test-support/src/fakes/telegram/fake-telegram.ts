/**
 * A local Telegram Bot API server for gateway tests: `${url}/bot<token>/<method>`, answering `{ ok, result }` as
 * the real one does. getUpdates long-polls with offset semantics (an update is delivered again until a later call
 * confirms it with `offset > update_id`); every call lands in the call log. grammY is pointed at it with
 * `client.apiRoot`.
 */
import { CallLog, FakeRequest, FakeResponse, postRaw, RecordedCall, RecordingHttpServer } from '../http-recorder';

export interface TelegramUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}

export interface TelegramChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
  is_forum?: boolean;
}

/** An update as Telegram sends it; `update_id` is assigned by the fake when missing. */
export type TelegramUpdate = { update_id?: number } & Record<string, unknown>;

export interface FakeTelegramOptions {
  token: string;
  bot?: Partial<TelegramUser>;
  /**
   * Flood control per chat (sends and edits together; a supergroup's topics share their chat's): past `writes` in
   * `perMs` the fake answers 429 with retry_after, as the Bot API does. Default: 20 a minute.
   */
  flood?: { writes: number; perMs: number; retryAfterSeconds?: number };
}

/** A message the bot sent, as the fake keeps it (its text after entity parsing, and every edit). */
export interface FakeTelegramMessage {
  chatId: string;
  messageId: number;
  threadId?: number;
  /** The text as a user sees it (entities parsed away). */
  text: string;
  /** The text as sent (HTML when parseMode is set). */
  raw: string;
  parseMode?: string;
  edits: string[];
}

/** Tags the Bot API's HTML parse mode accepts (core.telegram.org/bots/api#html-style). */
const TELEGRAM_HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'tg-emoji', 'code', 'pre', 'blockquote']);

const STYLE_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler']);
const CODE_TAGS = new Set(['code', 'pre']);

/**
 * The Bot API's nesting rules (core.telegram.org/bots/api#formatting-options): styles may contain anything but code
 * and pre; code and pre contain nothing (except `<pre><code class="language-…">`); links, code, pre and blockquotes
 * cannot contain each other; blockquotes are not nested.
 */
function nestingError(stack: string[], name: string): string | undefined {
  const parent = stack[stack.length - 1];
  if (parent === 'pre' && name === 'code') return undefined;
  if (stack.some((t) => CODE_TAGS.has(t))) return `Can't nest "${name}" inside a code entity`;
  if (STYLE_TAGS.has(name) || name === 'tg-emoji') return undefined;
  if (CODE_TAGS.has(name) && stack.some((t) => STYLE_TAGS.has(t))) return `Entity "${name}" can't be inside a formatting entity`;
  if (stack.some((t) => t === 'a' || t === 'blockquote')) return `Entity "${name}" can't be nested`;
  return undefined;
}

/**
 * Parses text as the Bot API's HTML mode does: only its tags, balanced, entities &lt; &gt; &amp; &quot; and numeric
 * ones. Returns the visible text or the Bot API's "can't parse entities" description.
 */
export function parseTelegramHtml(html: string): { ok: true; text: string } | { ok: false; description: string } {
  const stack: string[] = [];
  let text = '';
  const re = /<(\/?)([a-zA-Z-]*)([^>]*)>|&([a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);|[<>&]|[^<>&]+/g;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const offset = Buffer.byteLength(html.slice(0, m.index));
    const bad = (what: string) => ({ ok: false as const, description: `Bad Request: can't parse entities: ${what} at byte offset ${offset}` });
    if (m[2] !== undefined && m[0].startsWith('<')) {
      const name = m[2].toLowerCase();
      if (!TELEGRAM_HTML_TAGS.has(name)) return bad(`Unsupported start tag "${name}"`);
      if (m[1]) {
        if (stack.pop() !== name) return bad(`Unexpected end tag`);
      } else {
        const nested = nestingError(stack, name);
        if (nested) return bad(nested);
        stack.push(name);
      }
    } else if (m[4] !== undefined) {
      const e = m[4];
      const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
      if (e.startsWith('#')) text += String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
      else if (named[e]) text += named[e];
      else return bad(`Unsupported entity "${e}"`);
    } else if (m[0] === '<' || m[0] === '>' || m[0] === '&') {
      if (m[0] === '<') return bad(`Unexpected character "<"`);
      text += m[0];
    } else text += m[0];
  }
  if (stack.length) return { ok: false, description: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"` };
  return { ok: true, text };
}

/** Methods by which a bot makes something visible to a user. Anything else is start-up or bookkeeping. */
export const TELEGRAM_USER_FACING_METHODS = new Set([
  'sendMessage', 'sendChatAction', 'setMessageReaction', 'forwardMessage', 'forwardMessages', 'copyMessage',
  'copyMessages', 'sendPhoto', 'sendDocument', 'sendAudio', 'sendVideo', 'sendVoice', 'sendSticker', 'sendAnimation',
  'sendLocation', 'sendContact', 'sendPoll', 'sendDice', 'editMessageText', 'deleteMessage', 'pinChatMessage',
  'answerCallbackQuery', 'readBusinessMessage',
]);

const UNAUTHORIZED: FakeResponse = { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
const ok = (result: unknown): FakeResponse => ({ status: 200, body: { ok: true, result } });
const badRequest = (description: string): FakeResponse => ({ status: 400, body: { ok: false, error_code: 400, description: `Bad Request: ${description}` } });

export class FakeTelegram {
  readonly bot: TelegramUser;
  private pending: (TelegramUpdate & { update_id: number })[] = [];
  private nextUpdateId = 100_000;
  private nextMessageId = 5_000;
  private pollWaiters: (() => void)[] = [];
  private outageRetryAfter?: number;
  /** Every message the bot sent, by `<chat>:<message_id>`. */
  readonly messages = new Map<string, FakeTelegramMessage>();
  /** Each 429 the flood control answered. */
  readonly floodRefusals: { chatId: string; method: string; at: number }[] = [];
  private readonly writes = new Map<string, number[]>();
  private webhook?: { url: string; secret_token?: string };

  private constructor(
    private readonly server: RecordingHttpServer,
    private readonly options: FakeTelegramOptions,
  ) {
    this.bot = { id: 7_000_000_001, is_bot: true, first_name: 'Twokey', username: 'twokey_bot', ...options.bot };
  }

  static async start(options: FakeTelegramOptions): Promise<FakeTelegram> {
    // Routes are built before the instance exists; they reach it through this holder.
    const ref: { self?: FakeTelegram } = {};
    const server = await RecordingHttpServer.start({
      recordHeaders: ['content-type'],
      routes: [
        { method: 'POST', pattern: '/:bot/:method', handle: (req) => ref.self!.handle(req) },
        { method: 'GET', pattern: '/:bot/:method', handle: (req) => ref.self!.handle(req) },
      ],
      notFound: () => ({ status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } }),
    });
    ref.self = new FakeTelegram(server, options);
    return ref.self;
  }

  /** The apiRoot for grammY (no trailing slash). */
  get url(): string {
    return this.server.url;
  }

  get log(): CallLog {
    return this.server.log;
  }

  /** Calls of one Bot API method, in order. */
  calls(method: string): RecordedCall[] {
    return this.log.filter((c) => c.path.endsWith(`/${method}`));
  }

  /** Calls a user would notice (messages, typing, reactions …), excluding start-up calls like getMe/getUpdates. */
  userFacingCalls(): RecordedCall[] {
    return this.log.filter((c) => TELEGRAM_USER_FACING_METHODS.has(c.path.split('/').pop() ?? ''));
  }

  /** Queues an update for getUpdates (assigning update_id when missing) and returns it. */
  pushUpdate(update: TelegramUpdate): TelegramUpdate & { update_id: number } {
    const u = { ...update, update_id: update.update_id ?? this.nextUpdateId++ } as TelegramUpdate & { update_id: number };
    this.nextUpdateId = Math.max(this.nextUpdateId, u.update_id + 1);
    this.pending.push(u);
    this.pollWaiters.splice(0).forEach((w) => w());
    return u;
  }

  /** Updates not yet confirmed by an offset. */
  unconfirmed(): TelegramUpdate[] {
    return [...this.pending];
  }

  /** The webhook set with setWebhook, if any. */
  get webhookInfo(): { url: string; secret_token?: string } | undefined {
    return this.webhook;
  }

  /** POSTs an update to a webhook as Telegram does (with the secret-token header when one is given). */
  deliverWebhook(url: string, update: TelegramUpdate | string, secretToken?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = secretToken;
    return postRaw(url, typeof update === 'string' ? update : JSON.stringify(update), headers);
  }

  /**
   * While set, getUpdates answers 429 with `retry_after` (the documented flood-control answer, also what the Bot
   * API gives while it restarts), waiting long polls included: the client keeps failing until it is cleared.
   */
  outage(retryAfterSeconds: number | undefined): void {
    this.outageRetryAfter = retryAfterSeconds;
    this.pollWaiters.splice(0).forEach((w) => w());
  }

  async waitForPoll(timeoutMs = 5000): Promise<void> {
    const already = this.calls('getUpdates').length;
    await this.log.waitFor((c) => c.path.endsWith('/getUpdates') && this.calls('getUpdates').length > already, timeoutMs);
  }

  async close(): Promise<void> {
    this.pollWaiters.splice(0).forEach((w) => w());
    await this.server.close();
  }

  private async handle(req: FakeRequest): Promise<FakeResponse> {
    if (req.params.bot !== `bot${this.options.token}`) return UNAUTHORIZED;
    const p = { ...req.query, ...(typeof req.body === 'object' && req.body ? (req.body as Record<string, unknown>) : {}) };
    switch (req.params.method) {
      case 'getMe':
        return ok({ ...this.bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'deleteWebhook':
        this.webhook = undefined;
        return ok(true);
      case 'setWebhook':
        if (typeof p.url !== 'string') return badRequest('url is required');
        this.webhook = { url: p.url, secret_token: typeof p.secret_token === 'string' ? p.secret_token : undefined };
        return ok(true);
      case 'getWebhookInfo':
        return ok({ url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.pending.length });
      case 'getUpdates':
        return this.getUpdates(p);
      case 'sendMessage':
        return this.sendMessage(p);
      case 'editMessageText':
        return this.editMessageText(p);
      case 'sendChatAction':
      case 'setMessageReaction':
        return ok(true);
      default:
        return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found: method not found' } };
    }
  }

  private async getUpdates(p: Record<string, unknown>): Promise<FakeResponse> {
    if (this.webhook) return { status: 409, body: { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" } };
    if (this.outageRetryAfter !== undefined) return this.tooManyRequests(this.outageRetryAfter);
    const offset = Number(p.offset ?? 0);
    // A positive offset confirms every update below it: those are never delivered again.
    if (offset > 0) this.pending = this.pending.filter((u) => u.update_id >= offset);
    const limit = Math.min(Number(p.limit ?? 100) || 100, 100);
    const timeoutMs = Math.min(Number(p.timeout ?? 0), 30) * 1000;
    const ready = () => this.pending.slice(0, limit);
    if (!ready().length && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        this.pollWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    if (this.outageRetryAfter !== undefined) return this.tooManyRequests(this.outageRetryAfter);
    return ok(ready());
  }

  private tooManyRequests(retryAfter: number): FakeResponse {
    return { status: 429, body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } } };
  }

  /** The flood control: a write over the chat's budget is refused with retry_after and not counted. */
  private flood(chatId: string, method: string): FakeResponse | undefined {
    const f = this.options.flood ?? { writes: 20, perMs: 60_000 };
    const now = Date.now();
    const recent = (this.writes.get(chatId) ?? []).filter((t) => t > now - f.perMs);
    this.writes.set(chatId, recent);
    if (recent.length >= f.writes) {
      this.floodRefusals.push({ chatId, method, at: now });
      return this.tooManyRequests(f.retryAfterSeconds ?? Math.max(1, Math.ceil((recent[0] + f.perMs - now) / 1000)));
    }
    recent.push(now);
    return undefined;
  }

  /** Checks text as the Bot API does: entities parsed (HTML mode), then at most 4,096 UTF-16 units, not empty. */
  private checkText(p: Record<string, unknown>): { text: string } | FakeResponse {
    if (typeof p.text !== 'string' || !p.text.trim()) return badRequest('message text is empty');
    let text = p.text;
    if (p.parse_mode === 'HTML') {
      const parsed = parseTelegramHtml(p.text);
      if (!parsed.ok) return { status: 400, body: { ok: false, error_code: 400, description: parsed.description } };
      text = parsed.text;
    } else if (p.parse_mode !== undefined) return badRequest(`unsupported parse_mode`);
    if (!text.trim()) return badRequest('message text is empty');
    if (text.length > 4096) return badRequest('message is too long');
    return { text };
  }

  private sendMessage(p: Record<string, unknown>): FakeResponse {
    if (p.chat_id === undefined || p.chat_id === '') return badRequest('chat_id is empty');
    const checked = this.checkText(p);
    if ('status' in checked) return checked;
    const refused = this.flood(String(p.chat_id), 'sendMessage');
    if (refused) return refused;
    const chatId = Number(p.chat_id);
    const messageId = this.nextMessageId++;
    const threadId = p.message_thread_id !== undefined ? Number(p.message_thread_id) : undefined;
    this.messages.set(`${chatId}:${messageId}`, {
      chatId: String(chatId),
      messageId,
      threadId,
      text: checked.text,
      raw: String(p.text),
      parseMode: typeof p.parse_mode === 'string' ? p.parse_mode : undefined,
      edits: [],
    });
    return ok({
      message_id: messageId,
      from: this.bot,
      chat: { id: chatId, type: chatId < 0 ? 'supergroup' : 'private' },
      date: Math.floor(Date.now() / 1000),
      text: checked.text,
      ...(threadId !== undefined ? { message_thread_id: threadId, is_topic_message: true } : {}),
    });
  }

  private editMessageText(p: Record<string, unknown>): FakeResponse {
    const msg = this.messages.get(`${Number(p.chat_id)}:${Number(p.message_id)}`);
    if (!msg) return badRequest('message to edit not found');
    const checked = this.checkText(p);
    if ('status' in checked) return checked;
    if (checked.text === msg.text && (p.parse_mode ?? undefined) === msg.parseMode) {
      return badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    }
    const refused = this.flood(msg.chatId, 'editMessageText');
    if (refused) return refused;
    msg.edits.push(checked.text);
    msg.text = checked.text;
    msg.raw = String(p.text);
    msg.parseMode = typeof p.parse_mode === 'string' ? p.parse_mode : undefined;
    return ok({ message_id: msg.messageId, from: this.bot, chat: { id: Number(msg.chatId), type: 'supergroup' }, date: Math.floor(Date.now() / 1000), edit_date: Math.floor(Date.now() / 1000), text: msg.text });
  }
}
