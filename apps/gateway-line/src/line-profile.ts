import type { CapabilityProfile } from '@twokey/contracts';

/**
 * LINE Messaging API (developers.line.biz/en/reference/messaging-api): text messages of at most 5,000 characters,
 * 5 per reply or push; no Markdown (plain text) and no edits; the loading animation (one-to-one chats only, up to
 * 60 s, ended by the next message) is the typing equivalent. Pushes count against the monthly quota, so a reply
 * takes at most 5 requests.
 */
export const LINE_PROFILE: CapabilityProfile = {
  dialect: 'plain',
  maxLength: 5_000,
  lengthUnit: 'utf16',
  maxChunks: 25,
  edits: false,
  writeBudget: { writes: 10, perSeconds: 1 },
  typing: 'one-shot',
  buttons: true,
  tables: false,
};

/** How long the loading animation shows (5-60 s, multiples of 5) unless the answer arrives first. */
export const LINE_LOADING_SECONDS = 60;
