import { z } from 'zod';

/** Slack's own variables; the common ones are validated by the gateway kit. */
export const SlackSettings = z
  .object({
    SLACK_BOT_TOKEN: z.string().regex(/^xoxb-[A-Za-z0-9-]+$/, 'must be a bot token ("xoxb-…", OAuth & Permissions page)'),
    /** `http`: Events API requests to SLACK_EVENTS_PATH on HTTP_PORT; `socket`: Socket Mode (no public URL needed). */
    SLACK_MODE: z.enum(['http', 'socket']).default('http'),
    /** Verifies every Events API request (Basic Information → Signing Secret); required in http mode. */
    SLACK_SIGNING_SECRET: z.string().min(16, 'must be the signing secret from the app\'s Basic Information page').optional(),
    /** App-level token with connections:write; required in socket mode. */
    SLACK_APP_TOKEN: z.string().regex(/^xapp-[A-Za-z0-9-]+$/, 'must be an app-level token ("xapp-…")').optional(),
    SLACK_EVENTS_PATH: z.string().startsWith('/', 'must start with "/"').default('/slack/events'),
    /** Web API base URL (Bolt `clientOptions.slackApiUrl`), e.g. a test fake; ends with "/". */
    SLACK_API_URL: z
      .url({ protocol: /^https?$/ })
      .transform((u) => (u.endsWith('/') ? u : `${u}/`))
      .optional(),
  })
  .superRefine((s, ctx) => {
    if (s.SLACK_MODE === 'http' && !s.SLACK_SIGNING_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'is required when SLACK_MODE=http' });
    }
    if (s.SLACK_MODE === 'socket' && !s.SLACK_APP_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_APP_TOKEN'], message: 'is required when SLACK_MODE=socket' });
    }
  });
export type SlackSettings = z.infer<typeof SlackSettings>;
