import { z } from 'zod';

export const PLATFORMS = ['telegram', 'discord', 'slack', 'mattermost', 'feishu', 'line'] as const;
export const Platform = z.enum(PLATFORMS);
export type Platform = z.infer<typeof Platform>;

export const CONVERSATION_KINDS = ['dm', 'group', 'supergroup', 'channel', 'thread', 'room'] as const;
export const ConversationKind = z.enum(CONVERSATION_KINDS);
export type ConversationKind = z.infer<typeof ConversationKind>;

export const SPACE_KINDS = [
  'slack-workspace',
  /** A Slack Connect channel (shared with another organization): its own space, never part of the workspace. */
  'slack-connect-channel',
  'discord-server',
  'telegram-supergroup',
  'telegram-group',
  'mattermost-team',
  'feishu-group',
  'line-group',
  'line-room',
] as const;
export const SpaceKind = z.enum(SPACE_KINDS);
export type SpaceKind = z.infer<typeof SpaceKind>;

/** Connection ids become NATS subject tokens and stream-name parts, so they are restricted. */
export const ConnectionId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be 1-63 chars of a-z, 0-9, "_" or "-", starting with a letter or digit');
export type ConnectionId = z.infer<typeof ConnectionId>;

/** Platform ids are opaque strings; bounded so a hostile payload cannot bloat state. */
export const PlatformId = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

/** Display names are hints for the admin, never matched; bounded and never trusted. */
export const DisplayName = z.string().max(256, 'must be at most 256 characters');

export const Actor = z.object({
  id: PlatformId,
  displayName: DisplayName,
  username: DisplayName.optional(),
});
export type Actor = z.infer<typeof Actor>;

export const Conversation = z.object({
  id: PlatformId,
  kind: ConversationKind,
  title: DisplayName.optional(),
  threadId: PlatformId.optional(),
});
export type Conversation = z.infer<typeof Conversation>;

export const Space = z.object({
  id: PlatformId,
  kind: SpaceKind,
  title: DisplayName.optional(),
});
export type Space = z.infer<typeof Space>;

/** Who caused an event: an admin (via admin-api), a platform user (via a message), or the system (timers). */
export const Initiator = z.object({
  type: z.enum(['admin', 'platform-user', 'system']),
  id: z.string().min(1).max(256),
  name: z.string().max(256).optional(),
});
export type Initiator = z.infer<typeof Initiator>;

export const SYSTEM_INITIATOR: Initiator = { type: 'system', id: 'pairing-service' };

export const IsoDateTime = z.iso.datetime({ offset: true });
