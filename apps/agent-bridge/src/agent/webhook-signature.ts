import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-twokey-signature';
export const TIMESTAMP_HEADER = 'x-twokey-request-timestamp';
/** A receiver should refuse requests whose timestamp is further than this from its clock (replays). */
export const MAX_SKEW_SECONDS = 300;

/** `v0=` + hex HMAC-SHA256 over `v0:<timestamp>:<body>`, as Slack signs its requests. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** What a receiver does (the example agent in docs, and the tests): timestamp fresh and signature equal. */
export function verifyWebhookSignature(secret: string, headers: { signature?: string; timestamp?: string }, body: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > MAX_SKEW_SECONDS || !headers.signature) return false;
  const expected = Buffer.from(webhookSignature(secret, ts, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
