/**
 * PlatformAdapter for Feishu / Lark through @larksuiteoapi/node-sdk: `im.message.receive_v1` in (HTTP callback
 * or the SDK's long connection, both through one EventDispatcher), IM messages out.
 */
import * as lark from '@larksuiteoapi/node-sdk';
import type { CapabilityProfile, ConnectionTestResult } from '@twokey/contracts';
import { clipHint, InboundSink, LookupCache, MessageTooLong, networkErrorCode, NonRetryablePlatformError, OutboundChunk, OutboundEdit, PermanentSendError, PlatformAdapter, RateLimited, WebhookRoute } from '@twokey/gateway-kit';
import { FEISHU_CONTENT_TOO_LONG, feishuContent, retryAfterOf } from './feishu-outbound';
import { FEISHU_PROFILE } from './feishu-profile';
import { feishuCallbackRoute } from './callback';
import { apiAnswerOf, describeLarkError, FeishuApiError, isTokenFailure, larkLogger } from './lark-errors';
import { normalizeReceiveMessage } from './normalize';
import { sendUuid } from './send-uuid';

export interface FeishuLogger {
  debug(msg: string, fields?: unknown): void;
  info(msg: string, fields?: unknown): void;
  warn(msg: string, fields?: unknown): void;
  error(msg: string, fields?: unknown): void;
}

export interface FeishuAdapterOptions {
  connection: string;
  appId: string;
  appSecret: string;
  domain: lark.Domain | string;
  mode: 'webhook' | 'long-connection';
  verificationToken?: string;
  encryptKey?: string;
  /** Webhook mode without an Encrypt Key (unsigned callbacks, forgeable by anyone who learns the Verification Token). */
  allowUnsigned?: boolean;
  webhookPath?: string;
  logger: FeishuLogger;
  now?: () => Date;
  /** Upper bound for one Open API call (the SDK's HTTP client has none). */
  requestTimeoutMs?: number;
}

/** Display-name lookups must not hold a callback past the platform's 3 s deadline. */
const NAME_LOOKUP_TIMEOUT_MS = 1_500;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Answer {
  code?: number;
  msg?: string;
}

export class FeishuAdapter implements PlatformAdapter {
  readonly platform = 'feishu' as const;
  readonly profile: CapabilityProfile = FEISHU_PROFILE;
  readonly client: lark.Client;
  readonly dispatcher: lark.EventDispatcher;
  private wsClient?: lark.WSClient;
  private sink?: InboundSink;
  private botOpenId?: string;
  private readonly names = new LookupCache<string>();
  /** Group chat names by chat_id; null (also cached) when Feishu would not say, so a busy chat costs one look-up. */
  private readonly chatNames = new LookupCache<string | null>({ ttlMs: 60 * 60_000 });
  private readonly now: () => Date;
  private readonly sdkLogger: lark.Logger;

  constructor(private readonly options: FeishuAdapterOptions) {
    if (options.mode === 'webhook' && !options.encryptKey && !options.allowUnsigned) throw new UnsignedWebhooksRefused();
    this.now = options.now ?? (() => new Date());
    this.sdkLogger = larkLogger(options.logger);
    this.client = this.newClient();
    this.dispatcher = new lark.EventDispatcher({
      encryptKey: options.encryptKey,
      verificationToken: options.verificationToken,
      logger: this.sdkLogger,
      loggerLevel: lark.LoggerLevel.warn,
    }).register({ 'im.message.receive_v1': (data: unknown) => this.onMessage(data) });
  }

  /** A client with its own token cache (the SDK's default cache is shared by every client of the process). */
  private newClient(): lark.Client {
    return new lark.Client({
      appId: this.options.appId,
      appSecret: this.options.appSecret,
      domain: this.options.domain,
      cache: new lark.DefaultCache(),
      logger: this.sdkLogger,
      loggerLevel: lark.LoggerLevel.warn,
    });
  }

  /**
   * Learns the bot's open_id (tenant token + GET /open-apis/bot/v3/info; a bad app secret fails here, visibly in
   * /readyz), then starts the long connection in that mode. In webhook mode callbacks flow once this resolves.
   */
  async start(sink: InboundSink): Promise<void> {
    const bot = await this.botInfo(this.client).catch((e: unknown) => {
      throw startError(e);
    });
    this.botOpenId = bot.open_id;
    this.options.logger.info('Feishu bot identified', { botOpenId: bot.open_id, mode: this.options.mode });
    this.sink = sink;
    if (this.options.mode === 'long-connection') {
      this.wsClient = new lark.WSClient({
        appId: this.options.appId,
        appSecret: this.options.appSecret,
        domain: this.options.domain,
        logger: this.sdkLogger,
        loggerLevel: lark.LoggerLevel.warn,
        autoReconnect: true,
        onError: (e: Error) => this.options.logger.error('Feishu long connection gave up', { error: describeLarkError(e) }),
      });
      await this.wsClient.start({ eventDispatcher: this.dispatcher });
    }
  }

