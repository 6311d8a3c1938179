import type { CapabilityProfile, EditMessage, SendMessageV2 } from '@twokey/contracts';
import { JsonLogger } from '@twokey/service-kit';
import { FormattingRejected, MessageTooLong, PermanentSendError, RateLimited } from './errors';
import type { OutboundChunk, OutboundEdit, PlatformAdapter } from './platform-adapter';
import { ReplyDelivery } from './reply-delivery';
import type { SentRecord, SentStore } from './sent-store';
import type { Clock } from './write-budget';

const PROFILE: CapabilityProfile = {
  dialect: 'telegram-html',
  maxLength: 200,
  lengthUnit: 'utf16',
  maxChunks: 10,
  edits: true,
  writeBudget: { writes: 3, perSeconds: 60 },
  typing: 'refreshed',
  buttons: false,
  tables: false,
};

/** Time that moves only when the code under test sleeps; every sleep is recorded. */
class ManualClock implements Clock {
  t = 1_000_000;
  readonly sleeps: number[] = [];
  now = () => this.t;
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.t += ms;
  };
}

class MemoryStore implements SentStore {
  readonly records = new Map<string, SentRecord>();
  async get(k: string) {
    const r = this.records.get(k);
    return r && (JSON.parse(JSON.stringify(r)) as SentRecord);
  }
  async put(k: string, r: SentRecord) {
    this.records.set(k, JSON.parse(JSON.stringify(r)) as SentRecord);
  }
}

/** A platform whose next answers are scripted: each write takes the next failure, if any. */
class ScriptedPlatform implements PlatformAdapter {
  readonly platform = 'telegram' as const;
  readonly sent: OutboundChunk[] = [];
  readonly edits: OutboundEdit[] = [];
  /** One entry per write, in order: an error to throw, or null to succeed. */
  readonly failures: (Error | null)[] = [];
  typings = 0;
  constructor(readonly profile: CapabilityProfile = PROFILE) {}
  async start() {}
  async stop() {}
  async connectionTest() {
    return { ok: true, latencyMs: 0 };
  }
  async send(c: OutboundChunk) {
    const f = this.failures.shift();
    if (f) throw f;
    this.sent.push(c);
    return `m${this.sent.length}`;
  }
  async edit(e: OutboundEdit) {
    const f = this.failures.shift();
    if (f) throw f;
    this.edits.push(e);
  }
  async typing() {
    this.typings++;
  }
}

const send = (text: string, extra: Partial<SendMessageV2> = {}): SendMessageV2 => ({
  schemaVersion: 2,
  connection: 'telegram',
  idempotencyKey: `k-${text.length}-${extra.idempotencyKey ?? ''}`,
  conversationId: '-100',
  text,
  format: 'markdown',
  final: true,
  ...extra,
});
const edit = (target: string, text: string, final: boolean, n: number): EditMessage => ({
  schemaVersion: 1,
  type: 'edit-message',
  connection: 'telegram',
  idempotencyKey: `e${n}`,
  conversationId: '-100',
  targetIdempotencyKey: target,
  text,
  format: 'markdown',
  final,
});

