import { z } from 'zod';
import { ConnectionId, PlatformId } from '@twokey/contracts';

/**
 * One binding: a connection's space (workspace, server, group) or one conversation → the working directory of its
 * sessions and, optionally, another agent command (e.g. a Slack channel bound to one repository).
 */
export const Binding = z
  .object({
    connection: ConnectionId,
    space: PlatformId.optional(),
    conversation: PlatformId.optional(),
    cwd: z.string().min(1).refine((p) => p.startsWith('/'), 'must be an absolute path'),
    command: z.string().min(1).optional(),
  })
  .refine((b) => b.space !== undefined || b.conversation !== undefined, { message: 'needs a space or a conversation' });
export type Binding = z.infer<typeof Binding>;

export const BindingsFile = z.object({ bindings: z.array(Binding) });

export interface Placement {
  cwd: string;
  /** The agent command for this binding; undefined means AGENT_COMMAND. */
  command?: string;
}

/** A conversation binding beats a space binding, which beats AGENT_WORKDIR. */
export function placementOf(
  bindings: readonly Binding[],
  m: { connection: string; conversationId: string; spaceId?: string },
  defaultCwd: string,
): Placement {
  const byConversation = bindings.find((b) => b.connection === m.connection && b.conversation === m.conversationId);
  const bySpace = m.spaceId === undefined ? undefined : bindings.find((b) => b.connection === m.connection && b.conversation === undefined && b.space === m.spaceId);
  const b = byConversation ?? bySpace;
  return b ? { cwd: b.cwd, command: b.command } : { cwd: defaultCwd };
}
