/**
 * Slack through Bolt (unmodified): the Events API over the kit's HTTP server — Bolt's HTTPReceiver verifies each
 * request's signature and timestamp (bad or stale → 401) — or Socket Mode. Retries (`X-Slack-Retry-Num`,
 * Socket Mode `retry_attempt`) of an event already handed over are acknowledged and ignored as duplicates; a
 * retry of an event that never made it (e.g. across a restart) is processed, and JetStream de-duplicates on
 * `<connection>:<channel>:<ts>` anyway.
 */
import type { IncomingMessage } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { CapabilityProfile, ConnectionTestResult } from '@twokey/contracts';
import { deliver, InboundSink, LookupCache, MessageTooLong, NonRetryablePlatformError, OutboundChunk, OutboundEdit, PermanentSendError, PlatformAdapter, RateLimited, RecentIds, WebhookRoute } from '@twokey/gateway-kit';
import { type JsonLogger, redactSecrets } from '@twokey/service-kit';
import { boltLogger } from './bolt-logger';
import { normalizeSlackEvent } from './normalize';
import { SLACK_PROFILE } from './slack-profile';

export interface SlackAdapterOptions {
  connection: string;
  botToken: string;
  mode: 'http' | 'socket';
  signingSecret?: string;
  appToken?: string;
  eventsPath?: string;
  /** Web API base URL with a trailing slash (Bolt `clientOptions.slackApiUrl`). */
  apiUrl?: string;
  logger: JsonLogger;
  now?: () => Date;
  /**
   * Socket mode: how long to wait for a pong (Bolt's `clientPingTimeout`, default 5 s), which also paces reconnects
   * (the n-th consecutive attempt waits n times this).
   */
  clientPingTimeoutMs?: number;
}

/** Slack errors after which sending the same message again cannot succeed. */
const TRANSIENT_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/**
 * L5: the largest Events API body we take. One event per request; a message holds at most 40,000 characters of
 * text, repeated in its rich_text blocks, plus attachments and metadata: 512 KiB holds that with room.
 */
export const SLACK_MAX_EVENT_BYTES = 512 * 1024;

type MessageBody = { event_id?: string; event?: { user?: unknown; bot_id?: unknown; subtype?: unknown } };

export class SlackAdapter implements PlatformAdapter {
  readonly platform = 'slack' as const;
  readonly profile: CapabilityProfile = SLACK_PROFILE;
  private readonly client: webApi.WebClient;
  private readonly names = new LookupCache<{ displayName: string; username?: string }>({ ttlMs: 60 * 60_000 });
  private readonly handled = new RecentIds(10_000);
  private app?: App;
  private receiver?: HTTPReceiver;
  private bot?: { userId: string; botId?: string; teamId?: string; teamName?: string };
  /** Socket mode: the socket is connected (Slack said hello); reconnecting or disconnected otherwise. */
  private socketConnected = false;

  constructor(private readonly o: SlackAdapterOptions) {
    this.client = new webApi.WebClient(o.botToken, this.clientOptions());
  }

  private clientOptions(): webApi.WebClientOptions {
    return {
      ...(this.o.apiUrl ? { slackApiUrl: this.o.apiUrl } : {}),
      // Outbound retries belong to the kit (nak with backoff; a 429 waits exactly its Retry-After there); a look-up
      // failure falls back to the user id.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: boltLogger(this.o.logger),
    };
  }

