/**
 * A local Discord: REST under `/api/v10` (gateway/bot, users/@me, channel messages) and a Gateway websocket
 * speaking the documented opcodes — HELLO (10) → IDENTIFY (2) → READY + GUILD_CREATE per guild → DISPATCH (0);
 * heartbeat (1) → ack (11); close 4004 for a bad token and 4014 when the privileged Message Content intent is
 * requested but not enabled. discord.js is pointed at it with `rest.api`; the gateway URL comes from
 * `GET /gateway/bot`, as with the real service. Every REST call lands in the call log.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { CallLog, FakeRequest, FakeResponse, RecordedCall, RecordingHttpServer } from '../http-recorder';

export interface DiscordUser {
  id: string;
  username: string;
  global_name?: string | null;
  discriminator?: string;
  bot?: boolean;
  avatar?: string | null;
}

export interface DiscordChannel {
  id: string;
  /** 0 text, 5 announcement, 10/11/12 threads, 15 forum. */
  type: number;
  name: string;
  parent_id?: string;
}

export interface DiscordGuild {
  id: string;
  name: string;
  channels: DiscordChannel[];
}

export interface FakeDiscordOptions {
  token: string;
  bot?: Partial<DiscordUser>;
  guilds?: DiscordGuild[];
  /** Whether the bot's Message Content intent is enabled in the developer portal (default true). */
  messageContentIntent?: boolean;
  heartbeatIntervalMs?: number;
  /** The per-channel message bucket (creates and edits): `writes` per `perMs`, then 429 (default 5 per 5 s). */
  channelBucket?: { writes: number; perMs: number };
}

export const MESSAGE_CONTENT_INTENT = 1 << 15;
const THREAD_TYPES = new Set([10, 11, 12]);

let sequence = 0n;
/** Snowflake-shaped ids: increasing, unique in the process. */
export function snowflake(): string {
  sequence += 1n;
  return ((BigInt(Date.now() - 1_420_070_400_000) << 22n) + sequence).toString();
}

const UNAUTHORIZED: FakeResponse = { status: 401, body: { message: '401: Unauthorized', code: 0 } };

export interface UserMessage {
  author: DiscordUser;
  channelId: string;
  guildId?: string;
  content: string;
  id?: string;
  /** Sent as `channel_type` (1 DM when there is no guild, else the channel's type). */
  channelType?: number;
  nick?: string | null;
  extra?: Record<string, unknown>;
}

export class FakeDiscord {
  readonly bot: DiscordUser;
  /** Intents sent in each IDENTIFY. */
  readonly identifies: { intents: number; token: string }[] = [];
  private readonly sockets = new Set<WebSocket>();
  private readonly ready = new Set<WebSocket>();
  private seq = 0;
  private readonly wss: WebSocketServer;
  closeCodes: number[] = [];

  private constructor(
    private readonly http: RecordingHttpServer,
    private readonly options: FakeDiscordOptions,
  ) {
    this.bot = { id: snowflake(), username: 'twokey', global_name: null, discriminator: '0', bot: true, avatar: null, ...options.bot };
    this.wss = new WebSocketServer({ server: http.server });
    this.wss.on('connection', (ws) => this.onSocket(ws));
  }

  static async start(options: FakeDiscordOptions): Promise<FakeDiscord> {
    // Routes are built before the instance exists; they reach it through this holder.
    const ref: { self?: FakeDiscord } = {};
    const http = await RecordingHttpServer.start({
      recordHeaders: ['authorization', 'content-type'],
      routes: [
        { method: 'GET', pattern: '/api/v10/gateway/bot', handle: (r) => ref.self!.auth(r, () => ref.self!.gatewayBot()) },
        { method: 'GET', pattern: '/api/v10/users/@me', handle: (r) => ref.self!.auth(r, () => ({ status: 200, body: ref.self!.bot })) },
        { method: 'POST', pattern: '/api/v10/channels/:id/messages', handle: (r) => ref.self!.auth(r, () => ref.self!.createMessage(r)) },
        { method: 'PATCH', pattern: '/api/v10/channels/:id/messages/:mid', handle: (r) => ref.self!.auth(r, () => ref.self!.editMessage(r)) },
        { method: 'POST', pattern: '/api/v10/channels/:id/typing', handle: (r) => ref.self!.auth(r, () => ({ status: 204 })) },
      ],
      notFound: () => ({ status: 404, body: { message: '404: Not Found', code: 0 } }),
    });
    ref.self = new FakeDiscord(http, options);
    return ref.self;
  }

  /** The REST base for discord.js (`rest.api`). */
  get apiUrl(): string {
    return `${this.http.url}/api`;
  }

  get log(): CallLog {
    return this.http.log;
  }

  get guilds(): DiscordGuild[] {
    return this.options.guilds ?? [];
  }

