/**
 * Deterministic DomainDeps for specs. The "HMAC" is injective (hex of the UTF-16 code units, padded to 64 hex
 * digits), so two different normalized codes never collide and matching tests are meaningful; it is not secret,
 * which is fine outside production.
 */
import type { DomainDeps } from '../api';
import { CROCKFORD_ALPHABET } from '../code';

export function injectiveHex(value: string): string {
  const hex = [...value].map((c) => c.charCodeAt(0).toString(16).padStart(4, '0')).join('');
  if (hex.length > 64) throw new RangeError('injectiveHex takes at most 16 UTF-16 units');
  return hex.padEnd(64, '0');
}

/** Counter → 8 Crockford symbols, spread so consecutive codes differ in many positions. */
export function codeFromNumber(n: number): string {
  let x = (n * 2_654_435_761 + 0x5bd1e995) % 2 ** 40;
  let code = '';
  for (let i = 0; i < 8; i++) {
    code = CROCKFORD_ALPHABET[x % 32] + code;
    x = Math.floor(x / 32);
  }
  return code;
}

export interface TestDeps extends DomainDeps {
  /** Codes handed out so far, in order (unformatted). */
  readonly codes: string[];
  /** Ids handed out so far, in order. */
  readonly ids: string[];
}

export function testDeps(options: { codes?: string[]; idPrefix?: string } = {}): TestDeps {
  const scripted = [...(options.codes ?? [])];
  const codes: string[] = [];
  const ids: string[] = [];
  let n = 0;
  return {
    codes,
    ids,
    hmac: injectiveHex,
    equalHex(a, b) {
      // Mirrors the production contract: full-length comparison without an early exit.
      if (a.length !== b.length) return false;
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
      return diff === 0;
    },
    newCode() {
      const code = scripted.shift() ?? codeFromNumber(codes.length + 1);
      codes.push(code);
      return code;
    },
    newId() {
      const id = `${options.idPrefix ?? 'id'}-${++n}`;
      ids.push(id);
      return id;
    },
  };
}
