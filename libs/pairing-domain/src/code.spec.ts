import { CROCKFORD_ALPHABET, formatCode, isNormalizedCode } from './code';

describe('pairing codes (rule 1)', () => {
  it('uses the 32 Crockford symbols, without I, L, O and U', () => {
    expect(CROCKFORD_ALPHABET).toHaveLength(32);
    expect(new Set(CROCKFORD_ALPHABET).size).toBe(32);
    for (const excluded of 'ILOU') expect(CROCKFORD_ALPHABET).not.toContain(excluded);
  });

  it.each([
    ['ABCDEFGH', 'ABCD-EFGH'],
    ['0123ZZZZ', '0123-ZZZZ'],
    ['7K3M9XQP', '7K3M-9XQP'],
  ])('formats %s as %s', (code, shown) => {
    expect(formatCode(code)).toBe(shown);
  });

  it.each(['ABCDEFG', 'ABCDEFGHJ', 'abcdefgh', 'ABCDEFGU', 'ABCD-EFG', 'OOOOOOOO', ''])('refuses to format %p', (bad) => {
    expect(isNormalizedCode(bad)).toBe(false);
    expect(() => formatCode(bad)).toThrow(RangeError);
  });
});
