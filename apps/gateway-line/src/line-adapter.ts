/**
 * PlatformAdapter for LINE: signed webhooks in, reply/push out, through @line/bot-sdk's MessagingApiClient.
 */
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import type { CapabilityProfile, ConnectionTestResult } from '@twokey/contracts';
import { clipHint, InboundSink, LookupCache, MessageTooLong, networkErrorCode, NonRetryablePlatformError, OutboundChunk, OutboundTarget, PermanentSendError, PlatformAdapter, RateLimited, WebhookRoute } from '@twokey/gateway-kit';
import { LINE_LOADING_SECONDS, LINE_PROFILE } from './line-profile';
import { normalizeWebhookEvent } from './normalize';
import { LINE_MESSAGES_PER_REQUEST, retryKey } from './outbound';
import { lineWebhookRoute } from './webhook';
import type { Source } from './wire';

export interface LineLogger {
  debug(msg: string, fields?: unknown): void;
  info(msg: string, fields?: unknown): void;
  warn(msg: string, fields?: unknown): void;
  error(msg: string, fields?: unknown): void;
}

export interface LineAdapterOptions {
  connection: string;
  channelSecret: string;
  channelAccessToken: string;
  apiBaseUrl?: string;
  webhookPath?: string;
  logger: LineLogger;
  now?: () => Date;
}

/** Reply tokens are short-lived and single-use: kept this long after the webhook, then push is used instead. */
const REPLY_TOKEN_TTL_MS = 50_000;
const REPLY_TOKENS_MAX = 1000;

