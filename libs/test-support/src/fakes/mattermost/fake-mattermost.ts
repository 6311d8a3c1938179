/**
 * A local Mattermost server speaking the parts of REST API v4 and the WebSocket API a gateway uses.
 * Wire format: see README.md beside this file.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket, WebSocketServer } from 'ws';
import { CallLog, FakeRequest, FakeResponse, RecordingHttpServer } from '../http-recorder';

export interface MattermostUser {
  id: string;
  username: string;
  first_name?: string;
  last_name?: string;
  nickname?: string;
  is_bot?: boolean;
}

export type MattermostChannelType = 'O' | 'P' | 'D' | 'G';

export interface MattermostChannel {
  id: string;
  type: MattermostChannelType;
  /** '' for D and G channels, as on a real server. */
  team_id: string;
  name: string;
  display_name: string;
}

export interface MattermostPost {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  user_id: string;
  channel_id: string;
  root_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  pending_post_id?: string;
}

export interface FakeMattermostOptions {
  /** The only access token the server accepts. */
  token: string;
  bot: MattermostUser;
  users?: MattermostUser[];
  channels?: MattermostChannel[];
  /** Teams by id (GET /api/v4/teams/:id answers `{ id, name, display_name, type }`). */
  teams?: { id: string; name: string; display_name: string }[];
}

/** Mattermost ids: 26 characters of [a-z0-9]. */
export function mattermostId(): string {
  const alphabet = 'abcdefghijkmnopqrstuwxyz0123456789';
  return Array.from(randomBytes(26), (b) => alphabet[b % alphabet.length]).join('');
}

const SESSION_EXPIRED = {
  id: 'api.context.session_expired.app_error',
  message: 'Invalid or expired session, please login again.',
  detailed_error: '',
  status_code: 401,
};

interface Session {
  socket: WebSocket;
  seq: number;
  connectionId: string;
}

export class FakeMattermost {
  readonly users = new Map<string, MattermostUser>();
  readonly channels = new Map<string, MattermostChannel>();
  readonly posts = new Map<string, MattermostPost>();
  /** Every authentication challenge received, with whether it succeeded. */
  readonly authAttempts: { ok: boolean; at: number }[] = [];
  private sessions = new Set<Session>();
  private sessionWaiters: (() => void)[] = [];
  private wss!: WebSocketServer;
  private http!: RecordingHttpServer;

  private constructor(readonly options: FakeMattermostOptions) {
    for (const u of [options.bot, ...(options.users ?? [])]) this.users.set(u.id, u);
    for (const c of options.channels ?? []) this.channels.set(c.id, c);
  }

  static async start(options: FakeMattermostOptions): Promise<FakeMattermost> {
    const fake = new FakeMattermost(options);
    const log = new CallLog();
    fake.http = await RecordingHttpServer.start(
      {
        recordHeaders: ['authorization', 'content-type'],
        routes: [
          { method: 'GET', pattern: '/api/v4/users/me', handle: (r) => fake.authed(r, () => ({ status: 200, body: fake.options.bot })) },
          { method: 'GET', pattern: '/api/v4/users/:id', handle: (r) => fake.authed(r, () => fake.getUser(r.params.id)) },
          { method: 'GET', pattern: '/api/v4/teams/:id', handle: (r) => fake.authed(r, () => fake.getTeam(r.params.id)) },
          { method: 'GET', pattern: '/api/v4/users/:id/channels', handle: (r) => fake.authed(r, () => fake.channelsOf(r.params.id)) },
          { method: 'GET', pattern: '/api/v4/channels/:id/posts', handle: (r) => fake.authed(r, () => fake.postsOf(r.params.id, r.query)) },
          { method: 'POST', pattern: '/api/v4/posts', handle: (r) => fake.authed(r, () => fake.createPost(r)) },
          { method: 'PUT', pattern: '/api/v4/posts/:id/patch', handle: (r) => fake.authed(r, () => fake.patchPost(r)) },
          { method: 'POST', pattern: '/api/v4/users/:id/typing', handle: (r) => fake.authed(r, () => fake.typing(r)) },
        ],
        notFound: () => ({ status: 404, body: { id: 'api.context.404.app_error', message: 'Sorry, we could not find the page.', status_code: 404 } }),
      },
      log,
    );
    fake.wss = new WebSocketServer({ server: fake.http.server, path: '/api/v4/websocket' });
    fake.wss.on('connection', (socket) => fake.onSocket(socket));
    return fake;
  }

