import type { DomainEvent, InboundMessage } from '@twokey/contracts';
import { decide } from './decide';
import { evolve } from './evolve';
import { testDeps } from './testing/deps';
import { given } from './testing/decider-spec';
import { at, dm, events, inSpace, minutes, T0 } from './testing/fixtures';

const USER_CODE = '7K3M9XQP';
const SPACE_CODE = 'SPACE123'; // all Crockford symbols
const observe = (message: InboundMessage, now = T0, inboundSequence?: number) =>
  ({ type: 'ObserveMessage', message, now, ...(inboundSequence !== undefined ? { inboundSequence } : {}) }) as const;

const userToken = events.tokenIssued('tu', USER_CODE, 'user', at(minutes(30)));
const spaceToken = events.tokenIssued('ts', SPACE_CODE, 'space', at(minutes(30)));

function failed(message: InboundMessage, reason: 'pairing-code-invalid' | 'pairing-code-expired' | 'pairing-code-used', now = T0, sequence?: number): DomainEvent {
  const e = events.failedAttempt(message, now, reason);
  return sequence === undefined ? e : ({ ...e, data: { ...e.data, inboundSequences: [sequence] } } as DomainEvent);
}

describe('observing a pairing code (rule 3)', () => {
  it('the first matching message observes the token: TokenObserved with actor, conversation and a 30 min expiry', () => {
    const m = dm('stranger', '/start 7k3m-9xqp');
    given(userToken)
      .when(observe(m, at(minutes(1))), testDeps({ idPrefix: 'obs' }))
      .thenEmits(
        [
          {
            type: 'TokenObserved',
            data: {
              tokenId: 'tu',
              observationId: 'obs-1',
              purpose: 'user',
              actor: m.actor,
              conversation: m.conversation,
              platformMessageId: m.platformMessageId,
              expiresAt: at(minutes(31)).toISOString(),
            },
          },
        ],
        { kind: 'observed', observationId: 'obs-1' },
      );
  });

  it('picks the token whose code matched among several', () => {
    const t = given(userToken, events.tokenIssued('other', 'ZZZZZZZZ', 'user', at(minutes(30)))).when(observe(dm('s', 'ZZZZ-ZZZZ')));
    expect(t.events()).toEqual([expect.objectContaining({ type: 'TokenObserved', data: expect.objectContaining({ tokenId: 'other' }) })]);
  });

  it('consumes the token: the same code again is recognized as used (pairing-code-used), not as expired', () => {
    const first = dm('stranger', USER_CODE);
    const again = dm('someone-else', USER_CODE);
    given(userToken, events.observed('tu', 'o1', first))
      .when(observe(again, T0, 42))
      .thenEmits([failed(again, 'pairing-code-used', T0, 42)], { kind: 'denied', reason: 'pairing-code-used' });
  });

  it('a consumed code reused after its time ran out is still "used"', () => {
    const again = dm('someone-else', USER_CODE);
    const later = at(minutes(45));
    given(userToken, events.observed('tu', 'o1', dm('stranger', USER_CODE)), { type: 'TokenExpired', data: { tokenId: 'tu' } })
      .when(observe(again, later))
      .thenEmits([failed(again, 'pairing-code-used', later)], { kind: 'denied', reason: 'pairing-code-used' });
  });

  it('a used code counts towards the brute-force limit like any failed attempt', () => {
    const again = dm('someone-else', USER_CODE);
    const history = [userToken, events.observed('tu', 'o1', dm('stranger', USER_CODE))];
    for (let i = 0; i < 5; i++) history.push(failed(again, 'pairing-code-used', at(minutes(1))));
    given(...history).when(observe(again, at(minutes(2)))).thenOutcome({ kind: 'denied', reason: 'pairing-throttled' });
  });

  it.each([
    ['expired by event', [{ type: 'TokenExpired', data: { tokenId: 'tu' } } as const], T0],
    ['past its expiry before ExpireDue', [], at(minutes(30))],
    ['revoked', [{ type: 'TokenRevoked', data: { tokenId: 'tu' } } as const], T0],
  ])('a code of a token %s → pairing-code-expired, not observed', (_label, history, now) => {
    const m = dm('stranger', USER_CODE);
    given(userToken, ...history).when(observe(m, now)).thenEmits([failed(m, 'pairing-code-expired', now)], { kind: 'denied', reason: 'pairing-code-expired' });
  });

  it('forgets a dead code about an hour after its expiry: then it is just invalid', () => {
    const m = dm('stranger', USER_CODE);
    const now = at(minutes(30 + 60));
    given(userToken).when(observe(m, now)).thenEmits([failed(m, 'pairing-code-invalid', now)], { kind: 'denied', reason: 'pairing-code-invalid' });
  });

  it('refuses a message addressed to another connection', () => {
    given(userToken).when(observe({ ...dm('stranger', USER_CODE), connection: 'discord' })).thenFails('invalid', 'message.connection');
  });
});