  async start(sink: InboundSink): Promise<void> {
    const logger = boltLogger(this.o.logger);
    const clientOptions = this.clientOptions();
    let app: App;
    if (this.o.mode === 'socket') {
      if (!this.o.appToken) throw new Error('socket mode needs SLACK_APP_TOKEN');
      const receiver = new SocketModeReceiver({
        appToken: this.o.appToken,
        logger,
        installerOptions: { clientOptions },
        ...(this.o.clientPingTimeoutMs ? { clientPingTimeout: this.o.clientPingTimeoutMs } : {}),
      });
      // The SocketModeClient reconnects on its own and only says so through these events.
      receiver.client.on('connected', () => (this.socketConnected = true));
      for (const state of ['connecting', 'reconnecting', 'disconnecting', 'disconnected']) receiver.client.on(state, () => (this.socketConnected = false));
      app = new App({ token: this.o.botToken, receiver, socketMode: true, appToken: this.o.appToken, clientOptions, logger, deferInitialization: true });
    } else {
      if (!this.o.signingSecret) throw new Error('http mode needs SLACK_SIGNING_SECRET');
      this.receiver = new HTTPReceiver({
        signingSecret: this.o.signingSecret,
        endpoints: this.o.eventsPath ?? '/slack/events',
        // Answer only after the message is stored (or buffered): a failure becomes a 500 and Slack retries.
        processBeforeResponse: true,
        logger,
      });
      app = new App({ token: this.o.botToken, receiver: this.receiver, clientOptions, logger, deferInitialization: true });
    }
    app.event('message', async ({ body, context }) => this.onMessage(sink, body as MessageBody, context.retryNum));
    app.error(async (e) => this.o.logger.error('slack event not handled', { error: e.message }));
    try {
      await app.init(); // auth.test: a wrong token fails here
      const auth = await this.client.auth.test();
      // auth.test names the installing workspace: the title of its space, with no call per message.
      this.bot = { userId: String(auth.user_id), botId: auth.bot_id, teamId: auth.team_id, teamName: auth.team };
      if (this.o.mode === 'socket') await app.start();
    } catch (e) {
      this.receiver = undefined;
      if (this.o.mode === 'socket') await app.stop().catch(() => undefined);
      throw startError(e);
    }
    this.app = app;
    this.o.logger.info('slack connected', { mode: this.o.mode, botUserId: this.bot.userId });
  }

  /** HTTP mode: started is receiving. Socket mode: the socket is connected. */
  receiving(): boolean {
    return this.o.mode === 'http' || this.socketConnected;
  }

  private async onMessage(sink: InboundSink, body: MessageBody, retryNum?: number): Promise<void> {
    const eventId = typeof body.event_id === 'string' ? body.event_id : undefined;
    if (eventId && this.handled.has(eventId)) {
      this.o.logger.info('slack event delivered again; ignored as a duplicate', { eventId, retryNum });
      return;
    }
    const bot = this.bot ?? { userId: '' };
    const user = typeof body.event?.user === 'string' ? body.event.user : undefined;
    const fromPerson = user && user !== bot.userId && body.event?.bot_id === undefined && body.event?.subtype === undefined;
    const names = fromPerson ? await this.lookUpNames(user) : undefined;
    const result = normalizeSlackEvent(body, {
      connection: this.o.connection,
      botUserId: bot.userId,
      botId: bot.botId,
      teamId: bot.teamId,
      receivedAt: this.now(),
      names,
      mentionNames: (id) => this.names.peek(id)?.displayName,
    });
    if (result.kind === 'message' && result.message.space && result.message.space.id === bot.teamId && bot.teamName) {
      result.message.space = { ...result.message.space, title: bot.teamName };
    }
    await deliver(sink, result, this.o.logger, eventId ? { eventId } : {});
    if (eventId) this.handled.add(eventId);
  }

  private async lookUpNames(user: string): Promise<{ displayName?: string; username?: string } | undefined> {
    try {
      return await this.names.get(user, async () => {
        const r = await this.client.users.info({ user });
        const p = r.user?.profile;
        return { displayName: p?.display_name || p?.real_name || r.user?.real_name || r.user?.name || user, username: r.user?.name };
      });
    } catch (e) {
      this.o.logger.warn('slack users.info failed; using the user id as display name', { user, error: describeSlackError(e).message });
      return undefined;
    }
  }

