/**
 * Property-based specs (fast-check) of the whole Decider: random command sequences from random actors, spaces and
 * texts, random approvals, and the ways people mangle codes.
 */
import { DomainEventSchema, type DomainEvent, type InboundMessage } from '@twokey/contracts';
import fc from 'fast-check';
import { streamKindOf, type Command, type Decision } from './api';
import { decide } from './decide';
import { evolve } from './evolve';
import { extractCandidate, findCodeCandidates } from './normalize';
import { initialState } from './state';
import { codeArb, mangle, manglingArb, type Mangling } from './testing/arbitraries';
import { testDeps } from './testing/deps';
import { at, CONNECTION, dm, inSpace, seconds, T0 } from './testing/fixtures';

const ACTORS = ['a0', 'a1', 'a2', 'a3'];
const SPACES = ['s0', 's1'];

type Text = { k: 'code'; token: number; mangling: Mangling } | { k: 'guess'; code: string; mangling: Mangling } | { k: 'random'; text: string };
type Op =
  | { t: 'issue'; purpose: 'user' | 'space'; ttl: number | null }
  | { t: 'message'; actor: number; where: number; text: Text }
  | { t: 'approve' | 'reject'; pick: number }
  | { t: 'addUser' | 'removeUser'; actor: number }
  | { t: 'addSpace' | 'removeSpace'; space: number }
  | { t: 'revoke'; pick: number }
  | { t: 'expire' };

const randomText = fc.oneof(
  fc.string({ minLength: 12, maxLength: 48 }),
  fc.string({ minLength: 12, maxLength: 48, unit: 'grapheme' }),
);
const textArb: fc.Arbitrary<Text> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('code' as const), token: fc.nat(9), mangling: manglingArb }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('guess' as const), code: codeArb, mangling: manglingArb }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('random' as const), text: randomText }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('issue' as const), purpose: fc.constantFrom('user' as const, 'space' as const), ttl: fc.constantFrom(null, null, 60, 1800, 5) }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant('message' as const), actor: fc.nat(ACTORS.length - 1), where: fc.oneof(fc.constant(0), fc.nat(SPACES.length)), text: textArb }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constantFrom('approve' as const, 'approve' as const, 'reject' as const), pick: fc.nat(12) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constantFrom('addUser' as const, 'removeUser' as const), actor: fc.nat(ACTORS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constantFrom('addSpace' as const, 'removeSpace' as const), space: fc.nat(SPACES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('revoke' as const), pick: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'expire' as const }) },
);
const issueFirstArb = fc.record({ dtSeconds: fc.constant(0), op: fc.record({ t: fc.constant('issue' as const), purpose: fc.constantFrom('user' as const, 'space' as const), ttl: fc.constant(null) }) });
/** Starts with one to three tokens so that codes are in play from the first message. */
const scenarioArb = fc
  .tuple(
    fc.array(issueFirstArb, { minLength: 1, maxLength: 3 }),
    fc.array(fc.record({ dtSeconds: fc.oneof({ weight: 4, arbitrary: fc.nat(20) }, { weight: 1, arbitrary: fc.nat(900) }), op: opArb }), { minLength: 1, maxLength: 40 }),
  )
  .map(([first, rest]) => [...first, ...rest]);

interface Step {
  command: Command;
  decision: Decision;
  /** For messages: the text sent, and the plaintext code it carried, if any. */
  text?: string;
}

interface Run {
  steps: Step[];
  log: DomainEvent[];
  codes: string[];
}

