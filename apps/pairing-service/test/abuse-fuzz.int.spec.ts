/**
 * Property-based fuzzing of what hostile platform input reaches: every platform normalizer (apps/gateway-*) and the
 * pairing-code matcher. For thousands of generated inputs each:
 * - nothing throws (a gateway must answer every payload with message / ignored / invalid);
 * - a normalized message satisfies the InboundMessage contract;
 * - deciding it against a closed state (empty allowlists) never admits it and never observes a token;
 * - no event produced contains the message text.
 * Inputs are junk of any shape, and real platform payloads (the recorded fixtures) with random fields replaced by
 * hostile values or removed: the second kind reaches deep into the success path.
 */
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { InboundMessage } from '@twokey/contracts';
import type { Normalized } from '@twokey/gateway-kit';
import { decide, extractCandidate, findCodeCandidates, formatCode, initialState, evolve, type DomainDeps } from '@twokey/pairing-domain';
import discordDm from '@twokey/test-support/fakes/discord/fixtures/dm-text.MESSAGE_CREATE.composed.json';
import discordGuild from '@twokey/test-support/fakes/discord/fixtures/guild-text.MESSAGE_CREATE.composed.json';
import slackChannel from '@twokey/test-support/fakes/slack/fixtures/message.channels.event_callback.json';
import slackIm from '@twokey/test-support/fakes/slack/fixtures/message.im.event_callback.json';
import telegramDm from '@twokey/test-support/fakes/telegram/fixtures/dm-text.update.json';
import telegramGroup from '@twokey/test-support/fakes/telegram/fixtures/group-text.update.json';
/* eslint-disable @nx/enforce-module-boundaries -- one abuse suite fuzzes every gateway's normalizer, with its fixtures */
import feishuGroup from '../../gateway-feishu/test/fixtures/im.message.receive_v1.group.docs.json';
import lineDm from '../../gateway-line/test/fixtures/dm-text.composed.body.json';
import mattermostDm from '../../gateway-mattermost/test/fixtures/ws-posted.dm.real.json';
import mattermostChannel from '../../gateway-mattermost/test/fixtures/ws-posted.open-channel.real.json';
import { normalizeDiscordMessage } from '../../gateway-discord/src/normalize';
import { normalizeReceiveMessage } from '../../gateway-feishu/src/normalize';
import { normalizeWebhookEvent } from '../../gateway-line/src/normalize';
import { normalizeSocketEvent } from '../../gateway-mattermost/src/normalize';
import { SocketEvent } from '../../gateway-mattermost/src/wire';
import { normalizeSlackEvent } from '../../gateway-slack/src/normalize';
import { normalizeTelegramUpdate } from '../../gateway-telegram/src/normalize';
/* eslint-enable @nx/enforce-module-boundaries */
import { productionDomainDeps } from '../src/state/domain-deps';

const RUNS = 2_000;

