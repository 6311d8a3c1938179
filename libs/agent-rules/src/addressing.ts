import type { InboundMessage } from '@twokey/contracts';

/**
 * Whether the bridge answers this message. A DM always. In a shared conversation a message the gateway reports as
 * not addressing the bot (`mentionedBot: false`) is left alone: a paired group is still a conversation between
 * people, most of it not for the agent. A gateway that does not report mentions (`mentionedBot` absent) is taken as
 * delivering only what is for the bot (as Telegram does for bots in privacy mode: commands, mentions, replies); the
 * message passed the admission gate either way. An answer to a pending permission prompt and a chat command are
 * always taken, so a running exchange needs no mention.
 */
export function isAddressed(m: Pick<InboundMessage, 'conversation' | 'mentionedBot'>, context: { answersPendingPrompt: boolean; isCommand: boolean }): boolean {
  if (m.conversation.kind === 'dm') return true;
  return m.mentionedBot !== false || context.answersPendingPrompt || context.isCommand;
}
