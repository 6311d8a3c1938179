/**
 * LINE webhook shapes (Messaging API `CallbackRequest`), validated at the edge. Only what the gateway reads is
 * required; other event types pass validation untouched and are ignored by the normalizer.
 */
import { z } from 'zod';

export const Source = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), userId: z.string().min(1) }),
  z.object({ type: z.literal('group'), groupId: z.string().min(1), userId: z.string().min(1).optional() }),
  z.object({ type: z.literal('room'), roomId: z.string().min(1), userId: z.string().min(1).optional() }),
]);
export type Source = z.infer<typeof Source>;

/** `mention.mentionees[]` of a text message: `index`/`length` in the text, `isSelf` marks the bot receiving the webhook. */
export const Mention = z.object({
  mentionees: z.array(
    z
      .object({
        type: z.string(),
        index: z.number().int().nonnegative(),
        length: z.number().int().positive(),
        userId: z.string().optional(),
        isSelf: z.boolean().optional(),
      })
      .passthrough(),
  ),
});

export const TextMessage = z.object({
  type: z.literal('text'),
  id: z.string().min(1),
  text: z.string(),
  /** Formatting metadata: a broken one must not lose the message, so it is read on its own (normalize.ts). */
  mention: z.unknown().optional(),
});

export const WebhookEvent = z
  .object({
    type: z.string(),
    mode: z.string().optional(),
    timestamp: z.number().int().nonnegative(),
    webhookEventId: z.string().optional(),
    deliveryContext: z.object({ isRedelivery: z.boolean() }).optional(),
    replyToken: z.string().optional(),
    source: z.unknown().optional(),
    message: z.object({ type: z.string(), id: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export const CallbackRequest = z.object({
  destination: z.string().optional(),
  events: z.array(z.unknown()),
});