  get url(): string {
    return this.http.url;
  }

  get log(): CallLog {
    return this.http.log;
  }

  /** Calls a user would notice (creating posts); a silently denied message must cause none. */
  userFacingCalls() {
    return this.log.filter((c) => c.method !== 'GET');
  }

  createdPosts(): MattermostPost[] {
    return [...this.posts.values()].filter((p) => p.user_id === this.options.bot.id);
  }

  addUser(user: MattermostUser): void {
    this.users.set(user.id, user);
  }

  addChannel(channel: MattermostChannel): void {
    this.channels.set(channel.id, channel);
  }

  get authenticatedSockets(): number {
    return this.sessions.size;
  }

  /** Resolves once at least `count` sockets have passed the authentication challenge. */
  async waitForSockets(count = 1, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sessions.size < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.sessions.size} authenticated sockets after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.sessionWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** A user writes `message` in `channelId`: the post is stored and a `posted` event goes to every socket. */
  userPosts(input: {
    userId: string;
    channelId: string;
    message: string;
    rootId?: string;
    props?: Record<string, unknown>;
    type?: string;
    /** `sender_name` in the event; defaults to `@<username>` of a known user. */
    senderName?: string;
  }): MattermostPost {
    const post = this.storePost({
      user_id: input.userId,
      channel_id: input.channelId,
      root_id: input.rootId ?? '',
      message: input.message,
      type: input.type ?? '',
      props: input.props ?? { disable_group_highlight: true },
    });
    this.emitPosted(post, input.senderName);
    return post;
  }

  /** A new post, stamped now, kept as the server keeps posts (what REST reads return later). */
  private storePost(fields: Pick<MattermostPost, 'user_id' | 'channel_id' | 'root_id' | 'message' | 'type' | 'props' | 'pending_post_id'>): MattermostPost {
    const now = Date.now();
    const post: MattermostPost = { id: mattermostId(), create_at: now, update_at: now, edit_at: 0, delete_at: 0, ...fields };
    this.posts.set(post.id, post);
    return post;
  }

