/**
 * Pure helpers for outbound LINE messages: splitting long text into LINE-sized text messages and batches, and a
 * deterministic X-Line-Retry-Key per batch so a redelivered SendMessage is accepted by LINE at most once.
 */
import { createHash } from 'node:crypto';

/** LINE: a text message holds at most 5000 characters; one push or reply carries at most 5 messages. */
export const LINE_TEXT_MAX = 5000;
export const LINE_MESSAGES_PER_REQUEST = 5;

/** Splits into chunks of at most `max` UTF-16 units without cutting a surrogate pair. */
export function splitText(text: string, max = LINE_TEXT_MAX): string[] {
  const chunks: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(i + max, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    chunks.push(text.slice(i, end));
    i = end;
  }
  return chunks;
}

export function batches<T>(items: T[], size = LINE_MESSAGES_PER_REQUEST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A name-based (version 5 layout) UUID: the same idempotency key and batch always give the same retry key. */
export function retryKey(idempotencyKey: string, batch: number): string {
  const h = createHash('sha1').update(`twokey-line-retry:${idempotencyKey}:${batch}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
