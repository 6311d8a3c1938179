import type { DomainEvent, StoredEvent } from '@twokey/contracts';
import { decide } from './decide';
import { evolve, rehydrate } from './evolve';
import { PAIRING_POLICY } from './policy';
import { initialState, nextExpiryAt } from './state';
import { testDeps } from './testing/deps';
import { at, CONNECTION, dm, events, minutes, T0 } from './testing/fixtures';

const stored = (e: DomainEvent, i: number, occurredAt: Date): StoredEvent =>
  ({
    ...e,
    eventId: `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    schemaVersion: 1,
    stream: `access-${CONNECTION}`,
    streamVersion: i + 1,
    position: i + 1,
    occurredAt: occurredAt.toISOString(),
    correlationId: 'c',
    causationId: 'c',
    actor: { type: 'system', id: 'test' },
  }) as StoredEvent;

const stranger = dm('stranger', 'x');
const history: DomainEvent[] = [
  events.userApproved('alice'),
  events.spaceApproved('g1'),
  events.tokenIssued('t1', 'AAAAAAAA'),
  events.tokenIssued('t2', 'BBBBBBBB'),
  events.observed('t2', 'o1', stranger, 'user', at(minutes(30))),
  events.failedAttempt(dm('mallory', 'x'), at(minutes(1))),
];

describe('evolve / rehydrate', () => {
  it('starts closed: no users, spaces, tokens or observations', () => {
    const s = initialState(CONNECTION);
    expect([s.users.size, s.spaces.size, s.tokens.size, s.observations.size]).toEqual([0, 0, 0, 0]);
    expect(s.connection).toBe(CONNECTION);
  });

  it('rebuilds the allowlists, tokens, observations and attempt counters', () => {
    const s = rehydrate(CONNECTION, history);
    expect([...s.users.keys()]).toEqual(['alice']);
    expect([...s.spaces.keys()]).toEqual(['g1']);
    expect(s.tokens.get('t1')?.status).toBe('live');
    expect(s.tokens.get('t2')?.status).toBe('observed');
    expect(s.observations.get('o1')).toMatchObject({ status: 'pending', actor: stranger.actor, tokenId: 't2' });
    expect(s.failedAttempts.actor.get('mallory')).toEqual([at(minutes(1)).getTime()]);
  });

  it('accepts stored events (with envelope) and gives the same state as bare events', () => {
    const bare = rehydrate(CONNECTION, history);
    const fromStore = rehydrate(CONNECTION, history.map((e, i) => stored(e, i, at(minutes(1)))));
    expect(fromStore.users).toEqual(bare.users);
    expect(fromStore.tokens).toEqual(bare.tokens);
    expect(fromStore.observations).toEqual(bare.observations);
    expect(fromStore.failedAttempts).toEqual(bare.failedAttempts);
  });

  it('never mutates the state it is given', () => {
    const before = rehydrate(CONNECTION, history);
    const snapshot = JSON.stringify([...before.users], null, 0) + JSON.stringify([...before.tokens]) + JSON.stringify([...before.observations]);
    evolve(before, { type: 'UserRemoved', data: { userId: 'alice' } });
    evolve(before, { type: 'TokenRevoked', data: { tokenId: 't1' } });
    evolve(before, { type: 'ObservationRejected', data: { observationId: 'o1', tokenId: 't2' } });
    expect(JSON.stringify([...before.users], null, 0) + JSON.stringify([...before.tokens]) + JSON.stringify([...before.observations])).toBe(snapshot);
  });

  it('a late TokenExpired does not turn a consumed token into an expired one', () => {
    const s = rehydrate(CONNECTION, [...history, { type: 'TokenExpired', data: { tokenId: 't2' } }]);
    expect(s.tokens.get('t2')?.status).toBe('observed');
  });

  it('ignores events about tokens or observations it no longer holds', () => {
    const s = rehydrate(CONNECTION, [{ type: 'TokenRevoked', data: { tokenId: 'gone' } }, { type: 'ObservationExpired', data: { observationId: 'gone', tokenId: 'gone' } }]);
    expect(s.tokens.size + s.observations.size).toBe(0);
  });

  it('forgets, as time passes (seen in events), what no decision can depend on any more', () => {
    const later = at(minutes(30) + PAIRING_POLICY.decidedObservationMemoryMs + minutes(1));
    const s = rehydrate(CONNECTION, [
      ...history.map((e, i) => stored(e, i, T0)),
      stored({ type: 'ObservationRejected', data: { observationId: 'o1', tokenId: 't2' } }, 10, at(minutes(2))),
      stored({ type: 'TokenExpired', data: { tokenId: 't1' } }, 11, at(minutes(5))),
      stored(events.userApproved('bob'), 12, later),
    ]);
    expect(s.tokens.size).toBe(0);
    expect(s.observations.size).toBe(0);
    expect(s.failedAttempts.actor.size).toBe(0);
    expect(s.users.size).toBe(2);
    // A forgotten observation is simply unknown.
    expect(decide({ type: 'ApproveObservation', observationId: 'o1', now: later }, s, testDeps())).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('nextExpiryAt names the earliest expiry of a live token or pending observation', () => {
    expect(nextExpiryAt(initialState(CONNECTION))).toBeUndefined();
    expect(nextExpiryAt(rehydrate(CONNECTION, history))).toEqual(at(minutes(5)));
    const onlyObservation = rehydrate(CONNECTION, [...history, { type: 'TokenRevoked', data: { tokenId: 't1' } }]);
    expect(nextExpiryAt(onlyObservation)).toEqual(at(minutes(30)));
  });

  it('keeps pending observations and live tokens whatever the clock (ExpireDue must still see them)', () => {
    const s = rehydrate(CONNECTION, [...history.map((e, i) => stored(e, i, T0)), stored(events.userApproved('bob'), 20, at(minutes(600)))]);
    expect(s.tokens.get('t1')?.status).toBe('live');
    expect(s.observations.get('o1')?.status).toBe('pending');
    expect(decide({ type: 'ExpireDue', now: at(minutes(600)) }, s, testDeps())).toMatchObject({
      ok: true,
      events: [{ type: 'TokenExpired' }, { type: 'ObservationExpired' }],
    });
  });
});
