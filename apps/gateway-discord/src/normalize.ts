/**
 * Discord MESSAGE_CREATE → InboundMessage (pure). Choices, each tested in normalize.spec.ts:
 * - The bot's own messages (author id = the bot user), other bots, webhook and system messages are ignored.
 * - Edits (MESSAGE_UPDATE) never reach this function: they are not subscribed, so an edit never re-triggers a
 *   decision. Empty content (attachments only, or content hidden because the Message Content intent is off)
 *   is a non-text message and is ignored.
 * - No guild → DM (channel type 1); group DMs (type 3) have no space to authorize and are ignored.
 * - In a guild, the guild is the space (`discord-server`); a thread (types 10/11/12) is conversation kind `thread`
 *   whose id is the thread's channel id (also given as threadId); other channels are kind `channel`.
 * - Display name: member nick → global name → username (hints only, never matched).
 * - The bot's own mention is removed from the text and recorded as `mentionedBot`; others become names (mentions.ts).
 */
import type { InboundMessage } from '@twokey/contracts';
import { clipHint, type Normalized } from '@twokey/gateway-kit';
import { withoutBotMention } from './mentions';
import { DiscordMessageWire } from './wire';

export interface DiscordNormalizeContext {
  connection: string;
  botUserId: string;
  receivedAt: Date;
  /** From discord.js's cache, when known: the channel's type and name, the guild's name. */
  channel?: { type: number; name?: string | null };
  guild?: { name: string };
}

/** Default (0) and Reply (19) are what people type; everything else is a system or interaction message. */
const USER_MESSAGE_TYPES = new Set([0, 19]);
const THREAD_TYPES = new Set([10, 11, 12]);
const GROUP_DM = 3;

export function normalizeDiscordMessage(data: unknown, ctx: DiscordNormalizeContext): Normalized {
  const parsed = DiscordMessageWire.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map(String).join('.');
    const id = (data as { id?: unknown } | null)?.id;
    return {
      kind: 'invalid',
      reason: `malformed Discord MESSAGE_CREATE: ${field} ${issue.message}`,
      field,
      platformMessageId: typeof id === 'string' ? id.slice(0, 64) : undefined,
    };
  }
  const m = parsed.data;
  if (m.author.id === ctx.botUserId) return { kind: 'ignored', reason: 'own message' };
  if (m.author.bot) return { kind: 'ignored', reason: 'message from a bot' };
  if (m.webhook_id) return { kind: 'ignored', reason: 'webhook message' };
  if (!USER_MESSAGE_TYPES.has(m.type)) return { kind: 'ignored', reason: `system message (type ${m.type})` };
  if (m.content === '') return { kind: 'ignored', reason: 'non-text message (or content hidden without the Message Content intent)' };

  const channelType = m.channel_type ?? ctx.channel?.type;
  const channelName = clipHint(ctx.channel?.name ?? undefined);
  let where: Pick<InboundMessage, 'conversation' | 'space'>;
  if (!m.guild_id) {
    if (channelType === GROUP_DM) return { kind: 'ignored', reason: 'group DM (no server to authorize)' };
    where = { conversation: { id: m.channel_id, kind: 'dm' } };
  } else {
    const space = { id: m.guild_id, kind: 'discord-server' as const, ...(ctx.guild ? { title: clipHint(ctx.guild.name) } : {}) };
    const conversation =
      channelType !== undefined && THREAD_TYPES.has(channelType)
        ? { id: m.channel_id, kind: 'thread' as const, threadId: m.channel_id, ...(channelName ? { title: channelName } : {}) }
        : { id: m.channel_id, kind: 'channel' as const, ...(channelName ? { title: channelName } : {}) };
    where = { conversation, space };
  }

  const addressed = withoutBotMention(m.content, m.mentions, ctx.botUserId);
  return {
    kind: 'message',
    message: {
      schemaVersion: 1,
      connection: ctx.connection,
      platform: 'discord',
      platformMessageId: m.id,
      sentAt: new Date(m.timestamp).toISOString(),
      receivedAt: ctx.receivedAt.toISOString(),
      actor: {
        id: m.author.id,
        displayName: clipHint(m.member?.nick || m.author.global_name || m.author.username) || m.author.id,
        username: clipHint(m.author.username),
      },
      ...where,
      text: addressed.text,
      ...(addressed.mentionedBot ? { mentionedBot: true } : {}),
    },
  };
}
