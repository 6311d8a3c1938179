import { z } from 'zod';

/** Discord's own variables; the common ones are validated by the gateway kit. */
export const DiscordSettings = z.object({
  DISCORD_BOT_TOKEN: z.string().min(20, 'must be the bot token from the Discord developer portal (Bot → Token)'),
  /** REST base URL (discord.js `rest.api`), e.g. a test fake; the gateway URL is read from `GET /gateway/bot`. */
  DISCORD_API_URL: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
});
export type DiscordSettings = z.infer<typeof DiscordSettings>;
