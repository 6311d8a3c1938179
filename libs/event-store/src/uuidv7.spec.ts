import { uuidv7, uuidv7Time } from './uuidv7';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('has the version 7 and RFC 9562 variant bits', () => {
    for (let i = 0; i < 1000; i++) expect(uuidv7()).toMatch(V7);
  });

  it('carries the current time in its first 48 bits', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(uuidv7Time(id)).toBeGreaterThanOrEqual(before);
    expect(uuidv7Time(id)).toBeLessThanOrEqual(after + 1);
  });

  it('sorts in creation order in a tight loop', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sorts in creation order within one millisecond, past the 12-bit counter', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_900_000_000_000);
    try {
      const ids = Array.from({ length: 5_000 }, () => uuidv7());
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
      // More ids than the counter holds: the generator borrowed the next millisecond rather than wrap.
      expect(uuidv7Time(ids[ids.length - 1])).toBe(1_900_000_000_001);
    } finally {
      now.mockRestore();
    }
  });

  it('stays ordered when the clock steps back', () => {
    const now = jest.spyOn(Date, 'now');
    try {
      now.mockReturnValue(2_000_000_000_000);
      const a = uuidv7();
      now.mockReturnValue(1_999_999_999_000);
      const b = uuidv7();
      expect(b > a).toBe(true);
      expect(uuidv7Time(b)).toBeGreaterThanOrEqual(2_000_000_000_000);
    } finally {
      now.mockRestore();
    }
  });
});
