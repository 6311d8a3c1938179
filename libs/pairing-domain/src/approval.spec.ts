import { decide } from './decide';
import { rehydrate } from './evolve';
import { testDeps } from './testing/deps';
import { given } from './testing/decider-spec';
import { at, CONNECTION, dm, events, inSpace, minutes, T0 } from './testing/fixtures';

const strangerDm = dm('stranger', '7K3M-9XQP');
const aliceInSpace = inSpace('alice', 'g1', 'SPACE123');
const userObserved = [events.tokenIssued('tu', '7K3M9XQP'), events.observed('tu', 'o-user', strangerDm, 'user', at(minutes(30)))];
const spaceObserved = [
  events.userApproved('alice'),
  events.tokenIssued('ts', 'SPACE123', 'space'),
  events.observed('ts', 'o-space', aliceInSpace, 'space', at(minutes(30))),
];
const approve = (observationId: string, now = T0) => ({ type: 'ApproveObservation', observationId, now }) as const;
const rejectCmd = (observationId: string, now = T0) => ({ type: 'RejectObservation', observationId, now }) as const;

describe('ApproveObservation (rules 3, 4, 10)', () => {
  it('approving a user observation puts the actor on the user allowlist', () => {
    given(...userObserved)
      .when(approve('o-user'))
      .thenEmits([{ type: 'UserApproved', data: { user: strangerDm.actor, how: 'pairing', observationId: 'o-user' } }], { kind: 'done' });
  });

  it('approving a space observation puts the space on the space allowlist, naming who paired it', () => {
    given(...spaceObserved)
      .when(approve('o-space'))
      .thenEmits(
        [{ type: 'SpaceApproved', data: { space: aliceInSpace.space!, how: 'pairing', observationId: 'o-space', pairedBy: aliceInSpace.actor } }],
        { kind: 'done' },
      );
  });

  it('after approval the paired user and space are admitted', () => {
    const deps = testDeps();
    const history = [...userObserved, ...spaceObserved];
    const a1 = decide(approve('o-user'), rehydrate(CONNECTION, history), deps);
    const a2 = decide(approve('o-space'), rehydrate(CONNECTION, [...history, ...(a1.ok ? a1.events : [])]), deps);
    const state = rehydrate(CONNECTION, [...history, ...(a1.ok ? a1.events : []), ...(a2.ok ? a2.events : [])]);
    const now = at(minutes(1));
    expect(decide({ type: 'ObserveMessage', message: dm('stranger', 'hello'), now }, state, deps)).toEqual({ ok: true, events: [], outcome: { kind: 'admitted' } });
    expect(decide({ type: 'ObserveMessage', message: inSpace('alice', 'g1', 'hi all'), now }, state, deps)).toMatchObject({ outcome: { kind: 'admitted' } });
  });

  it('re-checks the space code sender at approval: removed meanwhile → conflict', () => {
    given(...spaceObserved, { type: 'UserRemoved', data: { userId: 'alice' } }).when(approve('o-space')).thenFails('conflict');
  });

  it.each([
    ['unknown', [], 'not-found'],
    ['expired by the clock', [], 'expired', at(minutes(30))],
    ['expired by event', [{ type: 'ObservationExpired', data: { observationId: 'o-user', tokenId: 'tu' } } as const], 'expired'],
    ['already approved', [{ type: 'UserApproved', data: { user: strangerDm.actor, how: 'pairing', observationId: 'o-user' } } as const], 'conflict'],
    ['already rejected', [{ type: 'ObservationRejected', data: { observationId: 'o-user', tokenId: 'tu' } } as const], 'conflict'],
  ] as const)('approving an observation that is %s → %s', (label, extra, code, now = T0) => {
    const id = label === 'unknown' ? 'o-nope' : 'o-user';
    const t = given(...userObserved, ...extra).when(approve(id, now));
    t.thenFails(code);
    if (code === 'not-found') expect(!t.decision.ok && t.decision.error.field).toBe('observationId');
  });

  it('approving a user who is already allowlisted → conflict', () => {
    given(...userObserved, events.userApproved('stranger')).when(approve('o-user')).thenFails('conflict');
  });

  it('approving a space that is already allowlisted → conflict', () => {
    given(...spaceObserved, events.spaceApproved('g1')).when(approve('o-space')).thenFails('conflict');
  });
});

describe('RejectObservation', () => {
  it('rejects a pending observation (the token stays consumed)', () => {
    given(...userObserved)
      .when(rejectCmd('o-user'))
      .thenEmits([{ type: 'ObservationRejected', data: { observationId: 'o-user', tokenId: 'tu' } }], { kind: 'done' });
  });

  it.each([
    ['unknown', 'o-nope', [], 'not-found'],
    ['already rejected', 'o-user', [{ type: 'ObservationRejected', data: { observationId: 'o-user', tokenId: 'tu' } } as const], 'conflict'],
    ['expired', 'o-user', [{ type: 'ObservationExpired', data: { observationId: 'o-user', tokenId: 'tu' } } as const], 'expired'],
  ] as const)('rejecting an observation that is %s → %s', (_label, id, extra, code) => {
    given(...userObserved, ...extra).when(rejectCmd(id)).thenFails(code);
  });

  it('a rejected actor stays denied', () => {
    const state = rehydrate(CONNECTION, [...userObserved, { type: 'ObservationRejected', data: { observationId: 'o-user', tokenId: 'tu' } }]);
    expect(decide({ type: 'ObserveMessage', message: dm('stranger', 'hello'), now: T0 }, state, testDeps())).toMatchObject({
      outcome: { kind: 'denied', reason: 'user-not-allowlisted' },
    });
  });
});
