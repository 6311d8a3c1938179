import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { uuidv7 } from '@twokey/event-store';
import { CODE_LENGTH, CROCKFORD_ALPHABET, type DomainDeps } from '@twokey/pairing-domain';

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