  /** Webhooks: started is receiving. Long connection: the SDK's WSClient says it is connected. */
  receiving(): boolean {
    return this.options.mode !== 'long-connection' || this.wsClient?.getConnectionStatus().state === 'connected';
  }

  async stop(): Promise<void> {
    this.wsClient?.close({ force: true });
    this.wsClient = undefined;
    this.sink = undefined;
  }

  /** Built once: the kit asks for the routes on every request. */
  private routes?: WebhookRoute[];

  webhooks(): WebhookRoute[] {
    if (this.options.mode !== 'webhook') return [];
    return (this.routes ??= [
      feishuCallbackRoute({
        path: this.options.webhookPath ?? '/feishu/events',
        dispatcher: this.dispatcher,
        verificationToken: this.options.verificationToken ?? '',
        encryptKey: this.options.encryptKey,
        logger: this.options.logger,
        onInvalid: (reason) => (this.sink ? this.sink.reject(reason) : this.options.logger.error(reason)),
        now: this.now,
      }),
    ]);
  }

  /** The `im.message.receive_v1` handler; throwing makes the callback answer 503 so the platform pushes again. */
  private async onMessage(data: unknown): Promise<void> {
    const sink = this.sink;
    if (!sink) throw new Error('the Feishu adapter is not started');
    const result = normalizeReceiveMessage(data, { connection: this.options.connection, receivedAt: this.now(), botOpenId: this.botOpenId });
    if (result.kind === 'ignored') {
      this.options.logger.debug('Feishu message ignored', { reason: result.reason });
      return;
    }
    if (result.kind === 'invalid') {
      sink.reject(result.reason, { platformMessageId: result.platformMessageId });
      return;
    }
    const message = result.message;
    const displayName = await this.displayName(message.actor.id);
    if (displayName) message.actor = { ...message.actor, displayName };
    // No chat info here: the space's title is asked for only when an admin looks (spaceTitle), after the decision.
    await sink.publish(message);
  }

  /** Contact API (GET /open-apis/contact/v3/users/:open_id), cached; needs a contact scope, else the open_id stays. */
  private async displayName(openId: string): Promise<string | undefined> {
    try {
      return await this.names.get(openId, async () => {
        const res = await withTimeout(
          this.client.contact.user.get({ path: { user_id: openId }, params: { user_id_type: 'open_id' } }),
          NAME_LOOKUP_TIMEOUT_MS,
          'contact user lookup',
        );
        const name = res?.data?.user?.name;
        if (res?.code !== 0 || !name) throw new FeishuApiError('contact user lookup', undefined, res?.code ?? -1, res?.msg ?? 'no name');
        return name;
      });
    } catch (e) {
      this.options.logger.warn('Feishu display name lookup failed; showing the open_id', { error: describeLarkError(e) });
      return undefined;
    }
  }

  /**
   * The group chat's name (GET /open-apis/im/v1/chats/:chat_id), so the admin approves a named group, not a bare
   * oc_… id. Asked through the space-title RPC when an admin looks, never per inbound message; bounded like the
   * name look-up, cached per chat (failures too).
   */
  async spaceTitle(chatId: string): Promise<string | undefined> {
    const name = await this.chatNames.get(chatId, async () => {
      try {
        const res: Answer & { data?: { name?: string } } = await withTimeout(
          this.client.request({ method: 'GET', url: `/open-apis/im/v1/chats/${encodeURIComponent(chatId)}` }),
          NAME_LOOKUP_TIMEOUT_MS,
          'chat info lookup',
        );
        if (res?.code !== 0 || !res.data?.name) throw new FeishuApiError('chat info lookup', undefined, res?.code ?? -1, res?.msg ?? 'no name');
        return clipHint(res.data.name) ?? null;
      } catch (e) {
        this.options.logger.warn('Feishu chat info lookup failed; showing the chat id', { error: describeLarkError(e) });
        return null;
      }
    });
    return name ?? undefined;
  }

