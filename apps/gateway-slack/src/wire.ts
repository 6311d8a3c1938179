/** The part of a Slack Events API `event_callback` with a `message` event that we read; unknown fields pass. */
import { z } from 'zod';

export const SlackMessageEventWire = z.looseObject({
  type: z.literal('message'),
  subtype: z.string().optional(),
  channel: z.string().regex(/^[CDG][A-Z0-9]+$/, 'must be a Slack channel id'),
  user: z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user id').optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().regex(/^\d+\.\d+$/, 'must be a Slack timestamp'),
  thread_ts: z.string().regex(/^\d+\.\d+$/, 'must be a Slack timestamp').optional(),
  channel_type: z.enum(['im', 'mpim', 'channel', 'group', 'app_home']).optional(),
  team: z.string().optional(),
});
export type SlackMessageEventWire = z.infer<typeof SlackMessageEventWire>;

export const SlackEnvelopeWire = z.looseObject({
  type: z.literal('event_callback'),
  team_id: z.string().regex(/^T[A-Z0-9]+$/, 'must be a Slack team id'),
  enterprise_id: z.string().nullable().optional(),
  /** Slack Connect: the channel is shared with another organization. */
  is_ext_shared_channel: z.boolean().optional(),
  /** The team the event happened in (Slack Connect: may be another organization's). */
  context_team_id: z.string().nullable().optional(),
  /** Who the event was delivered for: the installation(s) of our app. */
  authorizations: z.array(z.looseObject({ team_id: z.string().nullable().optional() })).nullable().optional(),
  event_id: z.string().min(1).optional(),
  event: z.looseObject({ type: z.string() }),
});
export type SlackEnvelopeWire = z.infer<typeof SlackEnvelopeWire>;
