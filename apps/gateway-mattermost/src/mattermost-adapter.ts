/**
 * PlatformAdapter for Mattermost: WebSocket `posted` events in (plus the posts missed while the websocket was down,
 * fetched over REST after each connection), REST v4 posts out.
 */
import type { CapabilityProfile, ConnectionTestResult } from '@twokey/contracts';
import { AdapterProblem, clipHint, InboundSink, LookupCache, MessageTooLong, NonRetryablePlatformError, OutboundChunk, OutboundEdit, OutboundTarget, PermanentSendError, PlatformAdapter, RateLimited } from '@twokey/gateway-kit';
import { MATTERMOST_PROFILE } from './mattermost-profile';
import { displayNameOf, MattermostApi, MattermostApiError } from './api';
import type { BackoffOptions } from './backoff';
import { normalizeSocketEvent } from './normalize';
import { type MissedPost, MissedPosts } from './missed-posts';
import { MattermostSocket, SocketLogger } from './socket';
import type { SocketEvent } from './wire';

/** Delay before a failed catch-up (REST unreachable, 5xx …) is tried again while the websocket stays open. */
const CATCH_UP_RETRY_MS = 5_000;

export interface MattermostAdapterOptions {
  connection: string;
  baseUrl: string;
  token: string;
  groupTeamId?: string;
  /** MATTERMOST_ALLOW_APP_POSTS: admit plugin / OAuth-app posts made in a user's name. */
  allowAppPosts?: boolean;
  logger: SocketLogger;
  now?: () => Date;
  backoff?: BackoffOptions;
  pingIntervalMs?: number;
  catchUpRetryMs?: number;
}