describe('where a code may be used (rule 4)', () => {
  /** A live code seen in the wrong place: the token revoked with the place; the message denied through the coalescer. */
  function burned(tokenId: string, m: InboundMessage): DomainEvent[] {
    return [{ type: 'TokenRevoked', data: { tokenId, exposedIn: { actor: m.actor, conversation: m.conversation, ...(m.space ? { space: m.space } : {}) } } }];
  }
  const exposedOutcome = (m: InboundMessage, sequence?: number) => ({
    kind: 'denied' as const,
    reason: 'pairing-code-exposed' as const,
    coalesce: {
      reason: 'pairing-code-exposed' as const, actor: m.actor, conversation: m.conversation, ...(m.space ? { space: m.space } : {}), at: T0,
      ...(sequence !== undefined ? { inboundSequence: sequence } : {}),
    },
  });

  it('M3: a live user code seen in a group is burned: TokenRevoked with the place, denied pairing-code-exposed', () => {
    const inGroup = inSpace('stranger', 'g1', USER_CODE);
    given(userToken)
      .when(observe(inGroup, T0, 9))
      .thenEmits(burned('tu', inGroup), exposedOutcome(inGroup, 9));
  });

  it('M3: a bystander who read the code in the group cannot redeem it in a DM afterwards', () => {
    const state = given(userToken).state;
    const d = decide(observe(inSpace('owner', 'g1', USER_CODE)), state, testDeps());
    const after = d.ok ? d.events.reduce(evolve, state) : state;
    const bystander = dm('bystander', USER_CODE);
    expect(decide(observe(bystander), after, testDeps())).toEqual({
      ok: true,
      events: [failed(bystander, 'pairing-code-expired')],
      outcome: { kind: 'denied', reason: 'pairing-code-expired' },
    });
  });

  it('M3: a user code in a group is burned even when an allowlisted user posts it (a code is never forwarded to the agent)', () => {
    const m = inSpace('alice', 'g1', USER_CODE);
    given(userToken, events.userApproved('alice'), events.spaceApproved('g1'))
      .when(observe(m))
      .thenEmits(burned('tu', m), exposedOutcome(m));
  });

  it('M3: a live space code seen in a DM is burned', () => {
    const m = dm('alice', SPACE_CODE);
    given(spaceToken, events.userApproved('alice'))
      .when(observe(m))
      .thenEmits(burned('ts', m), exposedOutcome(m));
  });

  it('M3: posting an exposed code is no brute-force attempt, and an admin revocation (no place) still reads', () => {
    const state = given(userToken, { type: 'TokenRevoked', data: { tokenId: 'other' } }).state;
    const d = decide(observe(inSpace('alice', 'g1', USER_CODE)), state, testDeps());
    const after = d.ok ? d.events.reduce(evolve, state) : state;
    expect(after.failedAttempts.actor.get('alice')).toBeUndefined();
    expect(after.tokens.get('tu')?.status).toBe('revoked');
  });

  it('a space code from an actor not on the user allowlist → space-pairing-not-authorized, coalesced, token stays live', () => {
    const m = inSpace('stranger', 'g1', SPACE_CODE);
    const state = given(spaceToken).state;
    const d = decide(observe(m, T0, 7), state, testDeps());
    expect(d).toEqual({
      ok: true,
      events: [],
      outcome: {
        kind: 'denied',
        reason: 'space-pairing-not-authorized',
        coalesce: { reason: 'space-pairing-not-authorized', actor: m.actor, conversation: m.conversation, space: m.space, at: T0, inboundSequence: 7 },
      },
    });
    expect(state.tokens.get('ts')?.status).toBe('live');
  });

  it('a space code inside the space from an allowlisted user is observed with the space', () => {
    const m = inSpace('alice', 'g1', '@twokey_bot SPAC-E123');
    given(spaceToken, events.userApproved('alice'))
      .when(observe(m), testDeps({ idPrefix: 'obs' }))
      .thenEmits([events.observed('ts', 'obs-1', m, 'space', at(minutes(30)))], { kind: 'observed', observationId: 'obs-1' });
  });

  it('a user code in a DM is observed for any actor, allowlisted or not', () => {
    for (const history of [[userToken], [userToken, events.userApproved('alice')]]) {
      given(...history).when(observe(dm('alice', USER_CODE))).thenOutcome({ kind: 'observed' });
    }
  });
});

