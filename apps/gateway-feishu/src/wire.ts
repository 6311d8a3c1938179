/**
 * Feishu / Lark shapes the gateway reads, validated at the edge. `ReceiveMessage` is the
 * `im.message.receive_v1` event as the SDK's EventDispatcher hands it to a handler: the v2 envelope flattened
 * (`header` fields and `event` fields at the top level).
 */
import { z } from 'zod';

/** `mentions[]`: the placeholder `key` (`@_user_1`) in the text, who it is (`id.open_id`), and their name. */
const Mention = z
  .object({ key: z.string(), name: z.string().optional(), id: z.object({ open_id: z.string().optional() }).passthrough().optional().catch(undefined) })
  .passthrough();

export const ReceiveMessage = z.object({
  event_id: z.string().min(1),
  /** The verification token from `header.token`. */
  token: z.string().optional(),
  sender: z
    .object({
      sender_id: z.object({ open_id: z.string().min(1) }).passthrough(),
      sender_type: z.string(),
    })
    .passthrough(),
  message: z
    .object({
      message_id: z.string().min(1),
      root_id: z.string().optional(),
      parent_id: z.string().optional(),
      thread_id: z.string().optional(),
      create_time: z.string().regex(/^\d+$/, 'must be milliseconds as a string'),
      chat_id: z.string().min(1),
      chat_type: z.string(),
      message_type: z.string(),
      content: z.string(),
      mentions: z.array(Mention).optional(),
    })
    .passthrough(),
});
export type ReceiveMessage = z.infer<typeof ReceiveMessage>;

/** `{ code, msg }` of every Open API answer (also inside an HTTP error's body). */
export const ApiAnswer = z.object({ code: z.number(), msg: z.string().optional() }).passthrough();
