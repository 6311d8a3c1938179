/**
 * Slack `event_callback` → InboundMessage (pure). Choices, each tested in normalize.spec.ts:
 * - Only plain user messages (no subtype, or `thread_broadcast`) are decided on. Edits (`message_changed`),
 *   deletions and other subtypes (joins, file shares, `bot_message` …) are ignored: an edit never re-triggers a
 *   decision, and a file share is not text.
 * - The bot's own messages (its user id or bot id) and any message with a `bot_id` are ignored.
 * - `im` is a DM without space. Everything else (`mpim`, `channel`, `group` = private channel) is shared and
 *   belongs to the workspace: space `slack-workspace` with the envelope's `team_id`. Under Enterprise Grid the
 *   team id is still the workspace's (unique across Slack); `enterprise_id` is not part of the space id, so each
 *   workspace of an org is paired on its own (the safer default). When `channel_type` is missing (some Socket
 *   Mode payloads) it is inferred from the id prefix: D → im, C → channel, G → group.
 * - Slack Connect (M6): a shared message whose envelope says `is_ext_shared_channel`, or whose `context_team_id`
 *   is not the installing team (auth.test's team_id, else `authorizations[0].team_id`, else the envelope's
 *   `team_id`), is in a channel shared with another organization: its space is that channel
 *   (`slack-connect-channel`, id = channel id), so allowlisting our workspace never admits it; only allowlisting
 *   the channel itself does. A Slack Connect DM stays a DM (the sender still needs to be allowlisted).
 * - A thread reply carries `thread_ts` (≠ its own ts) → conversation.threadId.
 * - platformMessageId is `<channel>:<ts>` (ts is only unique per channel).
 * - Slack puts no display name in events: the adapter resolves it with users.info (cached) and passes it here.
 * - The bot's own `<@U…>` is removed from the text and recorded as `mentionedBot` (mentions.ts).
 */
import type { Conversation, InboundMessage, Space } from '@twokey/contracts';
import { clipHint, isoFromEpochSeconds, type Normalized } from '@twokey/gateway-kit';
import { withoutBotMention } from './mentions';
import { SlackEnvelopeWire, SlackMessageEventWire } from './wire';

export interface SlackNormalizeContext {
  connection: string;
  botUserId: string;
  botId?: string;
  /** The installing workspace (auth.test `team_id`): a channel of any other team is a Slack Connect channel. */
  teamId?: string;
  receivedAt: Date;
  /** Resolved with users.info; the user id is used when the lookup failed. */
  names?: { displayName?: string; username?: string };
  /** Names of other mentioned users already known (never looked up for this). */
  mentionNames?: (userId: string) => string | undefined;
}

const DECIDABLE_SUBTYPES = new Set([undefined, 'thread_broadcast']);

const fieldOf = (path: readonly PropertyKey[]) => path.map(String).join('.');

function inferChannelType(channel: string): 'im' | 'channel' | 'group' {
  return channel.startsWith('D') ? 'im' : channel.startsWith('C') ? 'channel' : 'group';
}

/** The workspace, unless the channel is shared with another organization (Slack Connect): then the channel itself. */
function spaceOf(env: SlackEnvelopeWire, channel: string, installingTeam?: string): Space {
  const ours = installingTeam ?? env.authorizations?.find((a) => a.team_id)?.team_id ?? env.team_id;
  const foreignContext = !!env.context_team_id && env.context_team_id !== ours;
  if (env.is_ext_shared_channel === true || foreignContext) return { id: channel, kind: 'slack-connect-channel' };
  return { id: env.team_id, kind: 'slack-workspace' };
}

export function normalizeSlackEvent(body: unknown, ctx: SlackNormalizeContext): Normalized {
  const env = SlackEnvelopeWire.safeParse(body);
  if (!env.success) {
    const issue = env.error.issues[0];
    return { kind: 'invalid', reason: `malformed Slack event envelope: ${fieldOf(issue.path)} ${issue.message}`, field: fieldOf(issue.path) };
  }
  if (env.data.event.type !== 'message') return { kind: 'ignored', reason: `event type ${env.data.event.type}` };
  const ev = SlackMessageEventWire.safeParse(env.data.event);
  if (!ev.success) {
    const issue = ev.error.issues[0];
    const raw = env.data.event as { channel?: unknown; ts?: unknown };
    return {
      kind: 'invalid',
      reason: `malformed Slack message event: event.${fieldOf(issue.path)} ${issue.message}`,
      field: `event.${fieldOf(issue.path)}`,
      platformMessageId: typeof raw.channel === 'string' && typeof raw.ts === 'string' ? `${raw.channel}:${raw.ts}`.slice(0, 256) : undefined,
    };
  }
  const e = ev.data;
  const platformMessageId = `${e.channel}:${e.ts}`;
  if (e.user === ctx.botUserId || (ctx.botId && e.bot_id === ctx.botId)) return { kind: 'ignored', reason: 'own message' };
  if (e.bot_id || e.subtype === 'bot_message') return { kind: 'ignored', reason: 'message from a bot' };
  if (e.subtype === 'message_changed') return { kind: 'ignored', reason: 'edited message (edits never re-trigger a decision)' };
  if (!DECIDABLE_SUBTYPES.has(e.subtype)) return { kind: 'ignored', reason: `message subtype ${e.subtype}` };
  if (!e.user) return { kind: 'invalid', reason: 'malformed Slack message event: event.user is required', field: 'event.user', platformMessageId };
  if (!e.text) return { kind: 'ignored', reason: 'non-text message' };

  const sentAt = isoFromEpochSeconds(Number(e.ts));
  if (!sentAt) return { kind: 'invalid', reason: 'malformed Slack message event: event.ts out of range', field: 'event.ts', platformMessageId };

  const channelType = e.channel_type ?? inferChannelType(e.channel);
  if (channelType === 'app_home') return { kind: 'ignored', reason: 'app home message' };
  const threadId = e.thread_ts && e.thread_ts !== e.ts ? e.thread_ts : undefined;
  const kind: Conversation['kind'] = channelType === 'im' ? 'dm' : channelType === 'mpim' ? 'group' : 'channel';
  const conversation: Conversation = { id: e.channel, kind, ...(threadId ? { threadId } : {}) };
  const where: Pick<InboundMessage, 'conversation' | 'space'> =
    kind === 'dm' ? { conversation } : { conversation, space: spaceOf(env.data, e.channel, ctx.teamId) };

  const username = clipHint(ctx.names?.username);
  const addressed = withoutBotMention(e.text, ctx.botUserId, ctx.mentionNames);
  return {
    kind: 'message',
    message: {
      schemaVersion: 1,
      connection: ctx.connection,
      platform: 'slack',
      platformMessageId,
      sentAt,
      receivedAt: ctx.receivedAt.toISOString(),
      actor: { id: e.user, displayName: clipHint(ctx.names?.displayName) || e.user, ...(username ? { username } : {}) },
      ...where,
      text: addressed.text,
      ...(addressed.mentionedBot ? { mentionedBot: true } : {}),
    },
  };
}
