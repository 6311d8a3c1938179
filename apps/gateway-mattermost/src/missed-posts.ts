/**
 * Posts missed while the websocket was down. Mattermost does not replay events to a new connection, so after every
 * (re)connection the gateway asks REST for each of the bot's channels' posts since the newest post it has seen
 * (`GET /channels/:id/posts?since=`), less an overlap for posts delivered slightly out of order, and hands the
 * ones it has not seen to the same path as a `posted` event. Posts it has seen are skipped by id, not only left to
 * JetStream's de-duplication window: the overlap reaches back to the newest post seen, however long ago that was.
 * The first mark is the server's clock when the gateway started (its `Date` header), so a start does not replay
 * history, but the seconds between start and the first connection are covered.
 */
import { type Channel, Post, type PostList } from './wire';

/** Posts seen between two prunings of the seen ids. */
const PRUNE_EVERY = 1_024;

/** A post found by the catch-up, with the channel fields the `posted` event would carry. */
export interface MissedPost {
  post: Post;
  channel: Channel;
}

/** How far before the newest seen post the catch-up looks, for posts delivered after newer ones. */
export const OVERLAP_MS = 30_000;
/** Mattermost answers `since` with at most this many posts per channel. */
export const SERVER_LIMIT = 1_000;

export class MissedPosts {
  /** Server time (ms) of the newest post seen, or of the start. */
  private mark?: number;
  /** Ids of the posts seen at or after `mark - OVERLAP_MS`, with their create_at. */
  private readonly seen = new Map<string, number>();
  private sinceLastPrune = 0;

  /** The server's clock at start: posts before it are history, not missed. */
  startAt(serverTimeMs: number): void {
    this.mark ??= serverTimeMs;
  }

  /** A post handled from the websocket (or from a catch-up). */
  saw(id: string, createAt: number): void {
    this.seen.set(id, createAt);
    if (this.mark === undefined || createAt > this.mark) this.mark = createAt;
    if (++this.sinceLastPrune >= PRUNE_EVERY) this.forgetBefore(this.mark - OVERLAP_MS);
  }

  get since(): number | undefined {
    return this.mark === undefined ? undefined : this.mark - OVERLAP_MS;
  }

  /**
   * Of each channel's answer to `posts?since=<since>` (`since` as it was when asked: posts seen meanwhile move it
   * on), the posts created after `since` and not seen yet, oldest first. They are not marked as seen here: the caller marks each once handled, so a failed hand-over is fetched
   * again. `truncated` lists the channels whose answer hit the server's limit (older missed posts may remain).
   */
  select(since: number, answers: readonly { channel: Channel; list: PostList }[]): { missed: MissedPost[]; truncated: string[] } {
    const missed: MissedPost[] = [];
    const truncated: string[] = [];
    this.forgetBefore(since);
    for (const { channel, list } of answers) {
      if (list.order.length >= SERVER_LIMIT) truncated.push(channel.id);
      for (const id of list.order) {
        const parsed = Post.safeParse(list.posts[id]);
        // Not a post that could be handed over; the websocket path is where malformed posts are reported.
        if (!parsed.success) continue;
        const post = parsed.data;
        if (post.create_at <= since || (post.delete_at ?? 0) > 0 || this.seen.has(post.id)) continue;
        missed.push({ post, channel });
      }
    }
    missed.sort((a, b) => a.post.create_at - b.post.create_at || (a.post.id < b.post.id ? -1 : 1));
    return { missed, truncated };
  }

  private forgetBefore(since: number): void {
    this.sinceLastPrune = 0;
    for (const [id, createAt] of this.seen) if (createAt < since) this.seen.delete(id);
  }
}