  set messageContentIntent(enabled: boolean) {
    this.options.messageContentIntent = enabled;
  }

  /** Calls a user would notice: anything but GET on a channel (messages, typing, reactions, edits …). */
  userFacingCalls(): RecordedCall[] {
    return this.log.filter((c) => c.method !== 'GET' && c.path.startsWith('/api/v10/channels/'));
  }

  /** Resolves once `count` sessions are identified and READY. */
  async waitForSessions(count = 1, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.ready.size < count) {
      if (Date.now() > deadline) throw new Error(`fewer than ${count} ready gateway sessions`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Dispatches an event (op 0) to every ready session. */
  dispatch(t: string, d: unknown): void {
    for (const ws of this.ready) ws.send(JSON.stringify({ op: 0, t, s: ++this.seq, d }));
  }

  /** Authors seen so far, so a later `<@id>` of theirs is resolved in `mentions[]` as Discord does. */
  private readonly knownUsers = new Map<string, DiscordUser>();

  /** `mentions[]`: a user object (with a partial `member` in a guild) for each `<@id>` / `<@!id>` of a known user. */
  private mentionsIn(content: string, inGuild: boolean): Record<string, unknown>[] {
    const ids = new Set([...content.matchAll(/<@!?(\d+)>/g)].map((x) => x[1]));
    const users = [this.bot, ...this.knownUsers.values()].filter((u, i, all) => ids.has(u.id) && all.findIndex((x) => x.id === u.id) === i);
    return users.map((u) => ({ ...u, ...(inGuild ? { member: { nick: null, roles: [], joined_at: new Date(0).toISOString() } } : {}) }));
  }

  /** Builds a MESSAGE_CREATE in the documented shape (see fixtures), dispatches it and returns its data. */
  userSends(m: UserMessage): Record<string, unknown> & { id: string } {
    this.knownUsers.set(m.author.id, { discriminator: '0', avatar: null, global_name: null, ...m.author } as DiscordUser);
    const d = {
      id: m.id ?? snowflake(),
      channel_id: m.channelId,
      author: { discriminator: '0', avatar: null, global_name: null, ...m.author },
      content: m.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: this.mentionsIn(m.content, m.guildId !== undefined),
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      channel_type: m.channelType ?? (m.guildId ? this.channelType(m.channelId) ?? 0 : 1),
      ...(m.guildId
        ? { guild_id: m.guildId, member: { nick: m.nick ?? null, roles: [], joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 } }
        : {}),
      ...m.extra,
    };
    this.dispatch('MESSAGE_CREATE', d);
    return d;
  }

  /**
   * While true, the Gateway closes every new connection at once with 4000 (unknown error, "reconnect"), as during
   * an outage on Discord's side: with `dropSessions`, the client stays disconnected until it is set back.
   */
  refuseSessions = false;

  /** Closes every gateway session with `code` (e.g. 4000 to make the client resume or reconnect). */
  dropSessions(code = 4000): void {
    for (const ws of this.sockets) ws.close(code, 'fake closed the session');
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.http.close();
  }

  private channelType(id: string): number | undefined {
    return this.guilds.flatMap((g) => g.channels).find((c) => c.id === id)?.type;
  }

  private auth(req: FakeRequest, ok: () => FakeResponse): FakeResponse {
    return req.headers.authorization === `Bot ${this.options.token}` ? ok() : UNAUTHORIZED;
  }

  private gatewayBot(): FakeResponse {
    const port = (this.http.server.address() as AddressInfo).port;
    return {
      status: 200,
      body: {
        url: `ws://127.0.0.1:${port}`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      },
    };
  }

  /** Messages the bot created, by id (content as last set, and every edit). */
  readonly sent = new Map<string, { channelId: string; content: string; edits: string[]; allowedMentions?: unknown }>();

  /** Discord's answer for content over 2,000 characters (Invalid Form Body, BASE_TYPE_MAX_LENGTH). */
  private contentError(content: string | undefined): FakeResponse | undefined {
    if (!content) return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } };
    if (content.length > 2000) {
      return {
        status: 400,
        body: { message: 'Invalid Form Body', code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } } },
      };
    }
    return undefined;
  }

  /** Each 429 the channel bucket answered. */
  readonly rateLimited: { channelId: string; at: number }[] = [];
  private readonly channelWrites = new Map<string, number[]>();

  /**
   * Discord's rate limit answer (discord.com/developers/docs/topics/rate-limits): 429 with retry_after (seconds,
   * fractional) in the body and Retry-After / X-RateLimit-* headers; discord.js waits it out and retries.
   */
  private bucket(channelId: string): FakeResponse | undefined {
    const b = this.options.channelBucket ?? { writes: 5, perMs: 5_000 };
    const now = Date.now();
    const recent = (this.channelWrites.get(channelId) ?? []).filter((t) => t > now - b.perMs);
    this.channelWrites.set(channelId, recent);
    if (recent.length < b.writes) {
      recent.push(now);
      return undefined;
    }
    this.rateLimited.push({ channelId, at: now });
    const after = Math.max(0.001, (recent[0] + b.perMs - now) / 1000);
    return {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: after, global: false },
      headers: {
        'retry-after': String(Math.ceil(after)),
        'x-ratelimit-limit': String(b.writes),
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': after.toFixed(3),
        'x-ratelimit-bucket': `channel-${channelId}`,
        'x-ratelimit-scope': 'user',
      },
    };
  }

  private createMessage(req: FakeRequest): FakeResponse {
    const limited = this.bucket(req.params.id);
    if (limited) return limited;
    const body = (req.body ?? {}) as { content?: string; allowed_mentions?: unknown };
    const refused = this.contentError(body.content);
    if (refused) return refused;
    const id = snowflake();
    this.sent.set(id, { channelId: req.params.id, content: body.content!, edits: [], allowedMentions: body.allowed_mentions });
    return {
      status: 200,
      body: { id, channel_id: req.params.id, author: this.bot, content: body.content, timestamp: new Date().toISOString(), type: 0 },
    };
  }

  private editMessage(req: FakeRequest): FakeResponse {
    const limited = this.bucket(req.params.id);
    if (limited) return limited;
    const m = this.sent.get(req.params.mid);
    if (!m || m.channelId !== req.params.id) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    const body = (req.body ?? {}) as { content?: string };
    const refused = this.contentError(body.content);
    if (refused) return refused;
    m.content = body.content!;
    m.edits.push(m.content);
    return { status: 200, body: { id: req.params.mid, channel_id: m.channelId, author: this.bot, content: m.content, edited_timestamp: new Date().toISOString(), type: 0 } };
  }

  private onSocket(ws: WebSocket): void {
    if (this.refuseSessions) {
      ws.close(4000, 'Unknown error.');
      return;
    }
    this.sockets.add(ws);
    ws.on('close', (code) => {
      this.closeCodes.push(code);
      this.sockets.delete(ws);
      this.ready.delete(ws);
    });
    ws.on('message', (raw) => {
      let p: { op?: number; d?: Record<string, unknown> | number | null };
      try {
        p = JSON.parse(raw.toString());
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      switch (p.op) {
        case 1:
          ws.send(JSON.stringify({ op: 11 }));
          return;
        case 2:
          return this.identify(ws, p.d as { token: string; intents: number });
        case 6:
          // Sessions are not resumable here: the client identifies again, as after a real invalid session.
          ws.send(JSON.stringify({ op: 9, d: false }));
          return;
        default:
          return;
      }
    });
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.options.heartbeatIntervalMs ?? 41_250 } }));
  }

  private identify(ws: WebSocket, d: { token: string; intents: number }): void {
    this.identifies.push({ intents: d.intents, token: d.token === this.options.token ? '(valid)' : '(invalid)' });
    if (d.token !== this.options.token) return ws.close(4004, 'Authentication failed.');
    if (d.intents & MESSAGE_CONTENT_INTENT && this.options.messageContentIntent === false) return ws.close(4014, 'Disallowed intent(s).');
    const port = (this.http.server.address() as AddressInfo).port;
    this.ready.add(ws);
    const send = (t: string, data: unknown) => ws.send(JSON.stringify({ op: 0, t, s: ++this.seq, d: data }));
    send('READY', {
      v: 10,
      user: this.bot,
      guilds: this.guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: `session-${snowflake()}`,
      resume_gateway_url: `ws://127.0.0.1:${port}`,
      application: { id: this.bot.id, flags: 0 },
      private_channels: [],
      relationships: [],
      user_settings: {},
      presences: [],
    });
    for (const g of this.guilds) send('GUILD_CREATE', this.guildCreate(g));
  }

  private guildCreate(g: DiscordGuild): Record<string, unknown> {
    const channel = (c: DiscordChannel) => ({ id: c.id, type: c.type, name: c.name, guild_id: g.id, position: 0, permission_overwrites: [], parent_id: c.parent_id ?? null });
    return {
      id: g.id,
      name: g.name,
      icon: null,
      owner_id: this.bot.id,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [{ id: g.id, name: '@everyone', permissions: '0', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      premium_tier: 0,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      joined_at: new Date(0).toISOString(),
      large: false,
      unavailable: false,
      member_count: 2,
      voice_states: [],
      members: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      channels: g.channels.filter((c) => !THREAD_TYPES.has(c.type)).map(channel),
      threads: g.channels
        .filter((c) => THREAD_TYPES.has(c.type))
        .map((c) => ({
          ...channel(c),
          owner_id: this.bot.id,
          message_count: 0,
          member_count: 1,
          thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date(0).toISOString(), locked: false },
        })),
    };
  }
}
