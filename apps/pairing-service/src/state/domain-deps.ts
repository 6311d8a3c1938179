import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { CODE_LENGTH, CROCKFORD_ALPHABET, type DomainDeps } from '@twokey/pairing-domain';

/** RFC 9562 UUIDv7: 48-bit millisecond time, then random bits, so ids sort by creation time. */
export function uuidv7(nowMs: number = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(nowMs, 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The production randomness and HMAC behind the pure Decider. The secret never leaves this closure. */
export function productionDomainDeps(hmacSecret: string): DomainDeps {
  return {
    hmac: (normalizedCode) => createHmac('sha256', hmacSecret).update(normalizedCode, 'utf8').digest('hex'),
    equalHex(a, b) {
      const x = Buffer.from(a, 'hex');
      const y = Buffer.from(b, 'hex');
      return x.length === y.length && x.length * 2 === a.length && timingSafeEqual(x, y);
    },
    newCode: () => Array.from({ length: CODE_LENGTH }, () => CROCKFORD_ALPHABET[randomInt(CROCKFORD_ALPHABET.length)]).join(''),
    newId: () => uuidv7(),
  };
}
