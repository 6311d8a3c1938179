/**
 * The REST v4 calls the gateway makes, over fetch. Errors keep what the caller needs: the HTTP status,
 * Mattermost's error id and message, and the request (never the token).
 */
import { z } from 'zod';
import { networkErrorCode } from '@twokey/gateway-kit';
import { ApiErrorBody, Channel, Post, PostList, User } from './wire';

/** Mattermost answered with an error status (`id` is Mattermost's stable error id). */
export class MattermostApiError extends Error {
  override readonly name = 'MattermostApiError';
  /** Set on a 429: how long the server asked us to wait. */
  retryAfterMs?: number;
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly id: string | undefined,
    readonly detail: string,
  ) {
    super(`Mattermost ${method} ${path} failed with ${status}${id ? ` ${id}` : ''}: ${detail}`);
  }
}

/** The request did not get an HTTP answer (DNS, refused, timeout …): only the error code is said, never a URL. */
export class MattermostNetworkError extends Error {
  override readonly name = 'MattermostNetworkError';
  constructor(readonly method: string, readonly path: string, cause: unknown) {
    super(`Mattermost ${method} ${path} unreachable: ${networkErrorCode(cause)}`, { cause });
  }
}

export interface CreatePost {
  channel_id: string;
  message: string;
  root_id?: string;
  /** Server-side idempotency: a repeated pending_post_id within ~30 s returns the first post. */
  pending_post_id?: string;
}

export class MattermostApi {
  private readonly base: string;
  /** The server's clock (its `Date` header, whole seconds) at the last answer: posts are stamped by that clock. */
  serverTimeMs?: number;

  constructor(baseUrl: string, private readonly token: string, private readonly timeoutMs = 10_000) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  me(): Promise<User> {
    return this.call('GET', '/api/v4/users/me').then((b) => User.parse(b));
  }

  user(id: string): Promise<User> {
    return this.call('GET', `/api/v4/users/${encodeURIComponent(id)}`).then((b) => User.parse(b));
  }

  /** GET /api/v4/teams/:id: the team's display name, for the space's title. */
  team(id: string): Promise<{ id: string; display_name: string }> {
    return this.call('GET', `/api/v4/teams/${encodeURIComponent(id)}`).then((b) => z.object({ id: z.string(), display_name: z.string() }).parse(b));
  }

  /** Every channel of every team the user is a member of, DMs and group DMs included (server ≥ 6.1). */
  channelsOf(userId: string): Promise<Channel[]> {
    return this.call('GET', `/api/v4/users/${encodeURIComponent(userId)}/channels`).then((b) => z.array(Channel).parse(b));
  }

  /** Posts of a channel created or modified after `sinceMs` (server time), at most 1,000. */
  postsSince(channelId: string, sinceMs: number): Promise<PostList> {
    return this.call('GET', `/api/v4/channels/${encodeURIComponent(channelId)}/posts?since=${Math.max(1, Math.floor(sinceMs))}`).then((b) => PostList.parse(b));
  }

  createPost(post: CreatePost): Promise<Post> {
    return this.call('POST', '/api/v4/posts', post).then((b) => Post.parse(b));
  }

  /** PUT /api/v4/posts/:id/patch: replaces the message of a post. */
  patchPost(postId: string, message: string): Promise<Post> {
    return this.call('PUT', `/api/v4/posts/${encodeURIComponent(postId)}/patch`, { message }).then((b) => Post.parse(b));
  }

  /** POST /api/v4/users/:id/typing: the server publishes the `typing` websocket event to the channel's members. */
  async typing(userId: string, channelId: string, parentId?: string): Promise<void> {
    await this.call('POST', `/api/v4/users/${encodeURIComponent(userId)}/typing`, { channel_id: channelId, parent_id: parentId ?? '' });
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: {
          Authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new MattermostNetworkError(method, path, e);
    }
    const date = Date.parse(res.headers.get('date') ?? '');
    if (Number.isFinite(date)) this.serverTimeMs = date;
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = ApiErrorBody.safeParse(json);
      const detail = err.success && err.data.message ? err.data.message : text.slice(0, 200) || res.statusText;
      const error = new MattermostApiError(method, path, res.status, err.success ? err.data.id : undefined, detail);
      // Mattermost's rate limiter answers 429 with X-Ratelimit-Reset (seconds); Retry-After where a proxy sets it.
      const wait = Number(res.headers.get('retry-after') ?? res.headers.get('x-ratelimit-reset') ?? NaN);
      if (res.status === 429 && Number.isFinite(wait)) error.retryAfterMs = Math.max(0, wait) * 1000;
      throw error;
    }
    return json;
  }
}

/** How a user is shown to the admin: nickname, else full name, else username. */
export function displayNameOf(user: User): string {
  const full = [user.first_name, user.last_name].filter(Boolean).join(' ').trim();
  return user.nickname?.trim() || full || user.username;
}
