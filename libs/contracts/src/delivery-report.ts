import { z } from 'zod';
import { ConnectionId, IsoDateTime, PlatformId } from './identifiers';

/** Stable reasons a command was not delivered. */
export const DELIVERY_FAILURES = [
  /** No capability, a forged or expired one, or one for another conversation/thread. */
  'capability-invalid',
  /** The payload did not match the contract. */
  'invalid-command',
  /** An edit names a SendMessage this gateway never delivered. */
  'unknown-target',
  /** The platform refused (permanently) what we sent, even as plain text. */
  'platform-rejected',
  /** The platform could not be reached or kept failing until the command's retries ran out. */
  'platform-unavailable',
  /** An intermediate edit (final: false) dropped to stay within the platform's write budget. */
  'over-budget',
  /** The platform has no such operation (e.g. edits on LINE): the caller should send instead. */
  'unsupported',
] as const;
export const DeliveryFailure = z.enum(DELIVERY_FAILURES);
export type DeliveryFailure = z.infer<typeof DeliveryFailure>;

/** On `twokey.delivered.<connection>`: the outcome of each outbound command, so nothing is lost silently. */
export const DeliveryReport = z.object({
  schemaVersion: z.literal(1),
  connection: ConnectionId,
  /** The idempotencyKey of the command this reports on. */
  idempotencyKey: z.string().min(1).max(200),
  command: z.enum(['send-message', 'edit-message', 'chat-action']),
  conversationId: PlatformId.optional(),
  status: z.enum(['delivered', 'failed']),
  /** The platform message ids created (send) or changed (edit), in order; empty for a chat action. */
  platformMessageIds: z.array(PlatformId).default([]),
  failure: DeliveryFailure.optional(),
  /** A short human-readable reason, never containing a secret. */
  reason: z.string().max(1_000).optional(),
  at: IsoDateTime,
});
export type DeliveryReport = z.infer<typeof DeliveryReport>;