export class MattermostAdapter implements PlatformAdapter {
  readonly platform = 'mattermost' as const;
  readonly api: MattermostApi;
  private socket?: MattermostSocket;
  private sink?: InboundSink;
  readonly profile: CapabilityProfile = MATTERMOST_PROFILE;
  private botUserId?: string;
  private botUsername?: string;
  private readonly names = new LookupCache<string>();
  /** Team display names by team id; null (also cached) when the server would not say. */
  private readonly teamNames = new LookupCache<string | null>({ ttlMs: 60 * 60_000 });
  private readonly now: () => Date;
  private readonly missed = new MissedPosts();
  private catchUpRunning = false;
  private catchUpAgain = false;
  private catchUpTimer?: NodeJS.Timeout;
  private stopped = false;
  /** The token was rejected (401/403 on REST): no more reconnects until Reconnect or a restart. */
  private halted?: NonRetryablePlatformError;

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
    this.stopped = false;
    this.halted = undefined;
    let me;
    try {
      me = await this.api.me();
    } catch (e) {
      throw tokenRejected(e) ?? e;
    }
    this.botUserId = me.id;
    this.botUsername = me.username;
    this.missed.startAt(this.api.serverTimeMs ?? this.now().getTime());
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
      onOpen: () => void this.catchUp(),
      onAuthRejected: () => void this.checkToken(),
    });
    this.socket.start();
  }

  /** Hands the posts missed since the newest one seen to the `posted` path; runs after every connection. */
  private async catchUp(): Promise<void> {
    if (this.catchUpRunning) {
      this.catchUpAgain = true;
      return;
    }
    this.catchUpRunning = true;
    clearTimeout(this.catchUpTimer);
    try {
      do {
        this.catchUpAgain = false;
        await this.catchUpOnce();
      } while (this.catchUpAgain && !this.stopped);
    } catch (e) {
      const retryMs = this.options.catchUpRetryMs ?? CATCH_UP_RETRY_MS;
      this.options.logger.warn('mattermost: could not fetch the posts missed while disconnected; retrying', { error: (e as Error).message, retryMs });
      if (!this.stopped) this.catchUpTimer = setTimeout(() => void this.catchUp(), retryMs);
    } finally {
      this.catchUpRunning = false;
    }
  }

  private async catchUpOnce(): Promise<void> {
    const since = this.missed.since;
    if (!this.botUserId || since === undefined) return;
    const channels = await this.api.channelsOf(this.botUserId);
    const answers = [];
    for (const channel of channels) answers.push({ channel, list: await this.api.postsSince(channel.id, since) });
    const { missed, truncated } = this.missed.select(since, answers);
    for (const channel of truncated) {
      this.options.logger.warn('mattermost: a channel had more missed posts than one request returns; older ones were not fetched', { channel });
    }
    for (const m of missed) {
      if (this.stopped) return;
      await this.onEvent(postedEvent(m));
      this.missed.saw(m.post.id, m.post.create_at);
    }
    const fields = { channels: channels.length, missed: missed.length, since: new Date(since).toISOString() };
    if (missed.length > 0) this.options.logger.info('mattermost: handled posts missed while disconnected', fields);
    else this.options.logger.debug('mattermost: no post missed while disconnected', fields);
  }

  private async onEvent(event: SocketEvent): Promise<void> {
    const sink = this.sink;
    if (!sink || !this.botUserId) return;
    const result = normalizeSocketEvent(event, {
      connection: this.options.connection,
      botUserId: this.botUserId,
      receivedAt: this.now(),
      groupTeamId: this.options.groupTeamId,
      botUsername: this.botUsername,
      allowAppPosts: this.options.allowAppPosts,
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
        // A group DM without a team is its own space, already titled by the event; a team's name is asked for only
        // when an admin looks (spaceTitle), after the decision.
        await sink.publish(message);
        this.missed.saw(message.platformMessageId, Date.parse(message.sentAt));
      }
    }
  }

  /** GET /teams/:id, cached (failures too): asked through the space-title RPC when an admin looks, never per post. */
  async spaceTitle(teamId: string): Promise<string | undefined> {
    const name = await this.teamNames.get(teamId, async () => {
      try {
        return clipHint((await this.api.team(teamId)).display_name) ?? null;
      } catch (e) {
        this.options.logger.warn('mattermost team lookup failed; showing the team id', { teamId, error: (e as Error).message });
        return null;
      }
    });
    return name ?? undefined;
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

  /**
   * The websocket refused the token. A server can refuse a challenge for other reasons, so REST decides: a 401/403
   * there means the token is dead and reconnecting only repeats the refusal (issue 19): the socket stops.
   */
  private async checkToken(): Promise<void> {
    try {
      await this.api.me();
    } catch (e) {
      const rejected = tokenRejected(e);
      if (!rejected || this.stopped) return;
      this.halted = rejected;
      this.options.logger.error(`${rejected.message}; not reconnecting until Reconnect or a restart`);
      await this.socket?.stop();
    }
  }

  /** The websocket is open and authenticated (not reconnecting, not refused). */
  receiving(): boolean {
    return this.socket?.current === 'open';
  }

  problem(): AdapterProblem | undefined {
    return this.halted ? { reason: this.halted.message, halted: true } : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.catchUpTimer);
    await this.socket?.stop();
    this.socket = undefined;
  }

  /**
   * POST /api/v4/posts. `pending_post_id` = the chunk's key, so a retry the server already accepted returns the
   * first post instead of posting twice. A 4xx other than 401/429 (unknown channel, no permission, invalid root)
   * cannot succeed on retry: PermanentSendError.
   */
  async send(c: OutboundChunk): Promise<string> {
    try {
      const post = await this.api.createPost({
        channel_id: c.conversationId,
        message: c.text,
        // Mattermost threads hang off a root post: reply into the thread, or start one under the message.
        root_id: c.threadId ?? c.replyToMessageId ?? '',
        pending_post_id: c.chunkKey,
      });
      return post.id;
    } catch (e) {
      throw toMattermostSendError(e);
    }
  }

  async edit(e: OutboundEdit): Promise<void> {
    try {
      await this.api.patchPost(e.messageId, e.text);
    } catch (err) {
      throw toMattermostSendError(err);
    }
  }

  /** The typing event (what the websocket's user_typing action publishes), through REST. */
  async typing(t: OutboundTarget): Promise<void> {
    try {
      await this.api.typing(this.botUserId ?? 'me', t.conversationId, t.threadId);
    } catch (e) {
      throw toMattermostSendError(e);
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

/** A 401/403 from REST: the token is wrong or revoked. */
function tokenRejected(e: unknown): NonRetryablePlatformError | undefined {
  if (!(e instanceof MattermostApiError) || (e.status !== 401 && e.status !== 403)) return undefined;
  return new NonRetryablePlatformError(`Mattermost rejected MATTERMOST_TOKEN (${e.status} ${e.id ?? ''}): ${e.detail}`, { cause: e });
}

/** The `posted` event a websocket would have delivered for a fetched post (sender_name: resolved by user lookup). */
function postedEvent({ post, channel }: MissedPost): SocketEvent {
  return {
    event: 'posted',
    seq: 0,
    broadcast: { channel_id: channel.id, team_id: '', user_id: '', omit_users: null },
    data: {
      channel_display_name: channel.display_name,
      channel_name: channel.name,
      channel_type: channel.type,
      post: JSON.stringify(post),
      sender_name: '',
      team_id: channel.team_id,
    },
  };
}

function toMattermostSendError(e: unknown): Error {
  if (e instanceof MattermostApiError) {
    if (e.status === 429) return new RateLimited(e.retryAfterMs ?? 1_000, e.message);
    if (e.status === 400 && /message_too_long|msg\.app_error|too long/i.test(`${e.id} ${e.detail}`)) return new MessageTooLong(e.message);
    if (e.status >= 400 && e.status < 500 && e.status !== 401) return new PermanentSendError(e.message, { cause: e });
  }
  return e instanceof Error ? e : new Error(String(e));
}
