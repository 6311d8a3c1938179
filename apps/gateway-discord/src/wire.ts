/** The part of a Discord MESSAGE_CREATE dispatch we read; unknown fields pass. */
import { z } from 'zod';

const Snowflake = z.string().regex(/^\d{1,20}$/, 'must be a snowflake');

/** `mentions[]` of a message: users, each with a partial `member` in a guild. */
export const DiscordMentionsWire = z.array(
  z.looseObject({
    id: Snowflake,
    username: z.string(),
    global_name: z.string().nullable().optional(),
    member: z.looseObject({ nick: z.string().nullable().optional() }).optional(),
  }),
);

export const DiscordMessageWire = z.looseObject({
  id: Snowflake,
  channel_id: Snowflake,
  guild_id: Snowflake.optional(),
  author: z.looseObject({
    id: Snowflake,
    username: z.string(),
    global_name: z.string().nullable().optional(),
    bot: z.boolean().optional(),
  }),
  member: z.looseObject({ nick: z.string().nullable().optional() }).optional(),
  content: z.string(),
  timestamp: z.iso.datetime({ offset: true }),
  type: z.number().int(),
  channel_type: z.number().int().optional(),
  webhook_id: Snowflake.optional(),
});
export type DiscordMessageWire = z.infer<typeof DiscordMessageWire>;
