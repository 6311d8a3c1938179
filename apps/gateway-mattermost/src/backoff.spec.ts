import { reconnectDelay } from './backoff';

describe('reconnectDelay', () => {
  const o = { initialMs: 100, maxMs: 1000 };

  it('grows exponentially and is capped', () => {
    const max = (a: number) => reconnectDelay(a, o, () => 1);
    expect([0, 1, 2, 3, 4, 10, 1000].map(max)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('jitters between half and all of the ceiling', () => {
    expect(reconnectDelay(2, o, () => 0)).toBe(200);
    expect(reconnectDelay(2, o, () => 0.5)).toBe(300);
    for (let i = 0; i < 50; i++) {
      const d = reconnectDelay(3, o);
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(800);
    }
  });
});
