/** fast-check arbitraries for the property specs: codes, and the ways people mangle them when retyping. */
import fc from 'fast-check';
import { CROCKFORD_ALPHABET } from '../code';

export const codeArb: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...CROCKFORD_ALPHABET), { minLength: 8, maxLength: 8 })
  .map((symbols) => symbols.join(''));

const SEPARATORS = [
  ' ', '  ', '\t', '\u00A0', '\u3000', '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212', '\uFE63', '\uFF0D',
  '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '.', '_', ',', '/', ':',
];
const PREFIXES = [
  '', '/pair ', '/start ', '/PAIR ', '/start@twokey_bot ', '/pair@twokey_bot ', '@twokey ', '<@U0ABC1234> ', '<@123456789> ',
  '<@!123456789> ', '@_user_1 ', '@_user_1 /pair ', '<@U0ABC1234>  /start ',
];
/** Look-alikes a person may type instead of 0 and 1 (Crockford aliases). */
const ALIASES: Record<string, readonly string[]> = { '0': ['0', 'O', 'o'], '1': ['1', 'I', 'i', 'L', 'l'] };

/** ASCII → its full-width form (U+FF01..U+FF5E), as CJK input methods produce. */
export const fullWidth = (s: string): string =>
  [...s].map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c === ' ' ? '\u3000' : c)).join('');

export interface Mangling {
  readonly prefix: string;
  readonly widePrefix: boolean;
  readonly perSymbol: readonly { sep: string | null; lower: boolean; wide: boolean; alias: number }[];
  readonly trailing: string;
}

export const manglingArb: fc.Arbitrary<Mangling> = fc.record({
  prefix: fc.constantFrom(...PREFIXES),
  widePrefix: fc.boolean(),
  perSymbol: fc.array(
    fc.record({ sep: fc.option(fc.constantFrom(...SEPARATORS), { nil: null }), lower: fc.boolean(), wide: fc.boolean(), alias: fc.nat(4) }),
    { minLength: 8, maxLength: 8 },
  ),
  trailing: fc.constantFrom('', ' ', '\n', '!', '.', '\u200B'),
});

/** Renders `code` the way a person might type or paste it. */
export function mangle(code: string, m: Mangling): string {
  const body = [...code]
    .map((symbol, i) => {
      const options = ALIASES[symbol];
      let c = options ? options[m.perSymbol[i].alias % options.length] : symbol;
      if (m.perSymbol[i].lower) c = c.toLowerCase();
      if (m.perSymbol[i].wide) c = fullWidth(c);
      return (i > 0 && m.perSymbol[i].sep !== null ? m.perSymbol[i].sep : '') + c;
    })
    .join('');
  return (m.widePrefix ? fullWidth(m.prefix) : m.prefix) + body + m.trailing;
}
