import type { DomainEvent } from '@twokey/contracts';
import { evolve, rehydrate } from './evolve';
import { decodeAccessState, encodeAccessState } from './state-codec';
import { initialState, type AccessState } from './state';
import { at, CONNECTION, dm, events, minutes } from './testing/fixtures';

const history: DomainEvent[] = [
  events.userApproved('alice'),
  events.spaceApproved('g1'),
  events.tokenIssued('t1', 'AAAAAAAA'),
  events.observed('t1', 'o1', dm('carol', 'x'), 'user', at(minutes(30))),
  events.tokenIssued('t2', 'BBBBBBBB'),
  events.failedAttempt(dm('mallory', 'x'), at(minutes(1))),
  events.failedAttempt(dm('mallory', 'x'), at(minutes(2))),
];
const later: DomainEvent[] = [
  { type: 'UserApproved', data: { user: { id: 'carol', displayName: 'Carol' }, how: 'pairing', observationId: 'o1' } },
  { type: 'TokenRevoked', data: { tokenId: 't2' } },
  events.failedAttempt(dm('mallory', 'x'), at(minutes(3))),
];

const plain = (s: AccessState) => JSON.stringify(s, (_k, v: unknown) => (v instanceof Map ? [...v] : v));

describe('AccessState codec', () => {
  it('decodes through JSON to the state that was encoded, map order included', () => {
    const state = rehydrate(CONNECTION, history);
    const decoded = decodeAccessState(JSON.parse(JSON.stringify(encodeAccessState(state))));
    expect(plain(decoded)).toBe(plain(state));
    expect([...decoded.tokens.keys()]).toEqual(['t1', 't2']);
  });

  it('a decoded state folds on to the state of the whole history', () => {
    const decoded = decodeAccessState(JSON.parse(JSON.stringify(encodeAccessState(rehydrate(CONNECTION, history)))));
    const resumed = later.reduce((s, e) => evolve(s, e), decoded);
    expect(plain(resumed)).toBe(plain([...history, ...later].reduce((s, e) => evolve(s, e), initialState(CONNECTION))));
  });

  it('refuses data that is not an encoded state', () => {
    expect(() => decodeAccessState({} as never)).toThrow(TypeError);
  });
});