  webhooks(): WebhookRoute[] {
    if (this.o.mode !== 'http') return [];
    return [
      {
        method: 'POST',
        path: this.o.eventsPath ?? '/slack/events',
        requiredHeader: 'X-Slack-Signature',
        maxBodyBytes: SLACK_MAX_EVENT_BYTES,
        handle: async (req, res, raw) => {
          const receiver = this.receiver;
          if (!receiver || !this.app) {
            res.writeHead(503).end();
            return;
          }
          // Bolt reads an already-buffered body from `rawBody` and verifies the signature over exactly these bytes.
          (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
          await new Promise<void>((resolve) => {
            res.once('finish', resolve);
            res.once('close', resolve);
            receiver.requestListener(req, res);
          });
          if (res.statusCode === 401) this.o.logger.error('slack events request refused: missing, wrong or stale signature');
          else if (res.statusCode === 400) this.o.logger.error('slack events request refused: body is not valid JSON');
        },
      },
    ];
  }

  async stop(): Promise<void> {
    if (this.o.mode === 'socket') await this.app?.stop().catch((e) => this.o.logger.warn('slack stop failed', { error: (e as Error).message }));
    this.app = undefined;
    this.receiver = undefined;
  }

  /** Returns `<channel>:<ts>`. A 429 comes back as RateLimited with its Retry-After (the kit waits exactly that). */
  async send(c: OutboundChunk): Promise<string> {
    // A reply to a channel message starts a thread under it (Slack's way to answer one message); inside a thread
    // the reply stays there. Only messages of this channel (`<channel>:<ts>`) can be replied to.
    const repliedTs = c.replyToMessageId?.startsWith(`${c.conversationId}:`) ? c.replyToMessageId.slice(c.conversationId.length + 1) : undefined;
    const threadTs = c.threadId ?? repliedTs;
    try {
      const r = await this.client.chat.postMessage({
        channel: c.conversationId,
        text: c.text,
        mrkdwn: c.formatted,
        unfurl_links: false,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      return `${c.conversationId}:${String(r.ts)}`;
    } catch (e) {
      throw toSlackSendError(e, 'chat.postMessage');
    }
  }

  async edit(e: OutboundEdit): Promise<void> {
    try {
      await this.client.chat.update({ channel: e.conversationId, ts: e.messageId.split(':').pop()!, text: e.text });
    } catch (err) {
      throw toSlackSendError(err, 'chat.update');
    }
  }

  async connectionTest(): Promise<ConnectionTestResult> {
    try {
      const r = await this.client.auth.test();
      return { ok: true, bot: { id: String(r.user_id), name: String(r.user ?? r.bot_id ?? r.user_id) }, latencyMs: 0 };
    } catch (e) {
      throw describeSlackError(e);
    }
  }

  private now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }
}

/** Web API / Bolt errors → messages an operator can act on (never a token). */
export function describeSlackError(e: unknown): Error {
  const code = (e as { data?: { error?: string } }).data?.error ?? (e as { original?: { data?: { error?: string } } }).original?.data?.error;
  if (code === 'invalid_auth' || code === 'not_authed' || code === 'token_revoked' || code === 'account_inactive') {
    return new Error(`Slack rejected the token (${code}): check SLACK_BOT_TOKEN (and SLACK_APP_TOKEN in socket mode)`);
  }
  if (code) return new Error(`Slack API error: ${code}`);
  return new Error(`Slack: ${redactSecrets(e instanceof Error ? e.message : String(e))}`);
}

/** Slack's answers that no retry can change: the token is wrong, revoked, or its account is gone. */
const CREDENTIAL_ERRORS = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'account_inactive', 'token_expired']);

/** A rejected token stops the kit's retries (NonRetryablePlatformError) until Reconnect or a restart. */
function startError(e: unknown): Error {
  const described = describeSlackError(e);
  const code = (e as { data?: { error?: string } }).data?.error ?? (e as { original?: { data?: { error?: string } } }).original?.data?.error;
  return code && CREDENTIAL_ERRORS.has(code) ? new NonRetryablePlatformError(described.message, { cause: e }) : described;
}

function toSlackSendError(e: unknown, method: string): Error {
  const limited = e as { code?: string; retryAfter?: number };
  if (limited.code === webApi.ErrorCode.RateLimitedError) return new RateLimited((limited.retryAfter ?? 1) * 1000, `slack ${method}: rate limited`);
  const code = (e as { data?: { error?: string } }).data?.error;
  if (code === 'msg_too_long') return new MessageTooLong(`slack ${method} refused: ${code}`);
  if (code && !TRANSIENT_ERRORS.has(code)) return new PermanentSendError(`slack ${method} refused: ${code}`, { cause: e });
  return describeSlackError(e);
}
