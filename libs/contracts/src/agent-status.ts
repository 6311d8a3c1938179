import { z } from 'zod';
import { IsoDateTime } from './identifiers';

/** How the bridge reaches its agent: an ACP process over stdio, a signed webhook, or nothing configured. */
export const AgentMode = z.enum(['acp', 'webhook', 'none']);
export type AgentMode = z.infer<typeof AgentMode>;

/**
 * Whether the agent accepts work: `ok` once a session was created, `required` while it answers session/new with
 * "Authentication required" (codex-acp without a key or login), `unknown` before the first session.
 */
export const AgentAuthState = z.enum(['unknown', 'ok', 'required']);
export type AgentAuthState = z.infer<typeof AgentAuthState>;

/** `twokey.rpc.agent.status` (request: `{ correlationId? }`), answered by the agent bridge from memory. */
export const AgentStatusRequest = z.object({ correlationId: z.string().min(1).max(200).optional() });

export const AgentStatus = z.object({
  mode: AgentMode,
  /** From the agent's `initialize` answer (agentInfo); null before it answered, or in webhook mode. */
  agent: z.object({ name: z.string(), title: z.string().nullable().optional(), version: z.string().nullable().optional() }).nullable(),
  auth: AgentAuthState,
  /** The agent can resume a stored session after a restart (ACP `loadSession`). */
  loadSession: z.boolean(),
  /** Agent processes running now, and the bound (AGENT_MAX_PROCESSES). */
  processes: z.object({ running: z.number().int().nonnegative(), max: z.number().int().positive() }),
  /** Open sessions (one per thread, conversation or user, by SESSION_SCOPE). */
  sessions: z.number().int().nonnegative(),
  sessionScope: z.enum(['thread', 'conversation', 'user']),
  /** Turns running now, and messages waiting for the turn of their session. */
  runningTurns: z.number().int().nonnegative(),
  queueDepth: z.number().int().nonnegative(),
  /** Permission prompts waiting for the turn's user. */
  pendingPermissions: z.number().int().nonnegative(),
  /** Messages not run because they were older than AGENT_MAX_AGE when the bridge first saw them. */
  staleSkipped: z.number().int().nonnegative(),
  /** Replies a gateway reported as not delivered (DeliveryReport failed), and the last one. */
  deliveryFailures: z.number().int().nonnegative(),
  lastDeliveryFailure: z
    .object({ connection: z.string(), idempotencyKey: z.string(), failure: z.string().optional(), reason: z.string().optional(), at: IsoDateTime })
    .nullable(),
  /** The last failure of the agent itself (crash, authentication, start), short and without secrets. */
  lastError: z.object({ kind: z.enum(['auth-required', 'crashed', 'start-failed', 'webhook-failed', 'internal']), message: z.string(), at: IsoDateTime }).nullable(),
  since: IsoDateTime,
});
export type AgentStatus = z.infer<typeof AgentStatus>;
