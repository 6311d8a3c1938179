import type { CapabilityProfile } from '@twokey/contracts';

/**
 * Mattermost (developers.mattermost.com/api-documentation): posts up to 16,383 characters (MaxPostSize), full
 * Markdown with tables, edits by PUT /posts/:id/patch, typing through POST /users/:id/typing (the websocket's
 * user_typing event; shown a few seconds, refreshed). The server's default rate limit is 10 requests/s per user.
 */
export const MATTERMOST_PROFILE: CapabilityProfile = {
  dialect: 'mattermost',
  maxLength: 16_383,
  lengthUnit: 'utf16',
  maxChunks: 20,
  edits: true,
  writeBudget: { writes: 10, perSeconds: 1 },
  typing: 'refreshed',
  buttons: true,
  tables: true,
};
