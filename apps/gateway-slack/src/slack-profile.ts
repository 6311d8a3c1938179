import type { CapabilityProfile } from '@twokey/contracts';

/**
 * Slack Web API (docs.slack.dev): chat.postMessage `text` up to 40,000 characters in mrkdwn (no tables), edits by
 * chat.update, about one message a second per channel (special tier). Bots have no typing indicator in channels
 * (the Events API has none): typing is `none`.
 */
export const SLACK_PROFILE: CapabilityProfile = {
  dialect: 'slack-mrkdwn',
  maxLength: 40_000,
  lengthUnit: 'utf16',
  maxChunks: 10,
  edits: true,
  writeBudget: { writes: 60, perSeconds: 60 },
  typing: 'none',
  buttons: true,
  tables: false,
};
