import fc from 'fast-check';
import { SequenceSet } from './sequence-set';

type Op = { kind: 'add'; seq: number } | { kind: 'has'; seq: number } | { kind: 'deleteUpTo'; floor: number };

const seq = fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: seq.map((s) => ({ kind: 'add' as const, seq: s })) },
  { weight: 3, arbitrary: seq.map((s) => ({ kind: 'has' as const, seq: s })) },
  { weight: 1, arbitrary: seq.map((floor) => ({ kind: 'deleteUpTo' as const, floor })) },
);

describe('SequenceSet', () => {
  it('behaves as a Set of sequences', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const set = new SequenceSet();
        const model = new Set<number>();
        for (const o of ops) {
          if (o.kind === 'add') {
            set.add(o.seq);
            model.add(o.seq);
          } else if (o.kind === 'has') {
            expect(set.has(o.seq)).toBe(model.has(o.seq));
          } else {
            set.deleteUpTo(o.floor);
            for (const s of model) if (s <= o.floor) model.delete(s);
          }
          expect(set.size).toBe(model.size);
        }
        for (const s of model) expect(set.has(s)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('forgets everything up to a floor inside a page and keeps what is above it', () => {
    const set = new SequenceSet();
    for (let s = 0; s < 100_000; s += 3) set.add(s);
    set.deleteUpTo(40_000);
    expect(set.has(39_999)).toBe(false);
    expect(set.has(40_002)).toBe(true);
    expect(set.size).toBe(Math.ceil(100_000 / 3) - Math.floor(40_000 / 3) - 1);
  });
});

describe('SequenceSet pages', () => {
  it('round-trip through JSON with every sequence and the size', () => {
    const set = new SequenceSet();
    for (const seq of [1, 2, 31, 32, 40_000, 1_000_000, 1_000_001]) set.add(seq);
    const copy = SequenceSet.fromPages(JSON.parse(JSON.stringify(set.toPages())) as [number, string][]);
    expect(copy.size).toBe(7);
    for (const seq of [1, 2, 31, 32, 40_000, 1_000_000, 1_000_001]) expect(copy.has(seq)).toBe(true);
    expect(copy.has(3)).toBe(false);
    expect(() => SequenceSet.fromPages([[0, 'AAAA']])).toThrow(TypeError);
  });
});
