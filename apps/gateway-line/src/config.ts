import { z } from 'zod';

/** LINE's own variables; the common ones (NATS_*, HTTP_*, TWOKEY_*) come from the gateway kit. */
export const LineSettings = z.object({
  /** Verifies X-Line-Signature on every webhook. */
  LINE_CHANNEL_SECRET: z.string().min(1, 'is required'),
  /** Long-lived (or stateless) channel access token for the Messaging API. */
  LINE_CHANNEL_ACCESS_TOKEN: z.string().min(1, 'is required'),
  /** Messaging API base URL; only set to reach a local fake or a proxy. */
  LINE_API_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** Path of the webhook URL configured in the LINE Developers console. */
  LINE_WEBHOOK_PATH: z.string().regex(/^\/[\w\-./]*$/, 'must be an absolute path').default('/line/webhook'),
});
export type LineSettings = z.infer<typeof LineSettings>;
