import { stringifyInSlices } from './snapshot-writer';

describe('stringifyInSlices', () => {
  it('writes exactly what JSON.stringify writes, large arrays included', async () => {
    const data = {
      position: 7,
      skipped: undefined,
      connections: [
        { id: 'a', users: Array.from({ length: 1_234 }, (_, i) => ({ id: `u${i}`, name: i % 2 ? undefined : `N "${i}"` })), at: new Date(0) },
        { id: 'b', users: [], nested: [[1, 'x'], [2, null]], sparse: [undefined, () => 1, NaN] },
      ],
      pages: Array.from({ length: 700 }, (_, i) => [i, 'AAAA']),
    };
    expect(await stringifyInSlices(data)).toBe(JSON.stringify(data));
    for (const v of [null, 1, 'x', [], {}, [undefined]]) expect(await stringifyInSlices(v)).toBe(JSON.stringify(v));
  });

  it('lets other work run between slices', async () => {
    let ran = false;
    setImmediate(() => (ran = true));
    await stringifyInSlices({ big: Array.from({ length: 2_000 }, (_, i) => i) });
    expect(ran).toBe(true);
  });
});