  /** Sends a `posted` event for an existing post again (e.g. what a client sees after a resync). */
  emitPosted(post: MattermostPost, senderName?: string): void {
    const channel = this.channels.get(post.channel_id);
    if (!channel) throw new Error(`fake: unknown channel ${post.channel_id}`);
    const sender = this.users.get(post.user_id);
    // As the server does: the ids of the users the post @-mentions, as a JSON string, only when there are some.
    const everyone = [this.options.bot, ...this.users.values()];
    const mentioned = everyone.filter((u) => new RegExp(`(^|[^\\w.-])@${u.username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'i').test(post.message));
    this.emit('posted', {
      channel_display_name: channel.display_name,
      channel_name: channel.name,
      channel_type: channel.type,
      ...(mentioned.length ? { mentions: JSON.stringify(mentioned.map((u) => u.id)) } : {}),
      post: JSON.stringify(post),
      sender_name: senderName ?? (sender ? `@${sender.username}` : ''),
      set_online: true,
      team_id: channel.team_id,
    }, { channel_id: channel.id, team_id: '', user_id: '', omit_users: null });
  }

  /** The author deletes a post: a `post_deleted` event; the post stays, with `delete_at` set, as on a server. */
  deletePost(postId: string): void {
    const post = this.posts.get(postId);
    if (!post) throw new Error(`fake: unknown post ${postId}`);
    const now = Date.now();
    Object.assign(post, { message: '', delete_at: now, update_at: now });
    this.emit('post_deleted', { post: JSON.stringify(post) }, { channel_id: post.channel_id, team_id: '', user_id: '', omit_users: null });
  }

  /** The author edits a post: a `post_edited` event. */
  editPost(postId: string, message: string): void {
    const post = this.posts.get(postId);
    if (!post) throw new Error(`fake: unknown post ${postId}`);
    const now = Date.now();
    Object.assign(post, { message, edit_at: now, update_at: now });
    this.emit('post_edited', { post: JSON.stringify(post) }, { channel_id: post.channel_id, team_id: '', user_id: '', omit_users: null });
  }

  /** Any event to every authenticated socket, with each socket's next seq (or `seqOverride` to break the order). */
  emit(event: string, data: Record<string, unknown>, broadcast: Record<string, unknown> = {}, seqOverride?: number): void {
    for (const s of this.sessions) {
      const seq = seqOverride ?? s.seq++;
      s.socket.send(JSON.stringify({ event, data, broadcast, seq }));
    }
  }

  /** A raw frame (possibly not JSON) to every authenticated socket. */
  sendRaw(frame: string): void {
    for (const s of this.sessions) s.socket.send(frame);
  }

  /**
   * While true, every authentication challenge is answered with the documented FAIL (as when the bot's token is
   * revoked server-side): together with `dropSockets`, the client stays disconnected until it is set back.
   */
  refuseAuthentication = false;

  /** The server drops every connection (the client must reconnect). */
  dropSockets(): void {
    for (const s of this.sessions) s.socket.terminate();
    this.sessions.clear();
  }

  async close(): Promise<void> {
    this.dropSockets();
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.http.close();
  }

  private onSocket(socket: WebSocket): void {
    this.log.record({ method: 'GET', path: '/api/v4/websocket', query: {}, headers: {}, body: '', at: Date.now() });
    socket.on('message', (raw) => {
      let msg: { seq?: number; action?: string; data?: { token?: string } };
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        return;
      }
      if (msg.action !== 'authentication_challenge') return;
      const ok = !this.refuseAuthentication && msg.data?.token === this.options.token;
      this.authAttempts.push({ ok, at: Date.now() });
      if (!ok) {
        socket.send(JSON.stringify({
          status: 'FAIL',
          seq_reply: msg.seq,
          error: { id: 'api.web_socket_router.not_authenticated.app_error', message: 'Not authenticated', status_code: 401 },
        }));
        return;
      }
      const session: Session = { socket, seq: 0, connectionId: mattermostId() };
      socket.send(JSON.stringify({ status: 'OK', seq_reply: msg.seq }));
      socket.send(JSON.stringify({
        event: 'hello',
        data: { connection_id: session.connectionId, server_version: '9.11.0.fake' },
        broadcast: { omit_users: null, user_id: this.options.bot.id, channel_id: '', team_id: '' },
        seq: session.seq++,
      }));
      this.sessions.add(session);
      socket.on('close', () => this.sessions.delete(session));
      const waiters = this.sessionWaiters.splice(0);
      waiters.forEach((w) => w());
    });
  }

  private authed(req: FakeRequest, then: () => FakeResponse): FakeResponse {
    // The official client sends `BEARER`; servers match the scheme case-insensitively.
    const m = /^bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
    if (!m || m[1] !== this.options.token) return { status: 401, body: { ...SESSION_EXPIRED, request_id: mattermostId() } };
    return then();
  }

  private getTeam(id: string): FakeResponse {
    const team = this.options.teams?.find((t) => t.id === id);
    if (!team) return { status: 404, body: { id: 'app.team.get.find.app_error', message: 'We couldn’t find the existing team.', status_code: 404 } };
    return { status: 200, body: { ...team, type: 'O', delete_at: 0 } };
  }

  private getUser(id: string): FakeResponse {
    const user = this.users.get(id);
    if (user) return { status: 200, body: user };
    return { status: 404, body: { id: 'app.user.missing_account.const', message: 'Unable to find the user.', status_code: 404 } };
  }

  /** The bot is a member of every channel the fake knows; another user's list needs a permission the bot lacks. */
  private channelsOf(userId: string): FakeResponse {
    if (userId !== 'me' && userId !== this.options.bot.id) {
      return { status: 403, body: { id: 'api.context.permissions.app_error', message: 'You do not have the appropriate permissions.', status_code: 403 } };
    }
    return { status: 200, body: [...this.channels.values()] };
  }

  /**
   * `since` (ms): every post modified after it (update_at), at most 1,000; otherwise `page` / `per_page` (default
   * 60) of the newest. Either way a PostList, `order` newest first.
   */
  private postsOf(channelId: string, query: Record<string, string>): FakeResponse {
    if (!this.channels.has(channelId)) {
      return { status: 404, body: { id: 'app.channel.get.existing.app_error', message: 'Unable to find the existing channel.', status_code: 404 } };
    }
    const since = Number(query.since ?? 0);
    const newestFirst = [...this.posts.values()].filter((p) => p.channel_id === channelId).sort((a, b) => b.create_at - a.create_at);
    let chosen: MattermostPost[];
    if (since > 0) chosen = newestFirst.filter((p) => p.update_at > since).slice(0, 1_000);
    else {
      const perPage = Number(query.per_page ?? 60);
      const page = Number(query.page ?? 0);
      chosen = newestFirst.filter((p) => p.delete_at === 0).slice(page * perPage, (page + 1) * perPage);
    }
    return {
      status: 200,
      body: { order: chosen.map((p) => p.id), posts: Object.fromEntries(chosen.map((p) => [p.id, p])), next_post_id: '', prev_post_id: '', has_next: false },
    };
  }

  /** Mattermost refuses a message over MaxPostSize (16,383 characters) when it checks the post. */
  private tooLong(message: string | undefined): FakeResponse | undefined {
    if ((message ?? '').length <= 16_383) return undefined;
    return { status: 400, body: { id: 'model.post.is_valid.msg.app_error', message: 'Invalid Message: message too long', status_code: 400 } };
  }

  /** POST /users/:id/typing (server ≥ 5.26): needs a channel the server knows; publishes the `typing` event. */
  private typing(req: FakeRequest): FakeResponse {
    const body = (req.body ?? {}) as { channel_id?: string };
    if (!body.channel_id || !this.channels.has(body.channel_id)) {
      return { status: 400, body: { id: 'api.context.invalid_body_param.app_error', message: 'Invalid or missing channel_id in request body.', status_code: 400 } };
    }
    return { status: 200, body: { status: 'OK' } };
  }

  /** Edits of the bot's posts, by post id, in order. */
  readonly edits = new Map<string, string[]>();

  private patchPost(req: FakeRequest): FakeResponse {
    const post = this.posts.get(req.params.id);
    if (!post) return { status: 404, body: { id: 'app.post.get.app_error', message: 'Unable to get the post.', status_code: 404 } };
    const body = (req.body ?? {}) as { message?: string };
    const refused = this.tooLong(body.message);
    if (refused) return refused;
    post.message = body.message ?? post.message;
    this.edits.set(post.id, [...(this.edits.get(post.id) ?? []), post.message]);
    return { status: 200, body: post };
  }

  private createPost(req: FakeRequest): FakeResponse {
    const body = (req.body ?? {}) as { channel_id?: string; message?: string; root_id?: string; pending_post_id?: string };
    const tooLong = this.tooLong(body.message);
    if (tooLong) return tooLong;
    const channel = body.channel_id ? this.channels.get(body.channel_id) : undefined;
    if (!channel) {
      return { status: 400, body: { id: 'api.context.invalid_body_param.app_error', message: 'Invalid or missing channel_id in request body.', status_code: 400 } };
    }
    if (body.pending_post_id) {
      const existing = [...this.posts.values()].find((p) => p.pending_post_id === body.pending_post_id);
      if (existing) return { status: 201, body: existing };
    }
    const post = this.storePost({
      user_id: this.options.bot.id,
      channel_id: channel.id,
      root_id: body.root_id ?? '',
      message: body.message ?? '',
      type: '',
      props: {},
      pending_post_id: body.pending_post_id,
    });
    // A real server echoes the bot's own post to its websocket like any other (here before the HTTP answer).
    this.emitPosted(post);
    return { status: 201, body: post };
  }
}
