import { env } from '@twokey/service-kit';
import { z } from 'zod';

/** Mattermost's own variables; the common ones (NATS_*, HTTP_*, TWOKEY_*) come from the gateway kit. */
export const MattermostSettings = z.object({
  /** Server base URL, e.g. https://chat.example.com (REST v4 and the WebSocket live under /api/v4). */
  MATTERMOST_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  /** A bot account's access token (or a personal access token). */
  MATTERMOST_TOKEN: z.string().min(1, 'is required'),
  /**
   * Team whose space group DMs (channel type G) belong to. Group DMs have no team on the server; without this,
   * each group DM is its own space (see normalize.ts).
   */
  MATTERMOST_GROUP_TEAM_ID: z.string().min(1).optional(),
  /**
   * Admit posts that a plugin or an OAuth app made in a user's name, or shown with `override_username`, as that
   * user's messages. Off by default: such a post is not the user's own words.
   */
  MATTERMOST_ALLOW_APP_POSTS: env.bool(false),
});
export type MattermostSettings = z.infer<typeof MattermostSettings>;