describe('ReplyDelivery', () => {
  let clock: ManualClock;
  let store: MemoryStore;
  let platform: ScriptedPlatform;
  let delivery: ReplyDelivery;
  const logger = new JsonLogger('test', 'error', { write: () => undefined });
  beforeEach(() => {
    clock = new ManualClock();
    store = new MemoryStore();
    platform = new ScriptedPlatform();
    delivery = new ReplyDelivery({ adapter: platform, store, logger, clock });
  });
  afterEach(() => delivery.close());

  it('renders, splits to the profile and sends the chunks in order, remembering their ids', async () => {
    const text = Array.from({ length: 12 }, (_, i) => `paragraph **${i}** ${'x'.repeat(40)}`).join('\n\n');
    const r = await delivery.send(send(text, { replyToMessageId: '-100:7' }));
    expect(r.status).toBe('delivered');
    expect(platform.sent.length).toBeGreaterThan(2);
    expect(platform.sent.every((c) => c.text.length <= 200 && c.formatted)).toBe(true);
    expect(platform.sent.map((c) => c.replyToMessageId)).toEqual(['-100:7', ...platform.sent.slice(1).map(() => undefined)]);
    expect(platform.sent.map((c) => c.chunkKey)).toEqual(platform.sent.map((_, i) => `${send(text).idempotencyKey}:${i}`));
    expect(r.platformMessageIds).toEqual(platform.sent.map((_, i) => `m${i + 1}`));
    expect(platform.sent[0].text).toContain('<b>0</b>');
  });

  it('a final send over the write budget waits for it; it is never dropped', async () => {
    const r = await delivery.send(send(Array.from({ length: 5 }, () => 'y'.repeat(150)).join('\n\n')));
    expect(r.status).toBe('delivered');
    expect(platform.sent).toHaveLength(5);
    // 3 writes a minute: the 4th and 5th waited for the window.
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(60_000);
  });

  it('waits exactly the platform retry_after on a 429, then sends the same chunk', async () => {
    platform.failures.push(new RateLimited(7_000));
    const r = await delivery.send(send('hello'));
    expect(r.status).toBe('delivered');
    expect(clock.sleeps).toEqual([7_000]);
    expect(platform.sent.map((c) => c.text)).toEqual(['hello']);
  });

  it('falls back to plain text when the markup is refused, and splits smaller when the platform counts too long', async () => {
    platform.failures.push(new FormattingRejected("Bad Request: can't parse entities"));
    expect((await delivery.send(send('a **b** &'))).status).toBe('delivered');
    expect(platform.sent.at(-1)).toMatchObject({ text: 'a b &', formatted: false });

    platform.failures.push(new MessageTooLong('message is too long'));
    const r = await delivery.send(send(`${'z '.repeat(90)}end`));
    expect(r.status).toBe('delivered');
    const parts = platform.sent.slice(-r.platformMessageIds.length);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.every((c) => c.text.length <= 92)).toBe(true);
    expect(parts.map((c) => c.text).join(' ').replace(/\s+/g, ' ')).toBe(`${'z '.repeat(90)}end`);
  });

  it('refuses an idempotency key reused for another conversation instead of reporting the first one', async () => {
    await delivery.send(send('first', { idempotencyKey: 'same' }));
    const other = await delivery.send(send('first', { idempotencyKey: 'same', conversationId: '-200' }));
    expect(other).toMatchObject({ status: 'failed', failure: 'invalid-command' });
    expect(platform.sent).toHaveLength(1);
  });

  it('reports a permanent refusal as failed with its reason, keeping the ids already sent', async () => {
    platform.failures.push(new PermanentSendError('chat not found'));
    expect(await delivery.send(send('x'))).toEqual({ status: 'failed', failure: 'platform-rejected', reason: 'chat not found', platformMessageIds: [] });
  });

  it('a redelivery after a crash mid-way sends only the chunks not yet sent, and a finished one nothing', async () => {
    const text = Array.from({ length: 3 }, () => 'q'.repeat(150)).join('\n\n');
    // The first chunk goes out, then the platform drops the connection: transient, thrown for a nak.
    platform.failures.push(null, new Error('ECONNRESET'));
    await expect(delivery.send(send(text))).rejects.toThrow('ECONNRESET');
    expect(platform.sent).toHaveLength(1);
    const r = await delivery.send(send(text));
    expect(r).toMatchObject({ status: 'delivered', platformMessageIds: ['m1', 'm2', 'm3'] });
    expect(platform.sent).toHaveLength(3);
    expect((await delivery.send(send(text))).platformMessageIds).toEqual(r.platformMessageIds);
    expect(platform.sent).toHaveLength(3);
  });

  it('edits only the messages whose text changed, drops intermediate edits over budget, never a final one', async () => {
    const key = send('start').idempotencyKey;
    await delivery.send(send('start'));
    expect((await delivery.edit(edit(key, 'start, more', false, 1))).status).toBe('delivered');
    expect((await delivery.edit(edit(key, 'start, more', false, 2))).status).toBe('delivered'); // unchanged: no write
    expect(platform.edits).toHaveLength(1);
    expect((await delivery.edit(edit(key, 'start, more, more', false, 3))).status).toBe('delivered');
    // 3 writes in the minute (send + 2 edits): the next intermediate edit is dropped, no platform call.
    expect(await delivery.edit(edit(key, 'dropped', false, 4))).toMatchObject({ status: 'failed', failure: 'over-budget' });
    expect(platform.edits).toHaveLength(2);
    const final = await delivery.edit(edit(key, 'the final answer', true, 5));
    expect(final).toMatchObject({ status: 'delivered', platformMessageIds: ['m1'] });
    expect(platform.edits.at(-1)).toMatchObject({ messageId: 'm1', text: 'the final answer' });
  });

  it('keeps the last edit a platform allows per message for the final text (Feishu: 20)', async () => {
    const limited = new ReplyDelivery({ adapter: new ScriptedPlatform({ ...PROFILE, maxEditsPerMessage: 3, writeBudget: { writes: 100, perSeconds: 1 } }), store, logger, clock });
    const key = send('v0', { idempotencyKey: 'limited' }).idempotencyKey;
    await limited.send(send('v0', { idempotencyKey: 'limited' }));
    expect((await limited.edit(edit(key, 'v1', false, 1))).status).toBe('delivered');
    expect((await limited.edit(edit(key, 'v2', false, 2))).status).toBe('delivered');
    expect(await limited.edit(edit(key, 'v3', false, 3))).toMatchObject({ status: 'failed', failure: 'over-budget' });
    expect(await limited.edit(edit(key, 'final', true, 4))).toMatchObject({ status: 'delivered' });
    expect(await limited.edit(edit(key, 'again', true, 5))).toMatchObject({ status: 'failed', failure: 'platform-rejected' });
    limited.close();
  });

  it('blanks the messages an edit no longer needs when the answer got shorter', async () => {
    const long = Array.from({ length: 3 }, () => 'r'.repeat(150)).join('\n\n');
    const key = send(long).idempotencyKey;
    expect((await delivery.send(send(long))).platformMessageIds).toEqual(['m1', 'm2', 'm3']);
    clock.t += 120_000;
    const r = await delivery.edit(edit(key, 'short now', true, 9));
    expect(r).toMatchObject({ status: 'delivered', platformMessageIds: ['m1', 'm2', 'm3'] });
    expect(platform.edits.map((e) => [e.messageId, e.text])).toEqual([
      ['m1', 'short now'],
      ['m2', '…'],
      ['m3', '…'],
    ]);
  });

  it('refuses an edit of an unknown message, of another conversation, or where edits do not exist', async () => {
    expect(await delivery.edit(edit('nope', 'x', true, 1))).toMatchObject({ status: 'failed', failure: 'unknown-target' });
    await delivery.send(send('mine'));
    const other = { ...edit(send('mine').idempotencyKey, 'x', true, 2), conversationId: '-200' };
    expect(await delivery.edit(other)).toMatchObject({ status: 'failed', failure: 'unknown-target' });
    const line = new ReplyDelivery({ adapter: new ScriptedPlatform({ ...PROFILE, edits: false }), store, logger, clock });
    expect(await line.edit(edit(send('mine').idempotencyKey, 'x', true, 3))).toMatchObject({ status: 'failed', failure: 'unsupported' });
  });

  it('refuses an answer that needs more messages than the platform takes for one reply', async () => {
    const r = await delivery.send(send(Array.from({ length: 30 }, () => 'w'.repeat(150)).join('\n\n')));
    expect(r).toMatchObject({ status: 'failed', failure: 'platform-rejected', reason: expect.stringContaining('at most 10') });
    expect(platform.sent).toHaveLength(0);
  });

  it('shows typing at once and stops refreshing on stop', async () => {
    const typing = { schemaVersion: 1 as const, type: 'chat-action' as const, connection: 'telegram', idempotencyKey: 't', conversationId: '-100', action: 'typing' as const };
    expect((await delivery.typing({ ...typing, state: 'start' })).status).toBe('delivered');
    expect(platform.typings).toBe(1);
    expect((await delivery.typing({ ...typing, state: 'stop' })).status).toBe('delivered');
    const none = new ReplyDelivery({ adapter: new ScriptedPlatform({ ...PROFILE, typing: 'none' }), store, logger, clock });
    expect(await none.typing({ ...typing, state: 'start' })).toMatchObject({ status: 'failed', failure: 'unsupported' });
  });
});
