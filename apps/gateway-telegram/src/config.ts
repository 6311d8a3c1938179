import { z } from 'zod';

/** Telegram's own variables; the common ones (NATS, HTTP, connection id) are validated by the gateway kit. */
export const TelegramSettings = z
  .object({
    TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'must look like "123456789:AA…" (from @BotFather)'),
    /** Long polling by default; webhook needs a public HTTPS URL in front of HTTP_PORT. */
    TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
    /** Checked against X-Telegram-Bot-Api-Secret-Token on every webhook request (Telegram allows 1-256 of A-Z a-z 0-9 _ -). */
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z, a-z, 0-9, "_" or "-"')
      .optional(),
    TELEGRAM_WEBHOOK_PATH: z.string().startsWith('/', 'must start with "/"').default('/telegram/webhook'),
    /** When set, the gateway registers this URL with setWebhook at start; otherwise the webhook is managed outside. */
    TELEGRAM_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** Bot API base URL (a local Bot API server, or a test fake); no trailing slash. */
    TELEGRAM_API_ROOT: z
      .url({ protocol: /^https?$/ })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  })
  .superRefine((s, ctx) => {
    if (s.TELEGRAM_MODE === 'webhook' && !s.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['TELEGRAM_WEBHOOK_SECRET'], message: 'is required when TELEGRAM_MODE=webhook' });
    }
  });
export type TelegramSettings = z.infer<typeof TelegramSettings>;
