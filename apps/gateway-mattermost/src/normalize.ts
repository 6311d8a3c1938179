/**
 * Mattermost WebSocket event → InboundMessage (pure).
 *
 * Deliberate choices:
 * - Only `posted` events become messages. `post_edited` is ignored: an edit must not re-run pairing or admit
 *   changed text under an old decision, and the original post was already decided.
 * - Ignored: the bot's own posts (the server echoes them), other bots (`props.from_bot`) and incoming webhooks
 *   (`props.from_webhook`), system posts (a `type` other than '' or `me`), and posts without text (file-only).
 *   A `/me …` post (`type: "me"`) is the user's own message.
 * - Posts made by a plugin or an OAuth app in a user's name (`props.from_plugin`, `from_oauth_app`), or shown
 *   under another name (`override_username`), are not that user's own words: ignored unless the connection allows
 *   them (MATTERMOST_ALLOW_APP_POSTS), since admitting them would let any integration speak as an allowlisted user.
 * - The bot's own `@username` is removed from the text and recorded as `mentionedBot`, also when the server lists
 *   the bot in the event's `mentions` (issue 19).
 * - Channel types: D → dm (no space); O/P → channel in the team's space (`mattermost-team`, team_id);
 *   G (group DM) is shared (ARCHITECTURE §2) but belongs to no team on the server (`team_id` is ''): its space is
 *   the team named by MATTERMOST_GROUP_TEAM_ID when configured, else the group channel itself (space id = the
 *   channel id, so approving it admits exactly that group and nothing else).
 * - `root_id` → threadId (the conversation stays the channel, replies go to the channel with that root).
 */
import { ContractViolation, InboundMessage, parseContract, Space } from '@twokey/contracts';
import { parseJsonSafely, removeSpans, wordSpans } from '@twokey/gateway-kit';
import { ChannelType, Post, PostedData, SocketEvent } from './wire';

export type IgnoreReason = 'own-message' | 'bot' | 'app-post' | 'system-message' | 'non-text' | 'edit' | 'not-a-message';

export type Normalized =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'ignored'; reason: IgnoreReason }
  | { kind: 'invalid'; reason: string; platformMessageId?: string };

export interface NormalizeContext {
  connection: string;
  /** From GET /api/v4/users/me at start. */
  botUserId: string;
  receivedAt: Date;
  /** Team whose space group DMs (G) belong to; see the module comment. */
  groupTeamId?: string;
  /** The bot's username (GET /api/v4/users/me), to remove its `@username` from the text. */
  botUsername?: string;
  /** Admit posts made by plugins or OAuth apps in a user's name, or with `override_username` (default: ignored). */
  allowAppPosts?: boolean;
}

/** Post types a person writes: a plain post, and a `/me` action. */
const USER_POST_TYPES = new Set(['', 'me']);
const APP_POST_PROPS = ['from_plugin', 'from_oauth_app'] as const;

const truthy = (v: unknown) => v === true || v === 'true';

function spaceOf(type: ChannelType, teamId: string, channelId: string, channelTitle: string | undefined, ctx: NormalizeContext): Space | undefined | 'no-team' {
  switch (type) {
    case 'D':
      return undefined;
    case 'G':
      if (teamId) return { id: teamId, kind: 'mattermost-team' };
      if (ctx.groupTeamId) return { id: ctx.groupTeamId, kind: 'mattermost-team' };
      return { id: channelId, kind: 'mattermost-team', ...(channelTitle ? { title: channelTitle } : {}) };
    case 'O':
    case 'P':
      return teamId ? { id: teamId, kind: 'mattermost-team' } : 'no-team';
  }
}