/** Failures name the seed and a shortened counterexample (hostile values can be 70,000 characters long). */
fc.configureGlobal({
  reporter: (out) => {
    if (!out.failed) return;
    const example = JSON.stringify(out.counterexample, (_k, v: unknown) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 60)}…(${v.length} chars)` : v));
    throw new Error(`property failed after ${out.numRuns} runs (seed ${out.seed}, path ${out.counterexamplePath}): ${out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance)}\ncounterexample: ${example.slice(0, 3_000)}`);
  },
});
const receivedAt = new Date('2026-01-01T00:00:00.000Z');
const deps: DomainDeps = productionDomainDeps(randomBytes(32).toString('hex'));

type Json = unknown;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Text people and attackers send: plain, code-shaped, mentions, format characters, RTL, huge, control codes. */
const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.stringMatching(/^[0-9A-Za-z]{8}$/),
  fc.stringMatching(/^\/(pair|start)(@bot)? [0-9a-z]{4}-[0-9a-z]{4}$/),
  fc.stringMatching(/^(<@U[0-9A-Z]{8}>|@\w{1,12}) [0-9A-Z ]{8,12}$/),
  fc.constantFrom('\u200b\u200c\u200d\ufeff', '\u202eABCD-EFGH', 'ＡＢＣＤ－ＥＦＧＨ', '\u0000\u0007\u001b[31m', ' \n\t ', ''),
  fc.integer({ min: 32_760, max: 70_000 }).map((n) => 'x'.repeat(n)),
);

/** Values that do not belong where they are put. */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  hostileText,
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, 0, -1, Number.MAX_SAFE_INTEGER, 1e21, -1e21, Number.NaN, '0', '-1', 'null', '__proto__', 'constructor'),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

/** Every path to a value in a JSON seed (objects and arrays included). */
function paths(v: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = prefix.length ? [prefix] : [];
  if (v && typeof v === 'object') {
    for (const [k, child] of Object.entries(v as Record<string, Json>)) out.push(...paths(child, [...prefix, Array.isArray(v) ? Number(k) : k]));
  }
  return out;
}

interface Mutation {
  at: number;
  remove: boolean;
  value: Json;
}

function mutate(seed: Json, mutations: Mutation[]): Json {
  const doc = clone(seed);
  const all = paths(doc);
  for (const m of mutations) {
    const path = all[m.at % all.length];
    let parent = doc as Record<string | number, Json>;
    for (const key of path.slice(0, -1)) {
      const next = parent?.[key];
      if (!next || typeof next !== 'object') break;
      parent = next as Record<string | number, Json>;
    }
    const last = path[path.length - 1];
    if (!parent || typeof parent !== 'object') continue;
    if (m.remove) delete parent[last];
    else parent[last] = m.value;
  }
  return doc;
}

/** Boundary values tried at every field of every seed, one at a time (deterministic, unlike the random mutations). */
const BOUNDARIES: Json[] = [
  null, true, '', ' ', '0', '-1', '99999999999999999999', '1e309', 'NaN', '\u0000', 'x'.repeat(70_000),
  0, -1, 1.5, 2 ** 31, 2 ** 53 - 1, 1e21, -1e21, 8.64e15 + 1, Number.NaN, [], {},
];

const mutationsArb = fc.array(fc.record({ at: fc.nat(), remove: fc.boolean(), value: hostileValue }), { minLength: 1, maxLength: 4 });

/** Fields that carry JSON as a string on the wire (Mattermost `data.post`, Feishu `message.content`). */
interface Platform {
  name: string;
  seeds: Json[];
  /** Undo the seed's unpacking of JSON-in-a-string fields after mutating. */
  pack?: (doc: Json) => Json;
  normalize(raw: Json): Normalized;
}

const unpack = (doc: Json, path: string[]): Json => {
  const d = clone(doc) as Record<string, Record<string, Json>>;
  const [a, b] = path;
  d[a][b] = JSON.parse(d[a][b] as string);
  return d;
};
const pack = (path: string[]) => (doc: Json): Json => {
  const d = doc as Record<string, Record<string, Json>> | null;
  const [a, b] = path;
  if (d && typeof d === 'object' && d[a] && typeof d[a] === 'object' && b in d[a] && typeof d[a][b] !== 'string') d[a][b] = JSON.stringify(d[a][b]);
  return d;
};

const feishuEvent = (body: typeof feishuGroup): Json => ({ event_id: body.header.event_id, token: body.header.token, ...body.event });

const PLATFORMS: Platform[] = [
  {
    name: 'telegram',
    seeds: [telegramDm, telegramGroup],
    normalize: (raw) => normalizeTelegramUpdate(raw, { connection: 'telegram', botId: 7_530_215_388, receivedAt }),
  },
  {
    name: 'discord',
    seeds: [discordDm.d, discordGuild.d],
    normalize: (raw) => normalizeDiscordMessage(raw, { connection: 'discord', botUserId: '1000000000000000001', receivedAt }),
  },
  {
    name: 'slack',
    seeds: [slackIm, slackChannel],
    normalize: (raw) => normalizeSlackEvent(raw, { connection: 'slack', botUserId: 'U0BOT00001', botId: 'B0BOT00001', receivedAt }),
  },
  {
    name: 'mattermost',
    seeds: [unpack(mattermostDm, ['data', 'post']), unpack(mattermostChannel, ['data', 'post'])],
    pack: pack(['data', 'post']),
    // The adapter validates the frame against SocketEvent before normalizing; so does the fuzzer.
    normalize: (raw) => {
      const frame = SocketEvent.safeParse(raw);
      if (!frame.success) return { kind: 'invalid', reason: 'not a socket event' };
      return normalizeSocketEvent(frame.data, { connection: 'mattermost', botUserId: 'botuserid00000000000000000', receivedAt });
    },
  },
  {
    name: 'feishu',
    seeds: [unpack(feishuEvent(feishuGroup), ['message', 'content'])],
    pack: pack(['message', 'content']),
    normalize: (raw) => normalizeReceiveMessage(raw, { connection: 'feishu', receivedAt, botOpenId: 'ou_bot' }),
  },
  {
    name: 'line',
    seeds: [lineDm.events[0]],
    normalize: (raw) => normalizeWebhookEvent(raw, { connection: 'line', receivedAt, botUserId: 'Ubot' }),
  },
];

/**
 * The checks every normalized result must pass; returns the message when one would reach NATS. A "message" that
 * breaks the InboundMessage contract never does: the gateway kit validates every message before publishing and
 * dead-letters it (gateway-kit inbound-publisher.ts), so it is counted, not decided.
 */
function checkResult(result: Normalized, stats: { deadLettered: number }): InboundMessage | undefined {
  expect(['message', 'ignored', 'invalid']).toContain(result.kind);
  if (result.kind !== 'message') return undefined;
  const valid = InboundMessage.safeParse(result.message);
  if (!valid.success) {
    stats.deadLettered++;
    return undefined;
  }
  return valid.data;
}

/** Decides the message against a closed state: never admitted, never observed, and the text never stored. */
function checkDecision(message: InboundMessage, state = initialState(message.connection)): void {
  const decision = decide({ type: 'ObserveMessage', message, inboundSequence: 1, now: receivedAt }, state, deps);
  if (!decision.ok) return;
  expect(decision.outcome.kind).toBe('denied');
  expect(decision.events.map((e) => e.type)).not.toContain('TokenObserved');
  const text = message.text.trim();
  const elsewhere = JSON.stringify({ ...message, text: undefined });
  if (text.length >= 4 && !elsewhere.includes(text)) expect(JSON.stringify(decision.events)).not.toContain(text);
  if (decision.outcome.kind === 'denied' && decision.outcome.coalesce) expect(JSON.stringify(decision.outcome.coalesce)).not.toContain(`"text"`);
}

describe('abuse: fuzzing the normalizers and the code matcher', () => {
  it('covers every gateway that has a normalizer', () => {
    // A new gateway must be added here (and to the seeds) to be fuzzed.
    expect(PLATFORMS.map((p) => p.name).sort()).toEqual(['discord', 'feishu', 'line', 'mattermost', 'slack', 'telegram']);
  });

  describe.each(PLATFORMS)('$name', (platform) => {
    it('turns every seed into a message (the fuzzing starts from the success path)', () => {
      for (const seed of platform.seeds) {
        const raw = platform.pack ? platform.pack(clone(seed)) : seed;
        expect(platform.normalize(raw).kind).toBe('message');
      }
    });

    it('answers every field set to every boundary value (or removed) with a valid message, ignored or invalid', () => {
      const stats = { deadLettered: 0 };
      let cases = 0;
      for (const seed of platform.seeds) {
        for (let at = 0; at < paths(seed).length; at++) {
          for (const mutation of [{ at, remove: true, value: null }, ...BOUNDARIES.map((value) => ({ at, remove: false, value }))]) {
            const mutated = mutate(seed, [mutation]);
            const message = checkResult(platform.normalize(platform.pack ? platform.pack(mutated) : mutated), stats);
            if (message) checkDecision(message);
            cases++;
          }
        }
      }
      expect(cases).toBeGreaterThan(200);
    });

    it('never throws on junk of any shape', () => {
      fc.assert(
        fc.property(fc.anything({ withNullPrototype: true, withObjectString: true, maxDepth: 4 }), (raw) => {
          checkResult(platform.normalize(raw), { deadLettered: 0 });
        }),
        { numRuns: RUNS },
      );
    });

    it('answers mutated real payloads with a valid message, ignored or invalid; a message is never admitted and its text never stored', () => {
      let messages = 0;
      const stats = { deadLettered: 0 };
      fc.assert(
        fc.property(fc.constantFrom(...platform.seeds), mutationsArb, (seed, mutations) => {
          const mutated = mutate(seed, mutations);
          const raw = platform.pack ? platform.pack(mutated) : mutated;
          const message = checkResult(platform.normalize(raw), stats);
          if (message) {
            messages++;
            checkDecision(message);
          }
        }),
        { numRuns: RUNS },
      );
      // Some mutations must leave a deliverable message, or the decision checks above never ran.
      expect(messages).toBeGreaterThan(RUNS / 20);
    });
  });

  describe('code matcher', () => {
    const CODE = 'K7QD3WZP';
    const issued = decide({ type: 'IssuePairingToken', purpose: 'user', now: receivedAt }, initialState('telegram'), { ...deps, newCode: () => CODE });
    if (!issued.ok) throw new Error('could not issue a token');
    const withToken = issued.events.reduce(evolve, initialState('telegram'));
    const dmWith = (text: string): InboundMessage => ({
      schemaVersion: 1,
      connection: 'telegram',
      platform: 'telegram',
      platformMessageId: '1',
      sentAt: receivedAt.toISOString(),
      receivedAt: receivedAt.toISOString(),
      actor: { id: '5150', displayName: 'Stranger' },
      conversation: { id: '5150', kind: 'dm' },
      text,
    });

    it('never throws, and yields nothing or exactly 8 Crockford symbols', () => {
      fc.assert(
        fc.property(fc.oneof(hostileText, fc.string({ unit: 'binary' })), (text) => {
          const candidate = extractCandidate(text);
          if (candidate !== undefined) expect(candidate).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
        }),
        { numRuns: RUNS * 5 },
      );
    });

    it('observes the live token only for its own code; anything else is denied, never admitted, its text never stored', () => {
      fc.assert(
        fc.property(fc.oneof(hostileText, fc.stringMatching(/^[0-9A-Z]{8}$/).map((c) => formatCode(c.replace(/[ILOU]/g, '0')))), (text) => {
          const message = dmWith(text);
          const decision = decide({ type: 'ObserveMessage', message, inboundSequence: 1, now: receivedAt }, withToken, deps);
          if (!decision.ok) return;
          if (findCodeCandidates(text).some((c) => c.code === CODE)) {
            expect(decision.outcome.kind).toBe('observed');
          } else {
            checkDecision(message, withToken);
          }
        }),
        { numRuns: RUNS * 5 },
      );
    });

    it('still finds the real code however it is mangled (the property above can fail)', () => {
      for (const text of [formatCode(CODE), `/start ${formatCode(CODE).toLowerCase()}`, `<@U123> ${CODE.split('').join(' ')}`, '\u200bK7QD-3WZP\u200b', 'ｋ７ｑｄ－３ｗｚｐ']) {
        const decision = decide({ type: 'ObserveMessage', message: dmWith(text), now: receivedAt }, withToken, deps);
        expect(decision.ok && decision.outcome.kind).toBe('observed');
      }
    });
  });
});
