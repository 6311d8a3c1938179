import { z } from 'zod';
import { AdmittedMessage } from './admitted-message';

/**
 * The body the agent bridge POSTs to AGENT_WEBHOOK_URL for each turn (docs/agent-webhook.md), signed with
 * `x-twokey-signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">` and `x-twokey-request-timestamp`.
 */
export const AgentWebhookTurn = z.object({
  schemaVersion: z.literal(1),
  /** Stable for the chat's session (thread, conversation or user, by SESSION_SCOPE); new after /new. */
  sessionId: z.string().min(1),
  /** The working directory of the session (AGENT_WORKDIR or a binding). */
  cwd: z.string().min(1),
  /** The prompt: the message's text, or several queued messages of one user joined by blank lines. */
  text: z.string(),
  /** The admitted message answered, without its reply capability (an agent never holds one). */
  message: AdmittedMessage.omit({ replyCapability: true }),
});
export type AgentWebhookTurn = z.infer<typeof AgentWebhookTurn>;

/** The answer: JSON `{ text }`, or NDJSON lines of this shape (content-type application/x-ndjson), joined in order. */
export const AgentWebhookChunk = z.object({ text: z.string() });
