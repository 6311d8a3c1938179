/**
 * The Mattermost wire shapes this gateway reads, validated at the edge (REST v4 and the WebSocket API).
 * Only the fields we use are required; everything else passes through untouched.
 */
import { z } from 'zod';

/** `{ seq_reply, status }`: the server's answer to an action we sent (e.g. the authentication challenge). */
export const SocketReply = z.object({
  status: z.string(),
  seq_reply: z.number().int(),
  error: z.object({ id: z.string().optional(), message: z.string().optional() }).passthrough().optional(),
});
export type SocketReply = z.infer<typeof SocketReply>;

/** `{ event, data, broadcast, seq }`: a server-pushed event; `seq` counts up by one per connection from 0. */
export const SocketEvent = z.object({
  event: z.string().min(1),
  data: z.record(z.string(), z.unknown()).default({}),
  broadcast: z.record(z.string(), z.unknown()).nullish(),
  seq: z.number().int().nonnegative(),
});
export type SocketEvent = z.infer<typeof SocketEvent>;

export const ChannelType = z.enum(['O', 'P', 'D', 'G']);
export type ChannelType = z.infer<typeof ChannelType>;

/** `data` of a `posted` event; `post` is a JSON string. `team_id` is '' for D and G channels. */
export const PostedData = z.object({
  channel_type: ChannelType,
  channel_display_name: z.string().optional(),
  channel_name: z.string().optional(),
  sender_name: z.string().optional(),
  team_id: z.string().optional().default(''),
  post: z.string(),
  /** JSON string: ids of the users the post mentions. */
  mentions: z.string().optional().catch(undefined),
});

export const Post = z.object({
  id: z.string().min(1),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  root_id: z.string().nullish(),
  message: z.string(),
  create_at: z.number().int().nonnegative(),
  /** '' for user posts; system posts (joins, header changes …) carry a type. */
  type: z.string().nullish(),
  props: z.record(z.string(), z.unknown()).nullish(),
  /** Non-zero once deleted (posts fetched with `since` include deletions). */
  delete_at: z.number().int().nonnegative().optional(),
});
export type Post = z.infer<typeof Post>;

/** GET /api/v4/channels/:id/posts: `posts` by id, `order` their ids (newest first). */
export const PostList = z.object({
  order: z.array(z.string()).nullish().transform((v) => v ?? []),
  posts: z.record(z.string(), z.unknown()).nullish().transform((v) => v ?? {}),
});
export type PostList = z.infer<typeof PostList>;

/** An element of GET /api/v4/users/:id/channels (the fields we use). `display_name` is '' for DMs. */
export const Channel = z.object({
  id: z.string().min(1),
  type: ChannelType,
  team_id: z.string().default(''),
  name: z.string(),
  display_name: z.string().default(''),
});
export type Channel = z.infer<typeof Channel>;

/** GET /api/v4/users/:id and /users/me (the fields we use). */
export const User = z.object({
  id: z.string().min(1),
  username: z.string(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  nickname: z.string().optional(),
  is_bot: z.boolean().optional(),
});
export type User = z.infer<typeof User>;

/** Mattermost's error body: `{ id, message, detailed_error, request_id, status_code }`. */
export const ApiErrorBody = z.object({ id: z.string().optional(), message: z.string().optional() }).passthrough();
