import type { CapabilityProfile } from '@twokey/contracts';

/**
 * Feishu / Lark (open.feishu.cn im/v1/messages): a post or card body of at most 30 KB (text 150 KB), counted in
 * bytes, so chunks are measured in UTF-8 bytes with room for the JSON around them; post Markdown (`md`) has no
 * tables; edits by PUT im/v1/messages/:id, at most 20 per message (230072 after that); 5 messages a second to one chat. Bots have no typing indicator: none.
 */
export const FEISHU_PROFILE: CapabilityProfile = {
  dialect: 'feishu',
  maxLength: 20_000,
  lengthUnit: 'utf8-bytes',
  maxChunks: 20,
  edits: true,
  maxEditsPerMessage: 20,
  writeBudget: { writes: 5, perSeconds: 1 },
  typing: 'none',
  buttons: true,
  tables: false,
};
