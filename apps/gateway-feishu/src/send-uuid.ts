import { createHash } from 'node:crypto';

/**
 * Feishu de-duplicates sends carrying the same `uuid` (at most 50 characters) for an hour: the idempotency key
 * itself when it fits, else a stable hash of it.
 */
export function sendUuid(idempotencyKey: string): string {
  return /^[\w-]{1,50}$/.test(idempotencyKey) ? idempotencyKey : createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 50);
}