/** Plays a scenario through decide/evolve like the service does. */
function play(ops: { dtSeconds: number; op: Op }[], options: { noApprovals?: boolean } = {}): Run {
  const deps = testDeps();
  let state = initialState(CONNECTION);
  let now = T0.getTime();
  const steps: Step[] = [];
  const log: DomainEvent[] = [];
  const tokens: { tokenId: string; code: string }[] = [];
  const observationIds: string[] = [];

  for (const { dtSeconds, op } of ops) {
    now += seconds(dtSeconds);
    const when = new Date(now);
    let command: Command;
    let text: string | undefined;
    switch (op.t) {
      case 'issue':
        command = { type: 'IssuePairingToken', purpose: op.purpose, ...(op.ttl !== null ? { ttlSeconds: op.ttl } : {}), now: when };
        break;
      case 'message': {
        const t = op.text;
        text =
          t.k === 'random' ? t.text : t.k === 'guess' ? mangle(t.code, t.mangling) : tokens.length > 0 ? mangle(tokens[tokens.length - 1 - (t.token % tokens.length)].code, t.mangling) : 'no token yet, just talking';
        const actorId = ACTORS[op.actor];
        const message: InboundMessage = op.where === 0 ? dm(actorId, text) : inSpace(actorId, SPACES[op.where - 1], text);
        command = { type: 'ObserveMessage', message, inboundSequence: steps.length, now: when };
        break;
      }
      case 'approve':
      case 'reject': {
        if (options.noApprovals && op.t === 'approve') continue;
        // Mostly an observation that exists (possibly decided or expired), sometimes an unknown id.
        const i = op.pick % (observationIds.length + 1);
        const id = i < observationIds.length ? observationIds[i] : `unknown-${op.pick}`;
        command = { type: op.t === 'approve' ? 'ApproveObservation' : 'RejectObservation', observationId: id, now: when };
        break;
      }
      case 'addUser':
        if (options.noApprovals) continue;
        command = { type: 'AddUser', user: { id: ACTORS[op.actor] }, now: when };
        break;
      case 'removeUser':
        command = { type: 'RemoveUser', userId: ACTORS[op.actor], now: when };
        break;
      case 'addSpace':
        if (options.noApprovals) continue;
        command = { type: 'AddSpace', space: { id: SPACES[op.space], kind: 'telegram-supergroup' }, now: when };
        break;
      case 'removeSpace':
        command = { type: 'RemoveSpace', spaceId: SPACES[op.space], now: when };
        break;
      case 'revoke':
        command = { type: 'RevokeToken', tokenId: tokens.length > 0 ? tokens[op.pick % tokens.length].tokenId : 'none', now: when };
        break;
      case 'expire':
        command = { type: 'ExpireDue', now: when };
        break;
    }
    const decision = decide(command, state, deps);
    if (decision.ok) {
      // The service appends one decision to one stream: never a mix of access and activity events.
      expect(new Set(decision.events.map((e) => streamKindOf(e.type))).size).toBeLessThanOrEqual(1);
      for (const e of decision.events) {
        DomainEventSchema.parse(e);
        state = evolve(state, e);
        log.push(e);
      }
      if (decision.outcome.kind === 'token-issued') tokens.push({ tokenId: decision.outcome.tokenId, code: decision.outcome.code.replace('-', '') });
      if (decision.outcome.kind === 'observed') observationIds.push(decision.outcome.observationId);
    }
    steps.push({ command, decision, text });
  }
  return { steps, log, codes: tokens.map((t) => t.code) };
}

const stats = { admitted: 0, observed: 0, approved: 0, runs: 0 };

