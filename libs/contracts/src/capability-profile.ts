import { z } from 'zod';

/** The Markdown dialects a gateway renders to (one renderer each in libs/reply-rendering). */
export const MarkdownDialect = z.enum(['telegram-html', 'slack-mrkdwn', 'discord', 'mattermost', 'feishu', 'plain']);
export type MarkdownDialect = z.infer<typeof MarkdownDialect>;

/**
 * What a platform can do with a reply, declared once beside each adapter and reported in the gateway's status RPC.
 * The agent bridge reads this (edits? how long? typing?) and never branches on a platform name.
 */
export const CapabilityProfile = z.object({
  dialect: MarkdownDialect,
  /** Longest text of one platform message, in `lengthUnit`, after rendering (markup counted where the platform counts it). */
  maxLength: z.number().int().positive(),
  /** utf16: JavaScript string length (Telegram, Discord, Slack, Mattermost, LINE); utf8-bytes: encoded size (Feishu). */
  lengthUnit: z.enum(['utf16', 'utf8-bytes']),
  /** Most messages one reply is split into (LINE: 5 bubbles per reply); longer answers are cut with a notice. */
  maxChunks: z.number().int().positive(),
  /** Whether a sent message can be edited (LINE: no). */
  edits: z.boolean(),
  /** Edits one message takes at most (Feishu: 20); the gateway keeps the last one for the final text. */
  maxEditsPerMessage: z.number().int().positive().optional(),
  /** Writes (sends and edits) per conversation the gateway allows itself: `writes` per `perSeconds`. */
  writeBudget: z.object({ writes: z.number().int().positive(), perSeconds: z.number().positive() }),
  /** How "the agent is working" is shown: a refreshed action, a one-shot indicator, or nothing. */
  typing: z.enum(['refreshed', 'one-shot', 'none']),
  /** Interactive buttons on a message (not used by replies yet; reported so the bridge need not guess). */
  buttons: z.boolean(),
  /** Tables are rendered as tables (else as code blocks). */
  tables: z.boolean(),
});
export type CapabilityProfile = z.infer<typeof CapabilityProfile>;
