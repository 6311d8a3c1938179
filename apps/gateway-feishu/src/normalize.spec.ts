import * as lark from '@larksuiteoapi/node-sdk';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeReceiveMessage } from './normalize';

const fixture = (name: string) => JSON.parse(readFileSync(path.join(__dirname, '../test/fixtures', name), 'utf8'));
const ctx = { connection: 'feishu', receivedAt: new Date('2026-01-01T00:00:00.000Z') };
const silent = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined };

/** What the SDK's EventDispatcher hands to an `im.message.receive_v1` handler for a callback body. */
async function dispatched(body: unknown, encryptKey?: string): Promise<unknown> {
  let seen: unknown;
  const dispatcher = new lark.EventDispatcher({ encryptKey, logger: silent }).register({
    'im.message.receive_v1': async (data: unknown) => {
      seen = data;
    },
  });
  await dispatcher.invoke(body, { needCheck: false });
  return seen;
}

const event = (message: Record<string, unknown> = {}, sender: Record<string, unknown> = {}) => ({
  event_id: 'ev1',
  token: 'tok',
  sender: { sender_id: { open_id: 'ou_user' }, sender_type: 'user', ...sender },
  message: {
    message_id: 'om_1',
    create_time: '1700000000000',
    chat_id: 'oc_chat',
    chat_type: 'group',
    message_type: 'text',
    content: '{"text":"hi"}',
    ...message,
  },
});

describe('normalizeReceiveMessage', () => {
  it('turns the p2p fixture into a dm', async () => {
    const r = normalizeReceiveMessage(await dispatched(fixture('im.message.receive_v1.p2p.composed.json')), ctx);
    expect(r).toEqual({
      kind: 'message',
      eventId: '5e3702a84e847582be8db7fb73283c03',
      message: {
        schemaVersion: 1,
        connection: 'feishu',
        platform: 'feishu',
        platformMessageId: 'om_5ce6d572455d361153b7cb51da133946',
        sentAt: new Date(1609073151345).toISOString(),
        receivedAt: '2026-01-01T00:00:00.000Z',
        actor: { id: 'ou_84aad35d084aa403a838cf73ee18467', displayName: 'ou_84aad35d084aa403a838cf73ee18467' },
        conversation: { id: 'oc_5ce6d572455d361153b7xx51da133946', kind: 'dm' },
        text: 'hello',
      },
    });
  });

  it('puts the docs group example in the feishu-group space, with its thread and the mention spelled out', async () => {
    const r = normalizeReceiveMessage(await dispatched(fixture('im.message.receive_v1.group.docs.json')), ctx);
    expect(r.kind).toBe('message');
    if (r.kind !== 'message') return;
    expect(r.message.conversation).toEqual({ id: 'oc_5ce6d572455d361153b7xx51da133945', kind: 'group', threadId: 'om_5ce6d572455d361153b7cb5xxfsdfsdfdsf' });
    expect(r.message.space).toEqual({ id: 'oc_5ce6d572455d361153b7xx51da133945', kind: 'feishu-group' });
    expect(r.message.text).toBe('@Tom hello');
    expect(r.eventId).toBe('5e3702a84e847582be8db7fb73283c02');
  });

  it('reads the encrypted fixture once the SDK has decrypted it', async () => {
    const headers = fixture('im.message.receive_v1.group.encrypted.generated.headers.json');
    const data = await dispatched(fixture('im.message.receive_v1.group.encrypted.generated.body.json'), headers._encrypt_key_used);
    const r = normalizeReceiveMessage(data, ctx);
    expect(r.kind === 'message' && r.message.space?.kind).toBe('feishu-group');
  });

  it('uses thread_id when there is no root_id', () => {
    const r = normalizeReceiveMessage(event({ thread_id: 'omt_1' }), ctx);
    expect(r.kind === 'message' && r.message.conversation.threadId).toBe('omt_1');
  });

  it.each([
    ['own-message', event({}, { sender_id: { open_id: 'ou_bot' }, sender_type: 'app' })],
    ['bot', event({}, { sender_type: 'app' })],
    ['non-text', event({ message_type: 'image', content: '{"image_key":"img_1"}' })],
    ['non-text', event({ message_type: 'post', content: '{"title":"t","content":[]}' })],
  ])('ignores %s', (reason, e) => {
    expect(normalizeReceiveMessage(e, { ...ctx, botOpenId: 'ou_bot' })).toEqual({ kind: 'ignored', reason });
  });

  it('rejects malformed events with the offending field', () => {
    expect(normalizeReceiveMessage({}, ctx)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('event_id') });
    expect(normalizeReceiveMessage(event({ content: '{oops' }), ctx)).toMatchObject({ kind: 'invalid', platformMessageId: 'om_1', reason: expect.stringContaining('content is not valid JSON') });
    expect(normalizeReceiveMessage(event({ content: '{"image_key":"x"}' }), ctx)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('has no text') });
    expect(normalizeReceiveMessage(event({ chat_type: 'weird' }), ctx)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('unknown chat_type') });
    expect(normalizeReceiveMessage(event({ create_time: 'yesterday' }), ctx)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('create_time') });
  });

  it('rejects text longer than the contract allows', () => {
    const r = normalizeReceiveMessage(event({ content: JSON.stringify({ text: 'z'.repeat(64 * 1024) }) }), ctx);
    expect(r).toMatchObject({ kind: 'invalid', platformMessageId: 'om_1', reason: expect.stringContaining('text must be at most') });
  });
});
