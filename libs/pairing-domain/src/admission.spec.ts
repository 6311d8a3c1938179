import type { DomainEvent, InboundMessage } from '@twokey/contracts';
import { given } from './testing/decider-spec';
import { actor, at, dm, events, inSpace, minutes, T0 } from './testing/fixtures';

const observe = (message: InboundMessage, inboundSequence?: number) =>
  ({ type: 'ObserveMessage', message, now: T0, ...(inboundSequence !== undefined ? { inboundSequence } : {}) }) as const;

const allowlists = [events.userApproved('alice'), events.spaceApproved('g-ok')];
const expiredToken = [events.tokenIssued('old', 'ZZZZZZZZ', 'user', at(minutes(-5))), { type: 'TokenExpired', data: { tokenId: 'old' } } as const];

describe('admission (rule 5)', () => {
  it.each<[string, InboundMessage, 'admitted' | 'user-not-allowlisted' | 'space-not-allowlisted']>([
    ['allowlisted user in a DM', dm('alice', 'hello'), 'admitted'],
    ['allowlisted user in an allowlisted space', inSpace('alice', 'g-ok', 'hello'), 'admitted'],
    ['allowlisted user in another space', inSpace('alice', 'g-other', 'hello'), 'space-not-allowlisted'],
    ['stranger in a DM', dm('bob', 'hello'), 'user-not-allowlisted'],
    ['stranger in an allowlisted space', inSpace('bob', 'g-ok', 'hello'), 'user-not-allowlisted'],
    ['stranger in another space (user rule first)', inSpace('bob', 'g-other', 'hello'), 'user-not-allowlisted'],
    ['allowlisted user, code-shaped text matching nothing, DM', dm('alice', 'ABCD-EFGH'), 'admitted'],
    ['allowlisted user, code-shaped text matching nothing, other space', inSpace('alice', 'g-other', 'tomorrow'), 'space-not-allowlisted'],
    ['allowlisted user repeating an expired code', dm('alice', 'ZZZZ-ZZZZ'), 'admitted'],
  ])('%s → %s', (_label, message, expected) => {
    const t = given(...allowlists, ...expiredToken).when(observe(message, 9));
    if (expected === 'admitted') {
      t.thenEmits([], { kind: 'admitted' });
    } else {
      const space = message.space ? { space: message.space } : {};
      t.thenEmits([], {
        kind: 'denied',
        reason: expected,
        coalesce: { reason: expected, actor: message.actor, conversation: message.conversation, ...space, at: T0, inboundSequence: 9 },
      });
    }
  });

  it('a stranger with a code-shaped text that matches nothing → MessageDenied pairing-code-invalid at once (count 1)', () => {
    const m = dm('bob', 'ABCD-EFGH');
    const denied: DomainEvent = {
      type: 'MessageDenied',
      data: { reason: 'pairing-code-invalid', actor: m.actor, conversation: m.conversation, count: 1, firstSeenAt: T0.toISOString(), lastSeenAt: T0.toISOString(), inboundSequences: [3] },
    };
    given(...allowlists).when(observe(m, 3)).thenEmits([denied], { kind: 'denied', reason: 'pairing-code-invalid' });
  });

  it('a stranger repeating an expired code → MessageDenied pairing-code-expired', () => {
    given(...allowlists, ...expiredToken)
      .when(observe(dm('bob', 'zzzz zzzz')))
      .thenOutcome({ kind: 'denied', reason: 'pairing-code-expired' });
  });

  it('a removed user is denied again', () => {
    given(...allowlists, { type: 'UserRemoved', data: { userId: 'alice' } })
      .when(observe(dm('alice', 'hello')))
      .thenOutcome({ kind: 'denied', reason: 'user-not-allowlisted' });
  });

  it('a removed space is denied again', () => {
    given(...allowlists, { type: 'SpaceRemoved', data: { spaceId: 'g-ok' } })
      .when(observe(inSpace('alice', 'g-ok', 'hello')))
      .thenOutcome({ kind: 'denied', reason: 'space-not-allowlisted' });
  });
});

describe('identity is the stable id only (rule 9)', () => {
  it.each([
    ['the display name of an allowlisted user', actor('impostor', 'Name of alice')],
    ['the id of an allowlisted user as display name', actor('impostor', 'alice')],
    ['the id as username', { id: 'impostor', displayName: 'x', username: 'alice' }],
  ])('a stranger using %s is denied', (_label, impostor) => {
    given(...allowlists)
      .when(observe({ ...dm('impostor', 'hello'), actor: impostor }))
      .thenOutcome({ kind: 'denied', reason: 'user-not-allowlisted' });
  });

  it('an allowlisted user who changed their display name is still admitted', () => {
    given(...allowlists).when(observe({ ...dm('alice', 'hello'), actor: actor('alice', 'Totally New Name') })).thenEmits([], { kind: 'admitted' });
  });

  it('a space is matched by id, not by title', () => {
    const m = inSpace('alice', 'g-other', 'hello');
    given(...allowlists)
      .when(observe({ ...m, space: { id: 'g-other', kind: 'telegram-supergroup', title: 'Space g-ok' } }))
      .thenOutcome({ kind: 'denied', reason: 'space-not-allowlisted' });
  });
});

describe('Slack Connect channels (M6)', () => {
  const connect = (actorId: string, channel: string): InboundMessage => ({
    ...inSpace(actorId, 'T0OURS0001', 'hello', channel),
    space: { id: channel, kind: 'slack-connect-channel' },
  });
  const workspace = { type: 'SpaceApproved', data: { space: { id: 'T0OURS0001', kind: 'slack-workspace' }, how: 'manual' } } as const;

  it('M6: an allowlisted workspace does not admit a Slack Connect channel; allowlisting the channel does', () => {
    given(events.userApproved('alice'), workspace)
      .when(observe(connect('alice', 'C0SHARED01')))
      .thenOutcome({ kind: 'denied', reason: 'space-not-allowlisted' });
    const channel = { type: 'SpaceApproved', data: { space: { id: 'C0SHARED01', kind: 'slack-connect-channel' }, how: 'manual' } } as const;
    given(events.userApproved('alice'), workspace, channel).when(observe(connect('alice', 'C0SHARED01'))).thenOutcome({ kind: 'admitted' });
  });
});
