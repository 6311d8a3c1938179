import { MessageDenied } from '@twokey/contracts';
import type { Denial } from './api';
import { coalesce, emptyCoalescer, flushAll, flushDue, flushHeld, heldSequences, nextFlushAt, type CoalescerState } from './coalescer';
import { actor, at, seconds, T0 } from './testing/fixtures';

const OPTS = { windowMs: seconds(60), maxCount: 5 };

function denial(seq: number, atMs: number, over: Partial<Denial> = {}): Denial {
  return {
    reason: 'user-not-allowlisted',
    actor: actor('bob'),
    conversation: { id: 'c1', kind: 'group', threadId: 't1' },
    space: { id: 'g1', kind: 'telegram-group' },
    at: at(atMs),
    inboundSequence: seq,
    ...over,
  };
}

/** Feeds denials in order; returns the final state and everything emitted, with the `held` flags. */
function feed(denials: Denial[], state: CoalescerState = emptyCoalescer()) {
  const emits = [];
  const held: boolean[] = [];
  for (const d of denials) {
    const r = coalesce(state, d, OPTS);
    state = r.state;
    held.push(r.held);
    if (r.emit) emits.push(r.emit);
  }
  return { state, emits, held };
}

describe('denial coalescer (rule 7)', () => {
  it('emits the first denial of a key at once (count 1) and holds the later ones of the window', () => {
    const { state, emits, held } = feed([denial(1, 0), denial(2, seconds(10)), denial(3, seconds(20))]);
    expect(held).toEqual([false, true, true]);
    expect(emits).toEqual([
      {
        reason: 'user-not-allowlisted',
        actor: actor('bob'),
        conversation: { id: 'c1', kind: 'group', threadId: 't1' },
        space: { id: 'g1', kind: 'telegram-group' },
        count: 1,
        firstSeenAt: T0.toISOString(),
        lastSeenAt: T0.toISOString(),
        inboundSequences: [1],
      },
    ]);
    expect(heldSequences(state)).toEqual([2, 3]);
    expect(nextFlushAt(state)).toEqual(at(seconds(60)));
  });

  it('flushDue emits one MessageDenied per key whose window ended, with the count and the held sequences', () => {
    const { state } = feed([denial(1, 0), denial(2, seconds(10)), denial(3, seconds(20))]);
    expect(flushDue(state, at(seconds(59))).emits).toEqual([]);
    const flushed = flushDue(state, at(seconds(60)));
    expect(flushed.emits).toEqual([
      expect.objectContaining({ count: 2, firstSeenAt: at(seconds(10)).toISOString(), lastSeenAt: at(seconds(20)).toISOString(), inboundSequences: [2, 3] }),
    ]);
    expect(heldSequences(flushed.state)).toEqual([]);
    // A new window opened at the flush: the next denial is held, not emitted.
    const next = coalesce(flushed.state, denial(4, seconds(70)), OPTS);
    expect(next).toMatchObject({ held: true });
    expect(next.emit).toBeUndefined();
  });

  it('forgets a key whose window ended with nothing held: its next denial is emitted at once', () => {
    const { state } = feed([denial(1, 0)]);
    const flushed = flushDue(state, at(seconds(61)));
    expect(flushed.emits).toEqual([]);
    expect(flushed.state.windows.size).toBe(0);
    expect(coalesce(flushed.state, denial(2, seconds(62)), OPTS)).toMatchObject({ held: false, emit: { count: 1 } });
  });

  it('flushes a key early when it reaches maxCount held denials', () => {
    const { emits, held, state } = feed([0, 1, 2, 3, 4, 5].map((i) => denial(i + 1, seconds(i))));
    expect(held).toEqual([false, true, true, true, true, false]);
    expect(emits.map((e) => e.count)).toEqual([1, 5]);
    expect(emits[1]).toMatchObject({ inboundSequences: [2, 3, 4, 5, 6] });
    expect(heldSequences(state)).toEqual([]);
  });

  it('keys are (actor, conversation, reason); thread ids do not split a flood', () => {
    const { emits } = feed([
      denial(1, 0),
      denial(2, 1, { conversation: { id: 'c1', kind: 'group', threadId: 'other-thread' } }),
      denial(3, 2, { reason: 'space-not-allowlisted' }),
      denial(4, 3, { actor: actor('eve') }),
      denial(5, 4, { conversation: { id: 'c2', kind: 'group' } }),
    ]);
    expect(emits.map((e) => e.inboundSequences)).toEqual([[1], [3], [4], [5]]);
  });

  it('a redelivered message is counted once', () => {
    const { state } = feed([denial(1, 0), denial(2, 10), denial(2, 20), denial(1, 30)]);
    const { emits } = flushDue(state, at(seconds(60)));
    expect(emits).toEqual([expect.objectContaining({ count: 2, inboundSequences: [2, 1] })]);
  });

  it('a denial arriving after its window ended without a flush goes out together with the held ones', () => {
    const { emits } = feed([denial(1, 0), denial(2, seconds(5)), denial(3, seconds(90))]);
    expect(emits[1]).toMatchObject({ count: 2, inboundSequences: [2, 3], firstSeenAt: at(seconds(5)).toISOString(), lastSeenAt: at(seconds(90)).toISOString() });
  });

  it('flushAll emits everything held (shutdown) and leaves nothing behind', () => {
    const { state } = feed([denial(1, 0), denial(2, 1), denial(3, 2, { actor: actor('eve') }), denial(4, 3, { actor: actor('eve') })]);
    const all = flushAll(state);
    expect(all.emits.map((e) => [e.actor.id, e.count])).toEqual([
      ['bob', 1],
      ['eve', 1],
    ]);
    expect(all.state.windows.size).toBe(0);
  });

  it('flushHeld emits what is held and keeps the windows open: the next denial is held, not emitted', () => {
    const { state } = feed([denial(1, 0), denial(2, 1), denial(3, 2), denial(4, 3, { actor: actor('eve') })]);
    const flushed = flushHeld(state);
    expect(flushed.emits).toEqual([expect.objectContaining({ count: 2, inboundSequences: [2, 3] })]);
    expect(heldSequences(flushed.state)).toEqual([]);
    const next = feed([denial(5, seconds(10)), denial(6, seconds(11), { actor: actor('eve') })], flushed.state);
    expect(next.held).toEqual([true, true]);
    expect(next.emits).toEqual([]);
    // The windows keep their end: one event per key when they end, counting only what came after the flush.
    const due = flushDue(next.state, at(seconds(61)));
    expect(due.emits.map((e) => [e.actor.id, e.count, e.inboundSequences])).toEqual([
      ['bob', 1, [5]],
      ['eve', 1, [6]],
    ]);
  });

  it('an emitted event keeps its sequences when the window goes on holding', () => {
    const { state, emits } = feed([denial(1, 0), denial(2, 1), denial(3, 2), denial(4, 3), denial(5, 4), denial(6, 5)]);
    expect(emits[1].inboundSequences).toEqual([2, 3, 4, 5, 6]);
    const more = feed([denial(7, 6), denial(8, 7)], state);
    expect(emits[1].inboundSequences).toEqual([2, 3, 4, 5, 6]);
    expect(flushAll(more.state).emits).toEqual([expect.objectContaining({ count: 2, inboundSequences: [7, 8] })]);
  });

  it('the event shows the newest actor, conversation and space of the key', () => {
    const renamed = { actor: actor('bob', 'Robert'), conversation: { id: 'c1', kind: 'group' as const, title: 'Renamed' }, space: { id: 'g1', kind: 'telegram-group' as const, title: 'G' } };
    const { state } = feed([denial(1, 0), denial(2, 1), denial(3, 2, renamed), denial(4, 3, { ...renamed })]);
    expect(flushAll(state).emits).toEqual([
      expect.objectContaining({ actor: renamed.actor, conversation: renamed.conversation, space: renamed.space, count: 3 }),
    ]);
    const withoutSpace = feed([denial(1, 0), denial(2, 1, { space: undefined })]);
    expect(flushAll(withoutSpace.state).emits[0]).not.toHaveProperty('space');
  });

  it('works without inbound sequences (they are optional)', () => {
    const { state, emits } = feed([denial(0, 0, { inboundSequence: undefined }), denial(0, 1, { inboundSequence: undefined })]);
    expect(emits[0]).not.toHaveProperty('inboundSequences');
    expect(flushAll(state).emits).toEqual([expect.objectContaining({ count: 1 })]);
  });

  it('bounds a flood: 10 000 denials over 5 minutes → one event per window per key, counts adding up', () => {
    let state = emptyCoalescer();
    const out = [];
    const opts = { windowMs: seconds(60), maxCount: 10_000 };
    for (let i = 0; i < 10_000; i++) {
      const nowMs = i * 30;
      const flushed = flushDue(state, at(nowMs));
      state = flushed.state;
      out.push(...flushed.emits);
      const r = coalesce(state, denial(i, nowMs), opts);
      state = r.state;
      if (r.emit) out.push(r.emit);
    }
    out.push(...flushAll(state).emits);
    expect(out.length).toBeLessThanOrEqual(7);
    expect(out.reduce((n, e) => n + e.count, 0)).toBe(10_000);
    for (const e of out) expect(() => MessageDenied.parse(e)).not.toThrow();
  });

  it.each([
    [{ windowMs: 0, maxCount: 5 }],
    [{ windowMs: 1000, maxCount: 0 }],
    [{ windowMs: 1000, maxCount: 10_001 }],
    [{ windowMs: 1000, maxCount: 1.5 }],
  ])('refuses options %p', (opts) => {
    expect(() => coalesce(emptyCoalescer(), denial(1, 0), opts)).toThrow(RangeError);
  });
});