  /**
   * A post with one `md` element (or plain text) to the chat (POST /open-apis/im/v1/messages?receive_id_type=chat_id),
   * or a reply (POST /open-apis/im/v1/messages/:message_id/reply) to `replyToMessageId` or into the thread
   * `threadId`. `uuid` = the chunk's key, so a redelivered chunk is sent once. Returns the message_id.
   */
  async send(c: OutboundChunk): Promise<string> {
    const { msg_type, content } = feishuContent(c.text, c.formatted);
    const uuid = sendUuid(c.chunkKey);
    const threadRoot = c.threadId?.startsWith('om_') ? c.threadId : undefined;
    const replyTo = c.replyToMessageId ?? threadRoot;
    const res = await this.call('send message', () =>
      replyTo
        ? this.client.im.message.reply({ path: { message_id: replyTo }, data: { content, msg_type, reply_in_thread: !!threadRoot, uuid } })
        : this.client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: c.conversationId, content, msg_type, uuid } }),
    );
    const id = (res as { data?: { message_id?: string } }).data?.message_id;
    if (!id) throw new PermanentSendError('Feishu send message: the answer names no message_id');
    return id;
  }

  /** PUT /open-apis/im/v1/messages/:message_id: replaces a text or post message's content. */
  async edit(e: OutboundEdit): Promise<void> {
    const { msg_type, content } = feishuContent(e.text, e.formatted);
    await this.call('edit message', () => this.client.im.message.update({ path: { message_id: e.messageId }, data: { msg_type, content } }));
  }

  /** One API call with the timeout, its answer mapped to the kit's errors (429 → RateLimited, 4xx → permanent). */
  private async call(what: string, request: () => Promise<Answer>): Promise<Answer> {
    let res: Answer;
    try {
      res = await withTimeout(request(), this.options.requestTimeoutMs ?? 10_000, `Feishu ${what}`);
    } catch (e) {
      const answer = apiAnswerOf(e);
      if (answer) {
        const err = new FeishuApiError(what, answer.status, answer.code, answer.msg);
        if (answer.status === 429) throw new RateLimited(retryAfterOf(e), err.message);
        if (answer.code === FEISHU_CONTENT_TOO_LONG) throw new MessageTooLong(err.message);
        if (answer.status && answer.status >= 400 && answer.status < 500) throw new PermanentSendError(err.message, { cause: err });
        throw err;
      }
      throw new Error(`Feishu ${what} failed: ${describeLarkError(e)}`, { cause: e });
    }
    if (res?.code !== 0) throw new PermanentSendError(new FeishuApiError(what, 200, res?.code ?? -1, res?.msg ?? '').message);
    return res;
  }

  /** Obtains a fresh tenant access token, then reads the bot's identity. Each step says what failed. */
  async connectionTest(): Promise<ConnectionTestResult> {
    const started = Date.now();
    const latencyMs = () => Date.now() - started;
    const client = this.newClient();
    try {
      await client.tokenManager.getTenantAccessToken();
    } catch (e) {
      return {
        ok: false,
        latencyMs: latencyMs(),
        error: tokenFailureText(e),
      };
    }
    try {
      const bot = await this.botInfo(client);
      return { ok: true, bot: { id: bot.open_id, name: bot.app_name ?? '' }, latencyMs: latencyMs() };
    } catch (e) {
      return { ok: false, latencyMs: latencyMs(), error: (e as Error).message };
    }
  }

  private async botInfo(client: lark.Client): Promise<{ open_id: string; app_name?: string }> {
    let res: Answer & { bot?: { open_id?: string; app_name?: string } };
    try {
      res = await withTimeout(client.request({ method: 'GET', url: '/open-apis/bot/v3/info' }), this.options.requestTimeoutMs ?? 10_000, 'Feishu bot info');
    } catch (e) {
      if (isTokenFailure(e)) throw new Error(tokenFailureText(e), { cause: e });
      throw new Error(`Feishu GET /open-apis/bot/v3/info failed: ${describeLarkError(e)}`, { cause: e });
    }
    if (res?.code !== 0 || !res.bot?.open_id) {
      throw new FeishuApiError('GET /open-apis/bot/v3/info', 200, res?.code ?? -1, res?.msg ?? 'no bot in the answer');
    }
    return { open_id: res.bot.open_id, app_name: res.bot.app_name };
  }
}

/** M5: webhook mode verifies signatures, which needs the Encrypt Key. */
export class UnsignedWebhooksRefused extends Error {
  override readonly name = 'UnsignedWebhooksRefused';
  constructor() {
    super('FEISHU_MODE=webhook needs FEISHU_ENCRYPT_KEY (callbacks are then encrypted and signed); set FEISHU_ALLOW_UNSIGNED=true to accept unsigned callbacks anyway');
  }
}

/** A refused token names the variables to check; an unreachable platform only says so, with the error code. */
function tokenFailureText(e: unknown): string {
  const code = networkErrorCode(e);
  if (!apiAnswerOf(e) && code !== 'network error') return `Feishu API unreachable while getting a tenant access token: ${code}`;
  return `Feishu refused a tenant access token for FEISHU_APP_ID / FEISHU_APP_SECRET: ${tokenError(e)}`;
}

/**
 * Feishu answered the tenant-token request with a refusal (a wrong FEISHU_APP_ID / FEISHU_APP_SECRET: codes 10003,
 * 10014 …): asking again gives the same answer, so the kit stops retrying (issue 19). An unreachable Feishu (no
 * answer at all) stays retryable.
 */
function startError(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  const cause = (err as { cause?: unknown }).cause;
  if (isTokenFailure(cause ?? e) && apiAnswerOf(cause ?? e) !== undefined) return new NonRetryablePlatformError(err.message, { cause: e });
  return err;
}

/** The SDK reports a refused token either as an axios error (HTTP 4xx) or as its own "failed to get …" error. */
function tokenError(e: unknown): string {
  return describeLarkError(e).replace(/^failed to get tenant_access_token, /, '');
}
