import type { DomainEvent, StoredEvent } from '@twokey/contracts';
import { DecisionTally } from './decisions';

let position = 0;
const stored = (stream: string, event: DomainEvent, at = ++position): StoredEvent =>
  ({
    ...event,
    eventId: '00000000-0000-4000-8000-000000000000',
    schemaVersion: 1,
    stream,
    streamVersion: at,
    position: at,
    occurredAt: '2024-01-01T00:00:00.000Z',
    correlationId: 'c',
    causationId: 'c',
    actor: { type: 'system', id: 'test' },
  }) as StoredEvent;

const actor = { id: 'U1', displayName: 'Ada' };
const conversation = { id: 'U1', kind: 'dm' as const };
const denied = (count: number): DomainEvent => ({
  type: 'MessageDenied',
  data: { reason: 'user-not-allowlisted', actor, conversation, count, firstSeenAt: '2024-01-01T00:00:00.000Z', lastSeenAt: '2024-01-01T00:00:00.000Z' },
});

const plain = (t: DecisionTally) =>
  Object.fromEntries([...t.totals()].map(([connection, types]) => [connection, Object.fromEntries(types)]));

describe('decision tally', () => {
  it('counts decisions per connection and type, denials by their message count, and skips token lifecycle events', () => {
    const t = new DecisionTally();
    t.observe(stored('access-telegram', { type: 'PairingTokenIssued', data: { tokenId: 't1', purpose: 'user', codeHmac: 'a'.repeat(64), expiresAt: '2024-01-01T00:05:00.000Z' } }));
    t.observe(stored('access-telegram', { type: 'UserApproved', data: { user: actor, how: 'manual' } }));
    t.observe(stored('activity-telegram', denied(4)));
    t.observe(stored('activity-telegram', denied(1)));
    t.observe(stored('activity-slack', denied(2)));
    t.observe(stored('access-telegram', { type: 'TokenRevoked', data: { tokenId: 't1' } }));
    t.observe(stored('other-stream', { type: 'UserApproved', data: { user: actor, how: 'manual' } }));
    expect(plain(t)).toEqual({ telegram: { UserApproved: 1, MessageDenied: 5 }, slack: { MessageDenied: 2 } });
  });

  it('ignores a redelivered older event, as the projection does, but counts every event of one commit', () => {
    const t = new DecisionTally();
    const at = ++position;
    t.observe(stored('access-line', { type: 'UserRemoved', data: { userId: 'U1' } }, at));
    t.observe(stored('access-line', { type: 'UserApproved', data: { user: actor, how: 'manual' } }, at));
    t.observe(stored('access-line', { type: 'UserRemoved', data: { userId: 'U1' } }, at - 1));
    expect(plain(t)).toEqual({ line: { UserRemoved: 1, UserApproved: 1 } });
  });
});
