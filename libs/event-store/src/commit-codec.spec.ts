import { ContractViolation, CURRENT_SCHEMA_VERSION, DomainEvent } from '@twokey/contracts';
import { CommitMeta, decodeCommit, encodeCommit } from './commit-codec';
import { EventDecodeError } from './errors';
import { UpcasterChain } from './upcaster-chain';

const meta: CommitMeta = {
  occurredAt: '2030-01-02T03:04:05.678Z',
  correlationId: 'corr',
  causationId: 'cause',
  actor: { type: 'system', id: 'pairing-service' },
};
const events: DomainEvent[] = [
  { type: 'UserRemoved', data: { userId: 'U1' } },
  { type: 'TokenRevoked', data: { tokenId: 'T1' } },
];
const chain = new UpcasterChain();
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

function commitJson(overrides: Record<string, unknown> = {}, event: Record<string, unknown> = {}) {
  const { body } = encodeCommit('access-c', 1, [events[0]], meta, chain);
  return { ...body, ...overrides, events: [{ ...body.events[0], ...event }] };
}

function decodeError(raw: Uint8Array, c = chain, stream: string | undefined = 'access-c'): EventDecodeError {
  try {
    decodeCommit(raw, 9, stream, c);
  } catch (e) {
    expect(e).toBeInstanceOf(EventDecodeError);
    expect((e as EventDecodeError).position).toBe(9);
    return e as EventDecodeError;
  }
  throw new Error('decoded without error');
}

describe('commit codec', () => {
  it('encodes the documented commit body and decodes it back to stored events', () => {
    const { body, bytes: raw } = encodeCommit('access-c', 4, events, meta, chain);
    expect(JSON.parse(Buffer.from(raw).toString())).toEqual({
      stream: 'access-c',
      firstVersion: 4,
      events: events.map((e) => ({
        eventId: expect.any(String),
        type: e.type,
        schemaVersion: CURRENT_SCHEMA_VERSION,
        ...meta,
        data: e.data,
      })),
    });
    const stored = decodeCommit(raw, 17, 'access-c', chain);
    expect(stored).toEqual(
      body.events.map((r, i) => ({ ...r, stream: 'access-c', streamVersion: 4 + i, position: 17 })),
    );
  });

  it('refuses to encode invalid data, bad metadata, unknown types or an empty commit', () => {
    expect(() => encodeCommit('s', 1, [{ type: 'UserRemoved', data: { userId: 7 } } as never], meta, chain)).toThrow(ContractViolation);
    expect(() => encodeCommit('s', 1, events, { ...meta, correlationId: '' }, chain)).toThrow(ContractViolation);
    expect(() => encodeCommit('s', 1, events, { ...meta, occurredAt: 'yesterday' }, chain)).toThrow(ContractViolation);
    expect(() => encodeCommit('s', 1, [{ type: 'Nope', data: {} } as never], meta, chain)).toThrow(/unknown event type/);
    expect(() => encodeCommit('s', 1, [], meta, chain)).toThrow(/at least one event/);
  });

  it('strips unknown data fields on write, so only the schema reaches the store', () => {
    const { body } = encodeCommit('s', 1, [{ type: 'UserRemoved', data: { userId: 'U1', text: 'secret' } } as never], meta, chain);
    expect(body.events[0].data).toEqual({ userId: 'U1' });
  });

  it.each([
    ['malformed JSON', bytes('{"stream":'), /not valid JSON/],
    ['invalid UTF-8', Uint8Array.from([0xff, 0xfe, 0x7b]), /not valid JSON/],
    ['not a commit', bytes({ hello: 'world' }), /not a commit/],
    ['no events', bytes({ ...commitJson(), events: [] }), /not a commit: events/],
    ['a bad envelope', bytes(commitJson({}, { eventId: 'not-a-uuid' })), /events\.0\.eventId/],
    ['an unknown type', bytes(commitJson({}, { type: 'Martian' })), /unknown event type/],
    ['data that breaks its schema', bytes(commitJson({}, { data: { userId: '' } })), /UserRemoved data/],
    ['a newer schema version', bytes(commitJson({}, { schemaVersion: CURRENT_SCHEMA_VERSION + 1 })), /newer than/],
    ['another stream than its subject', bytes(commitJson({ stream: 'access-other' })), /stored under "access-c"/],
  ])('refuses %s with an EventDecodeError', (_, raw, reason) => {
    expect(decodeError(raw).reason).toMatch(reason);
  });
});

describe('upcasting on decode', () => {
  const v1 = bytes(commitJson({}, { data: { user_id: 'U1' } }));

  it('applies every step in order up to the version the code reads', () => {
    const c = new UpcasterChain({
      schemaVersions: { UserRemoved: 3 },
      upcasters: [
        { type: 'UserRemoved', fromVersion: 2, upcast: (d) => ({ userId: `${(d as { id: string }).id}!` }) },
        { type: 'UserRemoved', fromVersion: 1, upcast: (d) => ({ id: (d as { user_id: string }).user_id }) },
      ],
    });
    const [event] = decodeCommit(v1, 3, 'access-c', c);
    expect(event).toMatchObject({ type: 'UserRemoved', schemaVersion: 3, data: { userId: 'U1!' } });
    expect(encodeCommit('s', 1, [events[0]], meta, c).body.events[0].schemaVersion).toBe(3);
  });

  it('fails on a missing step, a throwing step or a result that breaks the current schema', () => {
    const missing = new UpcasterChain({ schemaVersions: { UserRemoved: 2 } });
    expect(decodeError(v1, missing).reason).toMatch(/no upcaster for UserRemoved from schemaVersion 1/);
    const throwing = new UpcasterChain({
      schemaVersions: { UserRemoved: 2 },
      upcasters: [{ type: 'UserRemoved', fromVersion: 1, upcast: () => { throw new Error('boom'); } }],
    });
    const err = decodeError(v1, throwing);
    expect(err.reason).toMatch(/upcaster for UserRemoved from schemaVersion 1 failed: boom/);
    expect(err.cause).toBeInstanceOf(Error);
    const wrong = new UpcasterChain({
      schemaVersions: { UserRemoved: 2 },
      upcasters: [{ type: 'UserRemoved', fromVersion: 1, upcast: (d) => d }],
    });
    expect(decodeError(v1, wrong).reason).toMatch(/UserRemoved data/);
  });

  it('refuses ambiguous or impossible configuration', () => {
    const step = { type: 'UserRemoved', fromVersion: 1, upcast: (d: unknown) => d };
    expect(() => new UpcasterChain({ upcasters: [step, step] })).toThrow(/two upcasters/);
    expect(() => new UpcasterChain({ schemaVersions: { UserRemoved: 0 } })).toThrow(/positive integer/);
  });
});
