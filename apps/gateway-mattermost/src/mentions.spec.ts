import { extractCandidate } from '@twokey/pairing-domain';
import { normalizeSocketEvent, NormalizeContext } from './normalize';
import type { SocketEvent } from './wire';

const BOT = 'botuserid00000000000000000';
const ctx: NormalizeContext = { connection: 'mattermost', botUserId: BOT, botUsername: 'twokey-acceptance-bot', receivedAt: new Date('2026-01-01T00:00:00.000Z') };

/** A `posted` event as the server sends it (cf. ws-posted.open-channel.real.json): `mentions` is a JSON string. */
function posted(message: string, post: Record<string, unknown> = {}, data: Record<string, unknown> = {}): SocketEvent {
  return {
    event: 'posted',
    seq: 7,
    broadcast: { channel_id: 'c1', team_id: '', user_id: '', omit_users: null },
    data: {
      channel_type: 'O',
      channel_display_name: 'Town Square',
      channel_name: 'town-square',
      sender_name: '@alice',
      team_id: 'team1',
      mentions: JSON.stringify([BOT]),
      post: JSON.stringify({ id: 'p1', user_id: 'u1', channel_id: 'c1', root_id: '', message, create_at: 1700000000000, type: '', props: {}, ...post }),
      ...data,
    },
  };
}

describe('Mattermost: the bot mention @<bot username> (issue 19)', () => {
  it.each([
    ['before the code', '@twokey-acceptance-bot K7QM-2ZXD', 'K7QM-2ZXD'],
    ['after the code', 'K7QM-2ZXD @twokey-acceptance-bot', 'K7QM-2ZXD'],
    ['in other capitals, with punctuation', '@Twokey-Acceptance-Bot: K7QM-2ZXD', ': K7QM-2ZXD'],
    ['two mentions: the bot and another user (kept)', '@twokey-acceptance-bot ask @alice.smith about it', 'ask @alice.smith about it'],
  ])('%s', (_label, message, expected) => {
    expect(normalizeSocketEvent(posted(message), ctx)).toMatchObject({ kind: 'message', message: { text: expected, mentionedBot: true } });
  });

  it('a username that merely starts like the bot is another user', () => {
    const r = normalizeSocketEvent(posted('@twokey-acceptance-bot2 hi', {}, { mentions: '["other"]' }), ctx);
    expect(r.kind === 'message' && r.message).toMatchObject({ text: '@twokey-acceptance-bot2 hi' });
    expect(r.kind === 'message' && r.message.mentionedBot).toBeUndefined();
  });

  it('the server listing the bot in mentions marks it addressed even when the text does not show the username', () => {
    expect(normalizeSocketEvent(posted('@here hi'), ctx)).toMatchObject({ kind: 'message', message: { text: '@here hi', mentionedBot: true } });
  });

  it('a mention inside a thread keeps the thread', () => {
    const r = normalizeSocketEvent(posted('@twokey-acceptance-bot K7QM-2ZXD', { root_id: 'root1' }), ctx);
    expect(r).toMatchObject({ kind: 'message', message: { text: 'K7QM-2ZXD', mentionedBot: true, conversation: { threadId: 'root1' } } });
    expect(r.kind === 'message' && extractCandidate(r.message.text)).toBe('K7QM2ZXD');
  });
});

describe('Mattermost: whose post it is (issue 19)', () => {
  it.each([
    ['a plugin', { from_plugin: true }],
    ['a plugin (string flag)', { from_plugin: 'true' }],
    ['an OAuth app', { from_oauth_app: true }],
    ['override_username', { override_username: 'alice' }],
  ])('a post made by %s in a user\'s name is not admitted as theirs', (_label, props) => {
    expect(normalizeSocketEvent(posted('K7QM-2ZXD', { props }), ctx)).toEqual({ kind: 'ignored', reason: 'app-post' });
  });

  it('…unless the connection allows such posts', () => {
    expect(normalizeSocketEvent(posted('hi', { props: { from_plugin: true } }), { ...ctx, allowAppPosts: true })).toMatchObject({ kind: 'message' });
  });

  it('a /me post (type "me") is the user\'s message', () => {
    expect(normalizeSocketEvent(posted('waves', { type: 'me' }), ctx)).toMatchObject({ kind: 'message', message: { text: 'waves', actor: { id: 'u1' } } });
  });

  it('other typed posts stay system messages', () => {
    expect(normalizeSocketEvent(posted('joined', { type: 'system_join_channel' }), ctx)).toEqual({ kind: 'ignored', reason: 'system-message' });
  });
});
