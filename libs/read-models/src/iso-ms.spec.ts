import fc from 'fast-check';
import { isoMs } from './iso-ms';

const sameAsDateParse = (s: string) => expect(Object.is(isoMs(s), Date.parse(s))).toBe(true);

describe('isoMs', () => {
  it('reads what toISOString writes, across the whole range of 4-digit years', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) => {
        expect(isoMs(d.toISOString())).toBe(d.getTime());
      }),
      { numRuns: 5_000 },
    );
  });

  it('agrees with Date.parse on strings of that shape with any digits (rollover, hour 24, years below 100)', () => {
    const n = (digits: number) => fc.integer({ min: 0, max: 10 ** digits - 1 }).map((v) => String(v).padStart(digits, '0'));
    const shaped = fc
      .tuple(n(4), n(2), n(2), n(2), n(2), n(2), n(3))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(fc.property(shaped, sameAsDateParse), { numRuns: 5_000 });
    for (const s of ['2026-02-30T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01T24:00:00.001Z', '0099-01-01T00:00:00.000Z', '2026-13-01T00:00:00.000Z']) {
      sameAsDateParse(s);
    }
  });

  it('leaves every other form to Date.parse', () => {
    for (const s of ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000+02:00', '2026-01-01 00:00:00.000Z', '2026-0a-01T00:00:00.000Z', '+2026-01-01T00:00:00.000Z', '', 'yesterday']) {
      sameAsDateParse(s);
    }
    fc.assert(fc.property(fc.string({ minLength: 24, maxLength: 24 }), sameAsDateParse), { numRuns: 2_000 });
  });
});