describe('Decider properties', () => {
  afterAll(() => {
    // The generators must actually reach the interesting paths, or the properties prove little.
    expect(stats.admitted).toBeGreaterThan(0);
    expect(stats.observed).toBeGreaterThan(0);
    expect(stats.approved).toBeGreaterThan(0);
  });

  it('(a) nobody is admitted unless an explicit approval put them (and their space) on the allowlists', () => {
    fc.assert(
      fc.property(scenarioArb, fc.boolean(), (ops, noApprovals) => {
        const run = play(ops, { noApprovals });
        stats.runs++;
        // The oracle: allowlists as the admin's commands made them, independent of the state.
        const users = new Set<string>();
        const spaces = new Set<string>();
        const observed = new Map<string, { actorId: string; spaceId?: string; purpose: string }>();
        for (const { command, decision } of run.steps) {
          if (!decision.ok) continue;
          const c = command;
          if (c.type === 'ObserveMessage') {
            if (decision.outcome.kind === 'admitted') {
              stats.admitted++;
              expect(users.has(c.message.actor.id)).toBe(true);
              if (c.message.space) expect(spaces.has(c.message.space.id)).toBe(true);
            }
            if (decision.outcome.kind === 'observed') {
              stats.observed++;
              const e = decision.events.find((x) => x.type === 'TokenObserved');
              if (e?.type !== 'TokenObserved') throw new Error('observed without TokenObserved');
              observed.set(decision.outcome.observationId, { actorId: c.message.actor.id, spaceId: c.message.space?.id, purpose: e.data.purpose });
            }
          }
          if (c.type === 'AddUser') users.add(c.user.id);
          if (c.type === 'RemoveUser') users.delete(c.userId);
          if (c.type === 'AddSpace') spaces.add(c.space.id);
          if (c.type === 'RemoveSpace') spaces.delete(c.spaceId);
          if (c.type === 'ApproveObservation') {
            stats.approved++;
            const o = observed.get(c.observationId);
            expect(o).toBeDefined();
            if (!o) continue;
            if (o.purpose === 'user') {
              expect(decision.events).toEqual([expect.objectContaining({ type: 'UserApproved', data: expect.objectContaining({ user: expect.objectContaining({ id: o.actorId }) }) })]);
              users.add(o.actorId);
            } else {
              expect(users.has(o.actorId)).toBe(true);
              expect(decision.events).toEqual([expect.objectContaining({ type: 'SpaceApproved', data: expect.objectContaining({ space: expect.objectContaining({ id: o.spaceId }) }) })]);
              spaces.add(o.spaceId as string);
            }
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('(b) a token is observed at most once', () => {
    fc.assert(
      fc.property(scenarioArb, (ops) => {
        const { log } = play(ops);
        const observedTokens = log.flatMap((e) => (e.type === 'TokenObserved' ? [e.data.tokenId] : []));
        expect(new Set(observedTokens).size).toBe(observedTokens.length);
      }),
      { numRuns: 400 },
    );
  });

  it('(c) a mangled rendering of a valid code still matches', () => {
    fc.assert(
      fc.property(codeArb, manglingArb, (code, mangling) => {
        const text = mangle(code, mangling);
        expect(extractCandidate(text)).toBe(code);
        const deps = testDeps({ codes: [code] });
        const issued = decide({ type: 'IssuePairingToken', purpose: 'user', now: T0 }, initialState(CONNECTION), deps);
        const state = issued.ok ? issued.events.reduce(evolve, initialState(CONNECTION)) : initialState(CONNECTION);
        const d = decide({ type: 'ObserveMessage', message: dm('stranger', text), now: at(seconds(5)) }, state, deps);
        expect(d).toMatchObject({ ok: true, outcome: { kind: 'observed' } });
      }),
      { numRuns: 1000 },
    );
  });

  describe('(d) a non-code never matches', () => {
    const liveCodes = ['7K3M9XQP', '00000000', 'ZZZZZZZZ'];
    const setup = () => {
      const deps = testDeps({ codes: [...liveCodes] });
      let state = initialState(CONNECTION);
      for (const purpose of ['user', 'user', 'user'] as const) {
        const d = decide({ type: 'IssuePairingToken', purpose, ttlSeconds: 1800, now: T0 }, state, deps);
        if (d.ok) state = d.events.reduce(evolve, state);
      }
      return { deps, state };
    };

    it('another code, however it is typed, observes nothing, and is a failed attempt unless only aliases made it one (L3)', () => {
      const { deps, state } = setup();
      fc.assert(
        fc.property(
          codeArb.filter((c) => !liveCodes.includes(c)),
          manglingArb,
          (code, mangling) => {
            const text = mangle(code, mangling);
            const d = decide({ type: 'ObserveMessage', message: dm('stranger', text), now: at(seconds(5)) }, state, deps);
            // Written without a single digit, and with at least one O/I/L standing for 0/1: "hello bot?" territory.
            const body = mangle(code, { ...mangling, prefix: '' }).normalize('NFKC');
            const digits = [...body].filter((c) => /[0-9]/.test(c));
            const aliasOnly = digits.length === 0 && /[01]/.test(code);
            const reason = aliasOnly ? 'user-not-allowlisted' : 'pairing-code-invalid';
            expect(d).toMatchObject({ ok: true, outcome: { kind: 'denied', reason } });
          },
        ),
        { numRuns: 500 },
      );
    });

    it('L3: a code-shaped word of a short sentence is found wherever it stands', () => {
      fc.assert(
        fc.property(codeArb, fc.constantFrom('my code is ', 'code: ', 'here ', ''), fc.constantFrom('', ' thanks', '!', ' please pair me'), (code, before, after) => {
          const formatted = `${code.slice(0, 4)}-${code.slice(4)}`;
          const found = findCodeCandidates(`${before}${formatted}${after}`);
          expect(found.map((c) => c.code)).toContain(code);
        }),
        { numRuns: 500 },
      );
    });

    it('L3: text that shows no digit and needs an alias never counts as a failed attempt', () => {
      const { deps, state } = setup();
      const letters = fc.constantFrom(...'ABCDEFGHJKMNPQRSTVWXYZOILoilabcxyz ?!,.'.split(''));
      fc.assert(
        fc.property(fc.array(letters, { minLength: 1, maxLength: 30 }).map((a) => a.join('')), (text) => {
          fc.pre(/[OILoil]/.test(text));
          const d = decide({ type: 'ObserveMessage', message: dm('stranger', text), now: at(seconds(5)) }, state, deps);
          const attempt = d.ok && d.events.some((e) => e.type === 'MessageDenied');
          // Without digits only a whole message written in Crockford symbols as it stands is a guess.
          const asWritten = text.replace(/[\s?!,.]/g, '').toUpperCase();
          expect(attempt).toBe(/^[0-9A-HJKMNP-TV-Z]{8}$/.test(asWritten));
        }),
        { numRuns: 1000 },
      );
    });

    it('random text observes nothing unless it normalizes to a live code', () => {
      const { deps, state } = setup();
      fc.assert(
        fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40, unit: 'grapheme' })), (text) => {
          const d = decide({ type: 'ObserveMessage', message: dm('stranger', text), now: at(seconds(5)) }, state, deps);
          const candidate = extractCandidate(text);
          if (candidate === undefined || !liveCodes.includes(candidate)) {
            expect(d.ok && d.outcome.kind).not.toBe('observed');
          }
        }),
        { numRuns: 1000 },
      );
    });
  });

  it('(e) no event ever contains the message text or a plaintext code', () => {
    fc.assert(
      fc.property(scenarioArb, (ops) => {
        const run = play(ops);
        // Every string in every event (keys too), except the HMAC, which is derived from the code by design.
        const strings: string[] = [];
        const walk = (v: unknown, key?: string): void => {
          if (typeof v === 'string') {
            if (key !== 'codeHmac') strings.push(v);
          } else if (Array.isArray(v)) v.forEach((x) => walk(x));
          else if (v && typeof v === 'object') {
            for (const [k, x] of Object.entries(v)) {
              strings.push(k);
              walk(x, k);
            }
          }
        };
        run.log.forEach((e) => walk(e));
        const secrets = [
          ...run.steps.flatMap((s) => (s.text !== undefined && s.text.length >= 12 ? [s.text] : [])),
          ...run.codes.flatMap((c) => [c, `${c.slice(0, 4)}-${c.slice(4)}`]),
        ];
        const leaks = secrets.filter((secret) => strings.some((s) => s.includes(secret)));
        expect(leaks).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
