/**
 * The part of the Telegram Bot API update we read, as a schema: what the normalization relies on is checked, so a
 * malformed update is a clear, dead-lettered error naming the field instead of a crash. Unknown fields pass.
 */
import { z } from 'zod';

const Id = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer');

export const TelegramUserWire = z.looseObject({
  id: Id,
  /** Older documentation samples omit it; a missing flag means a person. */
  is_bot: z.boolean().optional(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

export const TelegramChatWire = z.looseObject({
  id: Id,
  type: z.enum(['private', 'group', 'supergroup', 'channel']),
  title: z.string().optional(),
  username: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  is_forum: z.boolean().optional(),
});

/** MessageEntity: offsets and lengths in UTF-16 code units. */
export const TelegramEntitiesWire = z.array(
  z.looseObject({
    type: z.string(),
    offset: z.number().int().nonnegative(),
    length: z.number().int().positive(),
    user: z.looseObject({ id: Id }).optional(),
  }),
);

export const TelegramMessageWire = z.looseObject({
  message_id: Id,
  date: z.number().int().nonnegative(),
  chat: TelegramChatWire,
  from: TelegramUserWire.optional(),
  sender_chat: z.looseObject({ id: Id }).optional(),
  text: z.string().optional(),
  message_thread_id: Id.optional(),
  is_topic_message: z.boolean().optional(),
});
export type TelegramMessageWire = z.infer<typeof TelegramMessageWire>;

export const TelegramUpdateWire = z.looseObject({ update_id: Id });
