import type { InboundMessage } from '@twokey/contracts';

/**
 * Whether the bridge answers this message. A DM always; in a shared conversation only a message that addresses the
 * bot by the platform's mention metadata (`mentionedBot`), because a paired group is still a conversation between
 * people, most of it not for the agent. A gateway that does not report mentions (`mentionedBot` absent) is treated
 * as "not addressed" there: closed by default. Two exceptions keep a running exchange natural without a mention:
 * the answer to a pending permission prompt by someone allowed to decide, and a chat command (`/cancel`), which
 * platforms already route to bots.
 */
export function isAddressed(m: Pick<InboundMessage, 'conversation' | 'mentionedBot'>, context: { answersPendingPrompt: boolean; isCommand: boolean }): boolean {
  if (m.conversation.kind === 'dm') return true;
  return m.mentionedBot === true || context.answersPendingPrompt || context.isCommand;
}