describe('L3: codes inside sentences, and what counts as an attempt', () => {
  it('a live code inside a sentence observes the token', () => {
    given(userToken).when(observe(dm('stranger', 'my code is 7K3M-9XQP, thanks'))).thenOutcome({ kind: 'observed' });
  });

  it('the second code-shaped word of a sentence is matched too', () => {
    given(userToken).when(observe(dm('stranger', 'not ZZZZ-ZZZZ but 7k3m-9xqp'))).thenOutcome({ kind: 'observed' });
  });

  it('a consumed code inside a sentence → pairing-code-used', () => {
    const m = dm('someone-else', 'is 7K3M-9XQP still good?');
    given(userToken, events.observed('tu', 'o1', dm('stranger', USER_CODE)))
      .when(observe(m))
      .thenEmits([failed(m, 'pairing-code-used')], { kind: 'denied', reason: 'pairing-code-used' });
  });

  it('"hello bot?" from a stranger is an ordinary denied message, not a failed code attempt', () => {
    const m = dm('stranger', 'hello bot?');
    given(userToken)
      .when(observe(m, T0, 7))
      .thenEmits([], {
        kind: 'denied',
        reason: 'user-not-allowlisted',
        coalesce: { reason: 'user-not-allowlisted', actor: m.actor, conversation: m.conversation, at: T0, inboundSequence: 7 },
      });
  });

  it('"hello bot?" from a throttled stranger is still user-not-allowlisted, a real guess is pairing-throttled', () => {
    const guess = dm('stranger', 'ABCD-EFGH');
    const history = [userToken];
    for (let i = 0; i < 5; i++) history.push(failed(guess, 'pairing-code-invalid'));
    given(...history).when(observe(dm('stranger', 'hello bot?'), at(minutes(1)))).thenOutcome({ kind: 'denied', reason: 'user-not-allowlisted' });
    given(...history).when(observe(guess, at(minutes(1)))).thenOutcome({ kind: 'denied', reason: 'pairing-throttled' });
  });

  it('a live code typed with aliases only (no digit shown) still pairs', () => {
    given(events.tokenIssued('t1', '1KHM0XAP', 'user', at(minutes(30))))
      .when(observe(dm('stranger', 'lkhm-oxap')))
      .thenOutcome({ kind: 'observed' });
  });

  it('a sentence with a wrong code as written (digit included) is a failed attempt', () => {
    const m = dm('stranger', 'my code is ABCD-2345');
    given(userToken).when(observe(m)).thenEmits([failed(m, 'pairing-code-invalid')], { kind: 'denied', reason: 'pairing-code-invalid' });
  });
});
