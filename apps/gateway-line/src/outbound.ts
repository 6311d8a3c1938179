/**
 * A deterministic X-Line-Retry-Key per batch, so a redelivered batch is accepted by LINE at most once. (Splitting
 * into LINE-sized messages is the reply renderer's, from the profile.)
 */
import { createHash } from 'node:crypto';

/** LINE: one push or reply carries at most 5 messages. */
export const LINE_MESSAGES_PER_REQUEST = 5;

/** A name-based (version 5 layout) UUID: the same idempotency key and batch always give the same retry key. */
export function retryKey(idempotencyKey: string, batch: number): string {
  const h = createHash('sha1').update(`twokey-line-retry:${idempotencyKey}:${batch}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
