/**
 * PlatformAdapter for Mattermost: WebSocket `posted` events in, REST v4 posts out.
 */
import type { ConnectionTestResult, SendMessage } from '@twokey/contracts';
import { InboundSink, LookupCache, PermanentSendError, PlatformAdapter } from '@twokey/gateway-kit';
import { displayNameOf, MattermostApi, MattermostApiError } from './api';
import type { BackoffOptions } from './backoff';
import { normalizeSocketEvent } from './normalize';
import { MattermostSocket, SocketLogger } from './socket';
import type { SocketEvent } from './wire';

export interface MattermostAdapterOptions {
  connection: string;
  baseUrl: string;
  token: string;
  groupTeamId?: string;
  logger: SocketLogger;
  now?: () => Date;
  backoff?: BackoffOptions;
  pingIntervalMs?: number;
}

export class MattermostAdapter implements PlatformAdapter {
  readonly platform = 'mattermost' as const;
  readonly api: MattermostApi;
  private socket?: MattermostSocket;
  private sink?: InboundSink;
  private botUserId?: string;
  private readonly names = new LookupCache<string>();
  private readonly now: () => Date;

  constructor(private readonly options: MattermostAdapterOptions) {
    this.api = new MattermostApi(options.baseUrl, options.token);
    this.now = options.now ?? (() => new Date());
  }

  /** The websocket, once started (tests wait on it). */
  get connectedSocket(): MattermostSocket | undefined {
    return this.socket;
  }

  /**
   * Learns the bot's user id (GET /users/me, needed to ignore its own posts), then opens the websocket. A failure
   * (rejected token, unreachable server) is thrown with the reason; the kit logs it and retries with backoff while
   * health and connection tests keep serving.
   */
  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
    let me;
    try {
      me = await this.api.me();
    } catch (e) {
      if (e instanceof MattermostApiError && (e.status === 401 || e.status === 403)) {
        throw new Error(`Mattermost rejected MATTERMOST_TOKEN (${e.status} ${e.id ?? ''}): ${e.detail}`, { cause: e });
      }
      throw e;
    }
    this.botUserId = me.id;
    this.options.logger.info('mattermost bot identified', { botUserId: me.id, username: me.username });
    this.openSocket();
  }

  private openSocket(): void {
    this.socket = new MattermostSocket({
      baseUrl: this.options.baseUrl,
      token: this.options.token,
      logger: this.options.logger,
      backoff: this.options.backoff,
      pingIntervalMs: this.options.pingIntervalMs,
      onEvent: (event) => this.onEvent(event),
    });
    this.socket.start();
  }

  private async onEvent(event: SocketEvent): Promise<void> {
    const sink = this.sink;
    if (!sink || !this.botUserId) return;
    const result = normalizeSocketEvent(event, {
      connection: this.options.connection,
      botUserId: this.botUserId,
      receivedAt: this.now(),
      groupTeamId: this.options.groupTeamId,
    });
    switch (result.kind) {
      case 'ignored':
        this.options.logger.debug('mattermost event ignored', { event: event.event, reason: result.reason });
        return;
      case 'invalid':
        sink.reject(result.reason, { event: event.event, seq: event.seq, platformMessageId: result.platformMessageId });
        return;
      case 'message': {
        const message = result.message;
        const displayName = await this.displayName(message.actor.id);
        if (displayName) message.actor = { ...message.actor, displayName };
        await sink.publish(message);
      }
    }
  }

  /** GET /users/:id, cached; on failure the event's sender_name stays (names are hints, never matched). */
  private async displayName(userId: string): Promise<string | undefined> {
    try {
      return await this.names.get(userId, async () => displayNameOf(await this.api.user(userId)));
    } catch (e) {
      this.options.logger.warn('mattermost user lookup failed; using the event sender_name', { userId, error: (e as Error).message });
      return undefined;
    }
  }

  /** The websocket is open and authenticated (not reconnecting, not refused). */
  receiving(): boolean {
    return this.socket?.current === 'open';
  }

  async stop(): Promise<void> {
    await this.socket?.stop();
    this.socket = undefined;
  }

  /**
   * POST /api/v4/posts. `pending_post_id` = the idempotency key, so a retry the server already accepted returns
   * the first post instead of posting twice. A 4xx other than 401/429 (unknown channel, no permission, invalid
   * root) cannot succeed on retry: PermanentSendError.
   */
  async send(message: SendMessage): Promise<void> {
    try {
      await this.api.createPost({
        channel_id: message.conversationId,
        message: message.text,
        // Mattermost threads hang off a root post: reply into the thread, or start one under the message.
        root_id: message.threadId ?? message.replyToMessageId ?? '',
        pending_post_id: message.idempotencyKey,
      });
    } catch (e) {
      if (e instanceof MattermostApiError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 429) {
        throw new PermanentSendError(e.message, { cause: e });
      }
      throw e;
    }
  }

  async connectionTest(): Promise<ConnectionTestResult> {
    const started = Date.now();
    try {
      const me = await this.api.me();
      return { ok: true, bot: { id: me.id, name: me.username }, latencyMs: Date.now() - started };
    } catch (e) {
      const error =
        e instanceof MattermostApiError && e.status === 401
          ? `Mattermost rejected the token (401 ${e.id ?? ''}: ${e.detail})`
          : (e as Error).message;
      return { ok: false, latencyMs: Date.now() - started, error };
    }
  }
}