export function normalizeSocketEvent(event: SocketEvent, ctx: NormalizeContext): Normalized {
  if (event.event === 'post_edited') return { kind: 'ignored', reason: 'edit' };
  if (event.event !== 'posted') return { kind: 'ignored', reason: 'not-a-message' };

  const data = PostedData.safeParse(event.data);
  if (!data.success) return { kind: 'invalid', reason: `posted event: ${data.error.issues[0]?.path.join('.')} ${data.error.issues[0]?.message}` };
  const raw = parseJsonSafely(data.data.post);
  if (!raw.ok) return { kind: 'invalid', reason: `posted event: data.post is not valid JSON (${raw.reason})` };
  const parsed = Post.safeParse(raw.value);
  if (!parsed.success) return { kind: 'invalid', reason: `posted event: post.${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` };
  const post = parsed.data;

  if (post.user_id === ctx.botUserId) return { kind: 'ignored', reason: 'own-message' };
  if (truthy(post.props?.from_bot) || truthy(post.props?.from_webhook)) return { kind: 'ignored', reason: 'bot' };
  if (!USER_POST_TYPES.has(post.type ?? '')) return { kind: 'ignored', reason: 'system-message' };
  if (!ctx.allowAppPosts && isAppPost(post.props)) return { kind: 'ignored', reason: 'app-post' };
  if (post.message.trim() === '') return { kind: 'ignored', reason: 'non-text' };

  const type = data.data.channel_type;
  const broadcastTeam = typeof event.broadcast?.team_id === 'string' ? event.broadcast.team_id : '';
  const teamId = data.data.team_id || broadcastTeam;
  const title = data.data.channel_display_name || undefined;
  const space = spaceOf(type, teamId, post.channel_id, title, ctx);
  if (space === 'no-team') return { kind: 'invalid', reason: `posted event: channel type ${type} without team_id`, platformMessageId: post.id };

  const senderName = (data.data.sender_name ?? '').replace(/^@/, '');
  // A timestamp beyond what Date can hold would make toISOString throw: refuse the event instead (found by fuzzing).
  const sentAt = new Date(post.create_at);
  if (!Number.isFinite(sentAt.getTime())) return { kind: 'invalid', reason: 'posted event: post.create_at is out of range', platformMessageId: post.id };
  const addressed = withoutBotMention(post.message, data.data.mentions, ctx);
  const candidate = {
    schemaVersion: 1,
    connection: ctx.connection,
    platform: 'mattermost',
    platformMessageId: post.id,
    sentAt: sentAt.toISOString(),
    receivedAt: ctx.receivedAt.toISOString(),
    actor: { id: post.user_id, displayName: senderName || post.user_id, ...(senderName ? { username: senderName } : {}) },
    conversation: {
      id: post.channel_id,
      kind: type === 'D' ? 'dm' : type === 'G' ? 'group' : 'channel',
      ...(type !== 'D' && title ? { title } : {}),
      ...(post.root_id ? { threadId: post.root_id } : {}),
    },
    ...(space ? { space } : {}),
    text: addressed.text,
    ...(addressed.mentionedBot ? { mentionedBot: true } : {}),
  };
  try {
    return { kind: 'message', message: parseContract('InboundMessage', InboundMessage, candidate) };
  } catch (e) {
    if (e instanceof ContractViolation) return { kind: 'invalid', reason: e.message, platformMessageId: post.id };
    throw e;
  }
}

function isAppPost(props: Record<string, unknown> | null | undefined): boolean {
  if (!props) return false;
  if (APP_POST_PROPS.some((k) => truthy(props[k]))) return true;
  return typeof props.override_username === 'string' && props.override_username !== '';
}

/** `mentions` is a JSON string of the user ids the server found mentioned (absent on fetched posts). */
function withoutBotMention(message: string, mentions: string | undefined, ctx: NormalizeContext): { text: string; mentionedBot: boolean } {
  const listed = mentions ? parseJsonSafely(mentions) : undefined;
  const byServer = listed?.ok === true && Array.isArray(listed.value) && listed.value.includes(ctx.botUserId);
  const spans = ctx.botUsername ? wordSpans(message, `@${ctx.botUsername}`) : [];
  return { text: spans.length > 0 ? removeSpans(message, spans) : message, mentionedBot: byServer || spans.length > 0 };
}
