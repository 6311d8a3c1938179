/**
 * X-Lark-Signature check (only when an Encrypt Key is configured):
 * signature = hex(SHA-256(X-Lark-Request-Timestamp + X-Lark-Request-Nonce + encryptKey + body)).
 *
 * The platform signs the raw body bytes; the SDK's own check hashes `JSON.stringify(parsed body)` instead, which
 * only matches compact JSON. We accept either form (both require the key) and compare in constant time, which
 * the SDK does not.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface SignedRequest {
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  /** The parsed body, when it was JSON. */
  parsed?: unknown;
}

const sha256hex = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function verifyLarkSignature(req: SignedRequest, encryptKey: string): boolean {
  const { timestamp, nonce, signature } = req;
  if (!timestamp || !nonce || !signature) return false;
  const prefix = Buffer.from(timestamp + nonce + encryptKey);
  const forms: Buffer[] = [req.rawBody];
  if (req.parsed !== undefined) forms.push(Buffer.from(JSON.stringify(req.parsed)));
  return forms.some((body) => same(sha256hex(Buffer.concat([prefix, body])), signature.toLowerCase()));
}