/** LINE's error body is `{ message, details? }`: the message is safe and useful to show. */
function lineMessage(e: HTTPFetchError): string {
  try {
    const body = JSON.parse(e.body) as { message?: string };
    if (body.message) return body.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return e.body?.slice(0, 200) || e.statusText;
}

export class LineAdapter implements PlatformAdapter {
  readonly platform = 'line' as const;
  readonly profile: CapabilityProfile = LINE_PROFILE;
  readonly client: messagingApi.MessagingApiClient;
  private sink?: InboundSink;
  private botUserId?: string;
  private readonly names = new LookupCache<string>();
  /** Group names by group id; null (also cached) when LINE would not say, so a busy group costs one look-up. */
  private readonly groupNames = new LookupCache<string | null>({ ttlMs: 60 * 60_000 });
  private readonly replyTokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly now: () => Date;

  constructor(private readonly options: LineAdapterOptions) {
    this.client = new messagingApi.MessagingApiClient({
      channelAccessToken: options.channelAccessToken,
      ...(options.apiBaseUrl ? { baseURL: options.apiBaseUrl } : {}),
    });
    this.now = options.now ?? (() => new Date());
  }

  /** Checks the access token (GET /v2/bot/info) so a bad one shows in /readyz; then accepts webhooks. */
  async start(sink: InboundSink): Promise<void> {
    const info = await this.botInfo().catch((e: unknown) => {
      // A rejected token stays rejected: the kit stops retrying until Reconnect or a restart (issue 19).
      const cause = (e as { cause?: unknown }).cause;
      throw cause instanceof HTTPFetchError && cause.status === 401 ? new NonRetryablePlatformError((e as Error).message, { cause: e }) : e;
    });
    this.options.logger.info('LINE bot identified', { botUserId: info.userId, basicId: info.basicId });
    this.botUserId = info.userId;
    this.sink = sink;
  }

  async stop(): Promise<void> {
    this.sink = undefined;
  }

  /** Built once: the kit asks for the routes on every request. */
  private routes?: WebhookRoute[];

  webhooks(): WebhookRoute[] {
    return (this.routes ??= [
      lineWebhookRoute({
        path: this.options.webhookPath ?? '/line/webhook',
        channelSecret: this.options.channelSecret,
        logger: this.options.logger,
        onEvents: (events, destination) => this.onEvents(events, destination),
        onInvalid: (reason, details) => (this.sink ? this.sink.reject(reason, details) : this.options.logger.error(reason)),
        now: this.now,
      }),
    ]);
  }

  private async onEvents(events: unknown[], destination: string | undefined): Promise<void> {
    const sink = this.sink;
    if (!sink) throw new Error('the LINE adapter is not started');
    const botUserId = this.botUserId ?? destination;
    for (const event of events) {
      const result = normalizeWebhookEvent(event, { connection: this.options.connection, receivedAt: this.now(), botUserId });
      if (result.kind === 'ignored') {
        this.options.logger.debug('LINE event ignored', { reason: result.reason });
        continue;
      }
      if (result.kind === 'invalid') {
        sink.reject(result.reason, { platformMessageId: result.platformMessageId });
        continue;
      }
      const { message, source, replyToken } = result;
      if (replyToken) this.rememberReplyToken(message.platformMessageId, replyToken);
      const displayName = await this.displayName(source, message.actor.id);
      if (displayName) message.actor = { ...message.actor, displayName };
      // No group summary here: the space's title is asked for only when an admin looks (spaceTitle), after the decision.
      // A redelivered event keeps its message id, so the kit's Nats-Msg-Id makes JetStream drop the duplicate.
      await sink.publish(message);
    }
  }

  /** The profile endpoint that fits where the user wrote (1:1 profile, group member, room member), cached. */
  private async displayName(source: Source, userId: string): Promise<string | undefined> {
    const key = source.type === 'user' ? `user:${userId}` : source.type === 'group' ? `group:${source.groupId}:${userId}` : `room:${source.roomId}:${userId}`;
    try {
      return await this.names.get(key, async () => {
        switch (source.type) {
          case 'user':
            return (await this.client.getProfile(userId)).displayName;
          case 'group':
            return (await this.client.getGroupMemberProfile(source.groupId, userId)).displayName;
          case 'room':
            return (await this.client.getRoomMemberProfile(source.roomId, userId)).displayName;
        }
      });
    } catch (e) {
      this.options.logger.warn('LINE profile lookup failed; showing the user id', {
        source: source.type,
        status: e instanceof HTTPFetchError ? e.status : undefined,
        error: e instanceof HTTPFetchError ? lineMessage(e) : (e as Error).message,
      });
      return undefined;
    }
  }

  /**
   * The group's name (GET /v2/bot/group/:groupId/summary), so the admin approves "Tea party", not a bare C… id.
   * Asked through the space-title RPC when an admin looks, never per inbound message; cached like the profile
   * names. Rooms (R…) have no name to ask for.
   */
  async spaceTitle(spaceId: string): Promise<string | undefined> {
    return spaceId.startsWith('C') ? this.groupName(spaceId) : undefined;
  }

  private async groupName(groupId: string): Promise<string | undefined> {
    const name = await this.groupNames.get(groupId, async () => {
      try {
        return clipHint((await this.client.getGroupSummary(groupId)).groupName) ?? null;
      } catch (e) {
        this.options.logger.warn('LINE group summary failed; showing the group id', {
          status: e instanceof HTTPFetchError ? e.status : undefined,
          error: e instanceof HTTPFetchError ? lineMessage(e) : (e as Error).message,
        });
        return null;
      }
    });
    return name ?? undefined;
  }

  private rememberReplyToken(messageId: string, token: string): void {
    const now = this.now().getTime();
    for (const [id, t] of this.replyTokens) {
      if (t.expiresAt > now && this.replyTokens.size < REPLY_TOKENS_MAX) break;
      this.replyTokens.delete(id);
    }
    this.replyTokens.set(messageId, { token, expiresAt: now + REPLY_TOKEN_TTL_MS });
  }

  private takeReplyToken(messageId: string | undefined): string | undefined {
    if (!messageId) return undefined;
    const t = this.replyTokens.get(messageId);
    this.replyTokens.delete(messageId);
    return t && t.expiresAt > this.now().getTime() ? t.token : undefined;
  }

  readonly chunksPerRequest = LINE_MESSAGES_PER_REQUEST;

  async send(chunk: OutboundChunk): Promise<string> {
    const [id] = await this.sendBatch([chunk]);
    return id;
  }

  /**
   * Up to 5 text messages in one request. The first batch of a reply uses the reply token of `replyToMessageId`
   * while it is fresh (free of charge); everything else is a push to the conversation (user, group or room id) with
   * a retry key derived from the first chunk's key, so a redelivered batch is not shown twice (LINE answers 409 for
   * a key it already accepted). Returns the sent message ids.
   */
  async sendBatch(chunks: OutboundChunk[]): Promise<string[]> {
    const messages = chunks.map((c) => ({ type: 'text' as const, text: c.text }));
    const replyToken = this.takeReplyToken(chunks[0]?.replyToMessageId);
    if (replyToken) {
      try {
        const r = await this.client.replyMessage({ replyToken, messages });
        return r.sentMessages.map((m) => m.id);
      } catch (e) {
        this.options.logger.warn('LINE reply failed; pushing instead', { error: e instanceof HTTPFetchError ? lineMessage(e) : (e as Error).message });
      }
    }
    const key = retryKey(chunks[0].chunkKey, 0);
    try {
      const r = await this.client.pushMessage({ to: chunks[0].conversationId, messages }, key);
      return r.sentMessages.map((m) => m.id);
    } catch (e) {
      // This batch was already accepted (a redelivery): LINE does not say the ids again.
      if (e instanceof HTTPFetchError && e.status === 409) return chunks.map((_, i) => `${key}:${i}`);
      throw toLineSendError(e);
    }
  }

  /** The loading animation (POST /v2/bot/chat/loading/start), which LINE shows in one-to-one chats only. */
  async typing(t: OutboundTarget): Promise<boolean> {
    if (!t.conversationId.startsWith('U')) return false;
    try {
      await this.client.showLoadingAnimation({ chatId: t.conversationId, loadingSeconds: LINE_LOADING_SECONDS });
      return true;
    } catch (e) {
      throw toLineSendError(e);
    }
  }

  async connectionTest(): Promise<ConnectionTestResult> {
    const started = Date.now();
    try {
      const info = await this.botInfo();
      return { ok: true, bot: { id: info.userId, name: info.displayName }, latencyMs: Date.now() - started };
    } catch (e) {
      return { ok: false, latencyMs: Date.now() - started, error: (e as Error).message };
    }
  }

  private async botInfo(): Promise<messagingApi.BotInfoResponse> {
    try {
      return await this.client.getBotInfo();
    } catch (e) {
      if (e instanceof HTTPFetchError && e.status === 401) {
        throw new Error(`LINE rejected LINE_CHANNEL_ACCESS_TOKEN (401): ${lineMessage(e)}`, { cause: e });
      }
      if (e instanceof HTTPFetchError) throw new Error(`LINE GET /v2/bot/info failed (${e.status}): ${lineMessage(e)}`, { cause: e });
      throw new Error(`LINE API unreachable: ${networkErrorCode(e)}`, { cause: e });
    }
  }
}

/**
 * LINE answers 429 both for its rate limit (no Retry-After: wait a second) and for a spent monthly quota (retrying
 * cannot help); 400 with a text length detail is MessageTooLong; other 4xx are permanent.
 */
function toLineSendError(e: unknown): Error {
  if (!(e instanceof HTTPFetchError)) return e instanceof Error ? e : new Error(String(e));
  const msg = lineMessage(e);
  if (e.status === 429) {
    if (/monthly limit/i.test(msg)) return new PermanentSendError(`LINE push refused (429): ${msg}`, { cause: e });
    const after = Number(e.headers?.get?.('retry-after'));
    return new RateLimited(Number.isFinite(after) ? after * 1000 : 1_000, `LINE rate limit (429): ${msg}`);
  }
  if (e.status === 400 && /Length must be/i.test(e.body ?? '')) return new MessageTooLong(`LINE refused the text (400): ${msg}`);
  if ([400, 403, 404].includes(e.status)) return new PermanentSendError(`LINE push refused (${e.status}): ${msg}`, { cause: e });
  return new Error(`LINE push failed (${e.status}): ${msg}`, { cause: e });
}
