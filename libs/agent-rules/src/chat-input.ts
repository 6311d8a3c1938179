/** The chat commands the bridge answers itself; anything else is a prompt for the agent. */
export const CHAT_COMMANDS = ['new', 'cancel', 'status'] as const;
export type ChatCommand = (typeof CHAT_COMMANDS)[number];

/**
 * `/new`, `/cancel` or `/status`, alone on the message (Telegram's `/status@my_bot` form included); undefined for
 * anything else, so "/new idea: …" is a prompt, not a command.
 */
export function chatCommandOf(text: string): ChatCommand | undefined {
  const m = /^\/([a-z]+)(?:@[A-Za-z0-9_]+)?$/i.exec(text.trim());
  const name = m?.[1].toLowerCase();
  return (CHAT_COMMANDS as readonly string[]).includes(name ?? '') ? (name as ChatCommand) : undefined;
}
