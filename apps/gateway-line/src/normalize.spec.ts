import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeWebhookEvent } from './normalize';

const fixture = (name: string) => JSON.parse(readFileSync(path.join(__dirname, '../test/fixtures', name), 'utf8'));
const ctx = { connection: 'line', receivedAt: new Date('2026-01-01T00:00:00.000Z') };

const event = (over: Record<string, unknown> = {}) => ({
  type: 'message',
  mode: 'active',
  timestamp: 1700000000000,
  webhookEventId: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
  deliveryContext: { isRedelivery: false },
  replyToken: 'rt',
  source: { type: 'user', userId: 'U1' },
  message: { type: 'text', id: 'm1', text: 'hi', quoteToken: 'q' },
  ...over,
});

describe('normalizeWebhookEvent', () => {
  it('turns the composed DM fixture into a dm', () => {
    const r = normalizeWebhookEvent(fixture('dm-text.composed.body.json').events[0], ctx);
    expect(r).toEqual({
      kind: 'message',
      source: { type: 'user', userId: 'U4af4980629a0b1c2d3e4f5a6b7c8d9e0' },
      replyToken: 'nHuyWiB7yP5Zw52FIkcQobQuGDXCTA',
      message: {
        schemaVersion: 1,
        connection: 'line',
        platform: 'line',
        platformMessageId: '444573844083572737',
        sentAt: new Date(1462629479859).toISOString(),
        receivedAt: '2026-01-01T00:00:00.000Z',
        actor: { id: 'U4af4980629a0b1c2d3e4f5a6b7c8d9e0', displayName: 'U4af4980629a0b1c2d3e4f5a6b7c8d9e0' },
        conversation: { id: 'U4af4980629a0b1c2d3e4f5a6b7c8d9e0', kind: 'dm' },
        text: 'Hello, world',
      },
    });
  });

  it('accepts the legacy docs example (no webhookEventId / deliveryContext)', () => {
    const r = normalizeWebhookEvent(fixture('legacy-docs-example.user-text.json').events[0], ctx);
    expect(r.kind === 'message' && r.message.platformMessageId).toBe('325708');
  });

  it('rejects the SDK group fixture: a group message without userId has no stable actor', () => {
    const r = normalizeWebhookEvent(fixture('group-text.sdk-test.body.json').events[0], ctx);
    expect(r).toEqual({
      kind: 'invalid',
      platformMessageId: 'test_event_message_id',
      reason: 'message event: group message without source.userId (no stable actor)',
    });
  });

  it('puts a group message with a userId in the line-group space', () => {
    const r = normalizeWebhookEvent(event({ source: { type: 'group', groupId: 'Cg1', userId: 'U1' } }), ctx);
    expect(r.kind === 'message' && r.message.conversation).toEqual({ id: 'Cg1', kind: 'group' });
    expect(r.kind === 'message' && r.message.space).toEqual({ id: 'Cg1', kind: 'line-group' });
    expect(r.kind === 'message' && r.message.actor.id).toBe('U1');
  });

  it('puts a room message in the line-room space', () => {
    const r = normalizeWebhookEvent(event({ source: { type: 'room', roomId: 'Rr1', userId: 'U1' } }), ctx);
    expect(r.kind === 'message' && r.message.conversation).toEqual({ id: 'Rr1', kind: 'room' });
    expect(r.kind === 'message' && r.message.space).toEqual({ id: 'Rr1', kind: 'line-room' });
  });

  it('rejects a room message without userId', () => {
    expect(normalizeWebhookEvent(event({ source: { type: 'room', roomId: 'Rr1' } }), ctx)).toMatchObject({ kind: 'invalid' });
  });

  it('gives a redelivered event the same platformMessageId', () => {
    const first = normalizeWebhookEvent(event(), ctx);
    const again = normalizeWebhookEvent(event({ deliveryContext: { isRedelivery: true } }), ctx);
    expect(first.kind === 'message' && again.kind === 'message' && again.message.platformMessageId).toBe('m1');
    expect(first.kind === 'message' && first.message.platformMessageId).toBe('m1');
  });

  it.each([
    ['not-a-message', event({ type: 'follow', message: undefined })],
    ['not-a-message', event({ type: 'unsend', message: undefined })],
    ['non-text', event({ message: { type: 'sticker', id: 'm2', packageId: '1', stickerId: '2' } })],
    ['standby', event({ mode: 'standby' })],
    ['own-message', event({ source: { type: 'group', groupId: 'Cg1', userId: 'Ubot' } })],
  ])('ignores %s', (reason, e) => {
    expect(normalizeWebhookEvent(e, { ...ctx, botUserId: 'Ubot' })).toEqual({ kind: 'ignored', reason });
  });

  it('rejects malformed events with the offending field', () => {
    expect(normalizeWebhookEvent({ type: 'message' }, ctx)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('timestamp') });
    expect(normalizeWebhookEvent(event({ source: { type: 'user' } }), ctx)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('source.userId') });
    expect(normalizeWebhookEvent(event({ message: { type: 'text', id: 'm1' } }), ctx)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('message.text') });
    expect(normalizeWebhookEvent('nope', ctx)).toMatchObject({ kind: 'invalid' });
  });

  it('rejects text longer than the contract allows', () => {
    const r = normalizeWebhookEvent(event({ message: { type: 'text', id: 'm1', text: 'é'.repeat(64 * 1024) } }), ctx);
    expect(r).toMatchObject({ kind: 'invalid', platformMessageId: 'm1', reason: expect.stringContaining('text must be at most') });
  });
});
