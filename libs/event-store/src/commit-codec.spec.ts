import fc from 'fast-check';
import { z } from 'zod';
import { ContractViolation, CURRENT_SCHEMA_VERSION, DomainEvent, EVENT_DATA_SCHEMAS } from '@twokey/contracts';
import {
  COMPILED_COMMIT_BODY,
  COMPILED_COMMIT_BODY_V1,
  COMPILED_DATA,
  CommitBody,
  CommitBodyV1,
  CommitMeta,
  decodeCommit,
  encodeCommit,
} from './commit-codec';
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
      ...meta,
      events: events.map((e) => ({
        eventId: expect.any(String),
        type: e.type,
        schemaVersion: CURRENT_SCHEMA_VERSION,
        data: e.data,
      })),
    });
    const stored = decodeCommit(raw, 17, 'access-c', chain);
    expect(stored).toEqual(
      body.events.map((r, i) => ({ ...r, ...meta, stream: 'access-c', streamVersion: 4 + i, position: 17 })),
    );
  });

  it('still reads the first stored form, where every event carried the metadata', () => {
    const { body } = encodeCommit('access-c', 4, events, meta, chain);
    const { stream, firstVersion, events: records, ...shared } = body;
    const other = { ...meta, correlationId: 'other', actor: { type: 'admin' as const, id: 'ada' } };
    const v1 = { stream, firstVersion, events: [{ ...records[0], ...shared }, { ...records[1], ...other }] };
    expect(decodeCommit(bytes(v1), 17, 'access-c', chain)).toEqual([
      { ...records[0], ...meta, stream, streamVersion: 4, position: 17 },
      { ...records[1], ...other, stream, streamVersion: 5, position: 17 },
    ]);
    expect(decodeError(bytes({ ...v1, events: [{ ...v1.events[0], actor: { type: 'robot', id: 'x' } }] })).reason).toMatch(/events\.0\.actor/);
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
    ['bad commit metadata', bytes(commitJson({ occurredAt: 'yesterday' })), /not a commit: occurredAt/],
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

describe('compiled schemas', () => {
  const schemas: [string, z.ZodType, z.ZodType][] = [
    ['commit body', CommitBody, COMPILED_COMMIT_BODY],
    ['commit body V1', CommitBodyV1, COMPILED_COMMIT_BODY_V1],
    ...Object.entries(EVENT_DATA_SCHEMAS).map(([type, schema]): [string, z.ZodType, z.ZodType] => [type, schema, COMPILED_DATA.get(type)!]),
  ];

  it('really compile, so decoding keeps its fast path', () => {
    for (const [, schema] of schemas) expect(() => z.compile(schema, { strict: true })).not.toThrow();
  });

  it.each(schemas)('%s: gives zod’s own result on valid and invalid input', (_, schema, compiled) => {
    fc.assert(
      fc.property(nearlyValid(schema), (value) => {
        const expected = schema.safeParse(value);
        const actual = compiled.safeParse(value);
        expect(actual.success).toBe(expected.success);
        // Strict: an unknown key the parse strips must not survive, and no key may be added.
        if (expected.success) expect(actual.data).toStrictEqual(expected.data);
        else expect(actual.error!.issues).toEqual(expected.error.issues);
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * Values shaped by `schema`: valid ones at and near its limits (lengths, formats, bounds, optional keys), the same
 * with one thing broken (a member replaced by anything, a key too many), and ones with any leaf out of bounds.
 */
function nearlyValid(schema: z.ZodType): fc.Arbitrary<unknown> {
  const valid = shaped(schema, true);
  return fc
    .oneof(valid, fc.tuple(valid, fc.string({ minLength: 1, maxLength: 3 }), fc.anything()).map(([v, k, x]) => corrupt(v, k, x)), shaped(schema, false))
    .map(asStored);
}

/** What a reader of the store gets: JSON, parsed (no undefined, no NaN, no prototype-less objects). */
const asStored = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');

interface Def {
  type: string;
  checks?: { _zod: { def: { check: string; minimum?: number; maximum?: number; value?: number; inclusive?: boolean; pattern?: RegExp } } }[];
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  entries?: Record<string, string>;
  pattern?: RegExp;
}

/** Valid values of `schema` (for the schema kinds our contracts use), or, unless `valid`, also out-of-bounds ones. */
function shaped(schema: z.ZodType, valid: boolean): fc.Arbitrary<unknown> {
  const def = schema._zod.def as unknown as Def;
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  const min = checks.find((c) => c.check === 'min_length')?.minimum ?? 0;
  const max = checks.find((c) => c.check === 'max_length')?.maximum;
  const or = (good: fc.Arbitrary<unknown>, bad: fc.Arbitrary<unknown>) => (valid ? good : fc.oneof(good, bad));
  switch (def.type) {
    case 'object': {
      const entries = Object.entries(def.shape!);
      const shape = Object.fromEntries(entries.map(([k, v]) => [k, shaped(v, valid)]));
      return fc.record(shape, { requiredKeys: entries.filter(([, v]) => v._zod.def.type !== 'optional').map(([k]) => k) });
    }
    case 'optional':
      return shaped(def.innerType!, valid);
    case 'array':
      return fc.array(shaped(def.element!, valid), { minLength: valid ? min : 0, maxLength: Math.min(max ?? 4, 4) + (valid ? 0 : 1) });
    case 'enum':
      return or(fc.constantFrom(...Object.values(def.entries!)), fc.string({ maxLength: 3 }));
    case 'number': {
      const bound = checks.find((c) => c.check === 'greater_than');
      const low = bound === undefined ? -5 : bound.inclusive ? bound.value! : bound.value! + 1;
      return or(fc.integer({ min: low, max: low + 1_000 }), fc.oneof(fc.integer({ min: low - 3, max: low }), fc.double(), fc.constant(2 ** 53)));
    }
    case 'string': {
      const pattern = def.pattern ?? checks.find((c) => c.pattern)?.pattern;
      if (pattern) return or(fc.stringMatching(pattern), fc.string({ maxLength: 8 }));
      const top = max ?? min + 12;
      // Both units: lengths count UTF-16 code units, which a compiled check could get wrong on astral characters.
      const around = (lo: number, hi: number) => fc.oneof(fc.string({ minLength: lo, maxLength: hi }), fc.string({ unit: 'binary', minLength: lo, maxLength: hi }));
      const good = fc.oneof(around(min, Math.min(min + 3, top)), around(Math.max(min, top - 2), top));
      return or(good, fc.oneof(fc.string({ maxLength: min }), fc.string({ minLength: top, maxLength: top + 2 }), fc.integer()));
    }
    case 'unknown':
      return fc.jsonValue();
    default:
      return fc.anything();
  }
}

/** `value` with one thing wrong: the member picked by `path` (one character per level) replaced, or a key added. */
function corrupt(value: unknown, path: string, replacement: unknown): unknown {
  if (typeof value !== 'object' || value === null) return replacement;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as never) : { ...value };
  const keys = Object.keys(copy);
  if (keys.length === 0 || path.charCodeAt(0) % 5 === 0) return Object.assign(copy, { [`x${path}`]: replacement });
  const target = keys[path.charCodeAt(0) % keys.length];
  copy[target] = path.length > 1 ? corrupt(copy[target], path.slice(1), replacement) : replacement;
  return copy;
}
