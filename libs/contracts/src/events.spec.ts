import { DomainEventSchema, EVENT_DATA_SCHEMAS, EVENT_TYPES } from './events';

describe('domain event contracts', () => {
  it('has exactly the event names of the design', () => {
    expect([...EVENT_TYPES].sort()).toEqual(
      [
        'PairingTokenIssued', 'TokenObserved', 'ObservationRejected', 'ObservationExpired', 'TokenExpired',
        'TokenRevoked', 'UserApproved', 'UserRemoved', 'SpaceApproved', 'SpaceRemoved', 'MessageDenied',
        'PairingThrottled',
      ].sort(),
    );
  });

  it('stores only an HMAC of a code, never a code-like value', () => {
    const issued = { tokenId: 't1', purpose: 'user', expiresAt: '2026-11-24T10:05:00.000Z' };
    expect(EVENT_DATA_SCHEMAS.PairingTokenIssued.safeParse({ ...issued, codeHmac: 'ABCD-EFGH' }).success).toBe(false);
    expect(EVENT_DATA_SCHEMAS.PairingTokenIssued.safeParse({ ...issued, codeHmac: 'a'.repeat(64) }).success).toBe(true);
  });

  it('has no field that could carry message text', () => {
    const denied = DomainEventSchema.safeParse({
      type: 'MessageDenied',
      data: {
        reason: 'user-not-allowlisted',
        actor: { id: '1', displayName: 'x' },
        conversation: { id: '1', kind: 'dm' },
        count: 1,
        firstSeenAt: '2026-11-24T10:00:00.000Z',
        lastSeenAt: '2026-11-24T10:00:00.000Z',
        text: 'secret message',
      },
    });
    expect(denied.success).toBe(true);
    // zod strips unknown keys: the text cannot survive parsing into an event.
    expect(JSON.stringify(denied.data)).not.toContain('secret message');
  });
});
