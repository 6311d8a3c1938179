import type { CapabilityProfile } from '@twokey/contracts';

/**
 * Discord (discord.com/developers/docs/resources/message): content up to 2,000 characters, Markdown without tables,
 * edits by PATCH, typing by POST /channels/:id/typing (10 s, refreshed); about 5 messages per 5 s per channel.
 */
export const DISCORD_PROFILE: CapabilityProfile = {
  dialect: 'discord',
  maxLength: 2_000,
  lengthUnit: 'utf16',
  maxChunks: 120,
  edits: true,
  writeBudget: { writes: 5, perSeconds: 5 },
  typing: 'refreshed',
  buttons: true,
  tables: false,
};
