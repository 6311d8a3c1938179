/**
 * Pairing codes (rule 1): 8 symbols of Crockford base32 (40 bits), displayed `ABCD-EFGH`.
 * The alphabet leaves out I, L, O and U so a code read aloud or retyped is not ambiguous.
 */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 8;

const CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{8}$/;

/** True for a normalized code: exactly 8 uppercase Crockford symbols, no separator. */
export function isNormalizedCode(value: string): boolean {
  return CODE_PATTERN.test(value);
}

/** `ABCDEFGH` → `ABCD-EFGH`, the only form a person is shown. */
export function formatCode(normalizedCode: string): string {
  if (!isNormalizedCode(normalizedCode)) {
    throw new RangeError('formatCode expects 8 uppercase Crockford base32 symbols');
  }
  return `${normalizedCode.slice(0, 4)}-${normalizedCode.slice(4)}`;
}
