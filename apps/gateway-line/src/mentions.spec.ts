import { extractCandidate } from '@twokey/pairing-domain';
import { normalizeWebhookEvent } from './normalize';

const BOT = 'Uaaaabbbbccccddddeeeeffff';
const ctx = { connection: 'line', receivedAt: new Date('2026-01-01T00:00:00.000Z'), botUserId: BOT };
type Mentionee = { type: string; index: number; length: number; userId?: string; isSelf?: boolean };
const self = (text: string, written: string): Mentionee => ({ type: 'user', index: text.indexOf(written), length: written.length, isSelf: true });
const user = (text: string, written: string, userId = 'U0ada'): Mentionee => ({ type: 'user', index: text.indexOf(written), length: written.length, userId, isSelf: false });

/** A text message event in a group or room, the shape of the SDK's group-text test fixture plus `mention`. */
const say = (text: string, mentionees: Mentionee[], source: object = { type: 'group', groupId: 'Cgroup', userId: 'U1' }) => ({
  type: 'message',
  mode: 'active',
  timestamp: 1700000000000,
  webhookEventId: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
  deliveryContext: { isRedelivery: false },
  replyToken: 'rt',
  source,
  message: { type: 'text', id: 'm1', text, quoteToken: 'q', mention: { mentionees } },
});

describe('LINE: the bot mention by mention.mentionees[] isSelf (issue 19)', () => {
  it.each<[string, string, (t: string) => Mentionee[], string]>([
    ['@<multi-word bot name> CODE in a group', '@Twokey Acceptance Bot K7QM-2ZXD', (t) => [self(t, '@Twokey Acceptance Bot')], 'K7QM-2ZXD'],
    ['the mention after the code', 'K7QM-2ZXD @Twokey Acceptance Bot', (t) => [self(t, '@Twokey Acceptance Bot')], 'K7QM-2ZXD'],
    ['two mentions: the bot and Ada (kept)', '@Twokey Acceptance Bot ask @Ada about it', (t) => [self(t, '@Twokey Acceptance Bot'), user(t, '@Ada')], 'ask @Ada about it'],
    ['an emoji before the mention (UTF-16 index)', '😄 @Bot K7QM-2ZXD', () => [{ type: 'user', index: 3, length: 4, isSelf: true }], '😄 K7QM-2ZXD'],
  ])('%s', (_label, text, mentionees, expected) => {
    expect(normalizeWebhookEvent(say(text, mentionees(text)), ctx)).toMatchObject({ kind: 'message', message: { text: expected, mentionedBot: true } });
  });

  it('in a room, the same', () => {
    const text = '@Twokey Acceptance Bot K7QM-2ZXD';
    const r = normalizeWebhookEvent(say(text, [self(text, '@Twokey Acceptance Bot')], { type: 'room', roomId: 'Rroom', userId: 'U1' }), ctx);
    expect(r).toMatchObject({ kind: 'message', message: { text: 'K7QM-2ZXD', mentionedBot: true, space: { id: 'Rroom', kind: 'line-room' } } });
    expect(r.kind === 'message' && extractCandidate(r.message.text)).toBe('K7QM2ZXD');
  });

  it('the bot recognised by its user id when isSelf is missing', () => {
    const text = '@Bot hi';
    expect(normalizeWebhookEvent(say(text, [{ type: 'user', index: 0, length: 4, userId: BOT }]), ctx)).toMatchObject({ kind: 'message', message: { text: 'hi', mentionedBot: true } });
  });

  it('@All and other users are not the bot', () => {
    const text = '@All @Ada hi';
    const r = normalizeWebhookEvent(say(text, [{ type: 'all', index: 0, length: 4 }, user(text, '@Ada')]), ctx);
    expect(r.kind === 'message' && r.message.text).toBe(text);
    expect(r.kind === 'message' && r.message.mentionedBot).toBeUndefined();
  });

  it('a malformed mention never loses the message', () => {
    const r = normalizeWebhookEvent({ ...say('hi', []), message: { type: 'text', id: 'm1', text: 'hi', mention: { mentionees: 'x' } } }, ctx);
    expect(r).toMatchObject({ kind: 'message', message: { text: 'hi' } });
  });
});
