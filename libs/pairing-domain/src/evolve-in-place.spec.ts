import type { DomainEvent } from '@twokey/contracts';
import { evolve, evolveInPlace, rehydrate } from './evolve';
import { initialState, type AccessState } from './state';
import { at, CONNECTION, dm, events, minutes } from './testing/fixtures';

const history: DomainEvent[] = [
  events.userApproved('alice'),
  events.userApproved('bob'),
  events.spaceApproved('g1'),
  events.tokenIssued('t1', 'AAAAAAAA'),
  events.observed('t1', 'o1', dm('carol', 'x'), 'user', at(minutes(30))),
  { type: 'UserApproved', data: { user: { id: 'carol', displayName: 'Carol' }, how: 'pairing', observationId: 'o1' } },
  { type: 'UserRemoved', data: { userId: 'bob' } },
  { type: 'SpaceRemoved', data: { spaceId: 'g1' } },
  events.tokenIssued('t2', 'BBBBBBBB'),
  { type: 'TokenRevoked', data: { tokenId: 't2' } },
  events.failedAttempt(dm('mallory', 'x'), at(minutes(1))),
];

const snapshot = (s: AccessState) => JSON.stringify(s, (_k, v: unknown) => (v instanceof Map ? [...v] : v));

describe('evolveInPlace', () => {
  it('folds to exactly the state evolve builds', () => {
    const copied = history.reduce((s, e) => evolve(s, e), initialState(CONNECTION));
    const inPlace = history.reduce((s, e) => evolveInPlace(s, e), initialState(CONNECTION));
    expect(snapshot(inPlace)).toEqual(snapshot(copied));
    expect(snapshot(rehydrate(CONNECTION, history))).toEqual(snapshot(copied));
  });

  it('leaves evolve pure: the state it was given is unchanged', () => {
    const before = history.slice(0, 3).reduce((s, e) => evolve(s, e), initialState(CONNECTION));
    const frozen = snapshot(before);
    evolve(before, { type: 'UserRemoved', data: { userId: 'alice' } });
    evolve(before, events.userApproved('dave'));
    expect(snapshot(before)).toEqual(frozen);
  });

  it('updates the allowlist maps it owns instead of copying them', () => {
    const s = evolveInPlace(initialState(CONNECTION), events.userApproved('alice'));
    const next = evolveInPlace(s, events.userApproved('bob'));
    expect(next.users).toBe(s.users);
    expect([...next.users.keys()]).toEqual(['alice', 'bob']);
  });
});
