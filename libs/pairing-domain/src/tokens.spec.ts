import { formatCode } from './code';
import { testDeps, injectiveHex } from './testing/deps';
import { given } from './testing/decider-spec';
import { at, dm, events, minutes, seconds, T0 } from './testing/fixtures';

const issue = (purpose: 'user' | 'space' = 'user', ttlSeconds?: number, now = T0) =>
  ({ type: 'IssuePairingToken', purpose, ...(ttlSeconds !== undefined ? { ttlSeconds } : {}), now }) as const;

describe('IssuePairingToken (rule 1)', () => {
  it('issues a one-time code with the default TTL of 300 s; only its HMAC goes into the event', () => {
    const deps = testDeps({ codes: ['7K3M9XQP'] });
    const t = given().when(issue('user'), deps);
    t.thenEmits(
      [{ type: 'PairingTokenIssued', data: { tokenId: 'id-1', purpose: 'user', codeHmac: injectiveHex('7K3M9XQP'), expiresAt: at(seconds(300)).toISOString() } }],
      { kind: 'token-issued', tokenId: 'id-1', code: '7K3M-9XQP', expiresAt: at(seconds(300)) },
    );
    const serialized = JSON.stringify(t.events());
    expect(serialized).not.toContain('7K3M9XQP');
    expect(serialized).not.toContain('7K3M-9XQP');
  });

  it('issues space tokens too', () => {
    given().when(issue('space')).thenOutcome({ kind: 'token-issued' });
  });

  it.each([
    [60, true],
    [61, true],
    [900, true],
    [1800, true],
    [59, false],
    [1801, false],
    [0, false],
    [-300, false],
    [90.5, false],
    [Number.NaN, false],
  ])('TTL %p s accepted: %p', (ttl, accepted) => {
    const t = given().when(issue('user', ttl));
    if (accepted) t.thenOutcome({ kind: 'token-issued', expiresAt: at(seconds(ttl)) });
    else t.thenFails('invalid', 'ttlSeconds');
  });

  describe('at most 3 live tokens per connection', () => {
    const three = [events.tokenIssued('t1', 'AAAAAAAA'), events.tokenIssued('t2', 'BBBBBBBB', 'space'), events.tokenIssued('t3', 'CCCCCCCC')];

    it('refuses a 4th live token', () => {
      given(...three).when(issue()).thenFails('conflict');
    });

    it.each([
      ['one was revoked', { type: 'TokenRevoked', data: { tokenId: 't2' } } as const],
      ['one expired (event)', { type: 'TokenExpired', data: { tokenId: 't1' } } as const],
      ['one was observed', events.observed('t3', 'o1', dm('stranger', 'x'))],
    ])('allows another when %s', (_label, ended) => {
      given(...three, ended).when(issue()).thenOutcome({ kind: 'token-issued' });
    });

    it('allows another once one has expired by the clock, before ExpireDue ran', () => {
      given(...three).when(issue('user', undefined, at(minutes(5)))).thenOutcome({ kind: 'token-issued' });
    });
  });

  it('draws again when a fresh code collides with a recent one, so a match is never ambiguous', () => {
    const deps = testDeps({ codes: ['AAAAAAAA', 'DDDDDDDD'] });
    given(events.tokenIssued('t1', 'AAAAAAAA'))
      .when(issue(), deps)
      .thenOutcome({ kind: 'token-issued', code: formatCode('DDDDDDDD') });
  });

  it('fails with conflict if every draw collides', () => {
    const deps = testDeps({ codes: Array(10).fill('AAAAAAAA') });
    given(events.tokenIssued('t1', 'AAAAAAAA')).when(issue(), deps).thenFails('conflict');
  });
});

describe('RevokeToken', () => {
  const live = events.tokenIssued('t1', 'AAAAAAAA');

  it('revokes a live token', () => {
    given(live).when({ type: 'RevokeToken', tokenId: 't1', now: T0 }).thenEmits([{ type: 'TokenRevoked', data: { tokenId: 't1' } }], { kind: 'done' });
  });

  it('says not-found for an unknown token', () => {
    given(live).when({ type: 'RevokeToken', tokenId: 'nope', now: T0 }).thenFails('not-found', 'tokenId');
  });

  it.each([
    ['revoked', [{ type: 'TokenRevoked', data: { tokenId: 't1' } } as const]],
    ['expired', [{ type: 'TokenExpired', data: { tokenId: 't1' } } as const]],
    ['observed', [events.observed('t1', 'o1', dm('stranger', 'x'))]],
  ])('says conflict for a %s token', (_label, history) => {
    given(live, ...history).when({ type: 'RevokeToken', tokenId: 't1', now: T0 }).thenFails('conflict');
  });

  it('says conflict for a token past its expiry', () => {
    given(live).when({ type: 'RevokeToken', tokenId: 't1', now: at(minutes(5)) }).thenFails('conflict');
  });
});

describe('ExpireDue', () => {
  const stranger = dm('stranger', 'x');
  const history = [
    events.tokenIssued('due', 'AAAAAAAA', 'user', at(minutes(5))),
    events.tokenIssued('later', 'BBBBBBBB', 'user', at(minutes(10))),
    events.tokenIssued('observed', 'CCCCCCCC', 'user', at(minutes(1))),
    events.observed('observed', 'o-due', stranger, 'user', at(minutes(30))),
  ];

  it('does nothing before anything is due', () => {
    given(...history).when({ type: 'ExpireDue', now: at(minutes(4)) }).thenEmits([], { kind: 'done' });
  });

  it('expires the tokens that are due (a consumed token is not expired again)', () => {
    given(...history).when({ type: 'ExpireDue', now: at(minutes(5)) }).thenEmits([{ type: 'TokenExpired', data: { tokenId: 'due' } }]);
  });

  it('expires tokens and observations that are due', () => {
    given(...history)
      .when({ type: 'ExpireDue', now: at(minutes(30)) })
      .thenEmits([
        { type: 'TokenExpired', data: { tokenId: 'due' } },
        { type: 'TokenExpired', data: { tokenId: 'later' } },
        { type: 'ObservationExpired', data: { observationId: 'o-due', tokenId: 'observed' } },
      ]);
  });

  it('does not expire again what has already expired or been decided', () => {
    given(
      ...history,
      { type: 'TokenExpired', data: { tokenId: 'due' } },
      { type: 'TokenRevoked', data: { tokenId: 'later' } },
      { type: 'ObservationRejected', data: { observationId: 'o-due', tokenId: 'observed' } },
    )
      .when({ type: 'ExpireDue', now: at(minutes(31)) })
      .thenEmits([]);
  });
});
