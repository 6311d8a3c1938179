import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeSocketEvent, NormalizeContext } from './normalize';
import { SocketEvent } from './wire';

const fixture = (name: string) =>
  SocketEvent.parse(JSON.parse(readFileSync(path.join(__dirname, '../test/fixtures', name), 'utf8')));

const ctx: NormalizeContext = {
  connection: 'mattermost',
  botUserId: 'botuserid00000000000000000',
  receivedAt: new Date('2026-01-01T00:00:00.000Z'),
};

/** A `posted` event around a post, like the server sends. */
function posted(post: Record<string, unknown>, data: Record<string, unknown> = {}): SocketEvent {
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
      post: JSON.stringify({ id: 'p1', user_id: 'u1', channel_id: 'c1', root_id: '', message: 'hi', create_at: 1700000000000, type: '', props: {}, ...post }),
      ...data,
    },
  };
}

describe('normalizeSocketEvent', () => {
  it('turns the real DM capture into a dm without space', () => {
    const r = normalizeSocketEvent(fixture('ws-posted.dm.real.json'), ctx);
    expect(r).toEqual({
      kind: 'message',
      message: {
        schemaVersion: 1,
        connection: 'mattermost',
        platform: 'mattermost',
        platformMessageId: 'xo8gwpzsq78tur5soq47cjtskh',
        sentAt: new Date(1633085267810).toISOString(),
        receivedAt: '2026-01-01T00:00:00.000Z',
        actor: { id: 'wb7dpg3tsfrimxcu8767ig55sh', displayName: 'admin', username: 'admin' },
        conversation: { id: '3xqxgouhqjnm5k49qohjort7yc', kind: 'dm' },
        text: 'oh there once was a hero named ragnar the red',
      },
    });
  });

  it('puts an open-channel post (real capture) in its team space', () => {
    const r = normalizeSocketEvent(fixture('ws-posted.open-channel.real.json'), ctx);
    expect(r.kind).toBe('message');
    if (r.kind !== 'message') return;
    expect(r.message.conversation).toEqual({ id: '1waumyyd6jyczrxntuiopybygy', kind: 'channel', title: 'Test 2.0' });
    expect(r.message.space).toEqual({ id: '68ia7ywnopny8nmcdrkatmytjh', kind: 'mattermost-team' });
    expect(r.message.actor).toEqual({ id: 'cmr7sncacib4xfhd6yo3n4tf5e', displayName: 'rgabriel', username: 'rgabriel' });
    expect(r.message.text).toBe('message sent');
  });

  it('ignores post_edited (real capture) deliberately', () => {
    expect(normalizeSocketEvent(fixture('ws-post_edited.real.json'), ctx)).toEqual({ kind: 'ignored', reason: 'edit' });
  });

  it('ignores hello and other non-message events', () => {
    expect(normalizeSocketEvent(fixture('ws-hello.json'), ctx)).toEqual({ kind: 'ignored', reason: 'not-a-message' });
    expect(normalizeSocketEvent({ event: 'typing', data: {}, seq: 3 }, ctx)).toEqual({ kind: 'ignored', reason: 'not-a-message' });
  });

  it('takes a private channel as a channel in the team space and root_id as the thread', () => {
    const r = normalizeSocketEvent(posted({ root_id: 'root1' }, { channel_type: 'P' }), ctx);
    expect(r.kind === 'message' && r.message.conversation).toEqual({ id: 'c1', kind: 'channel', title: 'Town Square', threadId: 'root1' });
    expect(r.kind === 'message' && r.message.space).toEqual({ id: 'team1', kind: 'mattermost-team' });
  });

  it('falls back to the broadcast team_id when data.team_id is empty', () => {
    const e = posted({}, { team_id: '' });
    e.broadcast = { team_id: 'team9' };
    const r = normalizeSocketEvent(e, ctx);
    expect(r.kind === 'message' && r.message.space?.id).toBe('team9');
  });

  it('rejects a team channel post without any team id', () => {
    const r = normalizeSocketEvent(posted({}, { team_id: '' }), ctx);
    expect(r).toEqual({ kind: 'invalid', reason: 'posted event: channel type O without team_id', platformMessageId: 'p1' });
  });

  describe('group DMs (G) are shared', () => {
    const g = () => posted({}, { channel_type: 'G', team_id: '', channel_display_name: 'alice, bob, twokey' });

    it('belong to the configured team when MATTERMOST_GROUP_TEAM_ID is set', () => {
      const r = normalizeSocketEvent(g(), { ...ctx, groupTeamId: 'teamG' });
      expect(r.kind === 'message' && r.message.conversation.kind).toBe('group');
      expect(r.kind === 'message' && r.message.space).toEqual({ id: 'teamG', kind: 'mattermost-team' });
    });

    it('are their own space (the channel id) without a team', () => {
      const r = normalizeSocketEvent(g(), ctx);
      expect(r.kind === 'message' && r.message.space).toEqual({ id: 'c1', kind: 'mattermost-team', title: 'alice, bob, twokey' });
    });

    it('use the event team_id when the server sends one', () => {
      const r = normalizeSocketEvent(posted({}, { channel_type: 'G', team_id: 'team1' }), { ...ctx, groupTeamId: 'teamG' });
      expect(r.kind === 'message' && r.message.space?.id).toBe('team1');
    });
  });

  it.each([
    ['own-message', { user_id: ctx.botUserId }],
    ['bot', { props: { from_bot: 'true' } }],
    ['bot', { props: { from_webhook: 'true' } }],
    ['system-message', { type: 'system_join_channel' }],
    ['non-text', { message: '   ' }],
  ])('ignores %s', (reason, post) => {
    expect(normalizeSocketEvent(posted(post), ctx)).toEqual({ kind: 'ignored', reason });
  });

  it('rejects a post that is not JSON, or lacks fields, with a clear reason', () => {
    const notJson = posted({});
    notJson.data.post = '{nope';
    expect(normalizeSocketEvent(notJson, ctx)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('data.post is not valid JSON') });
    const noUser = posted({ user_id: undefined });
    expect(normalizeSocketEvent(noUser, ctx)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('post.user_id') });
    expect(normalizeSocketEvent(posted({}, { channel_type: 'X' }), ctx)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('channel_type') });
  });

  it('rejects text longer than the contract allows instead of truncating it', () => {
    const r = normalizeSocketEvent(posted({ message: 'x'.repeat(64 * 1024) }), ctx);
    expect(r).toMatchObject({ kind: 'invalid', platformMessageId: 'p1', reason: expect.stringContaining('text must be at most') });
  });

  it('keeps odd Unicode intact', () => {
    const text = 'Zalgo: Z̷̢a̸l̵g̶o — RTL: \u202Eabc — emoji: 👩‍👩‍👧 — zero width: a\u200Bb';
    const r = normalizeSocketEvent(posted({ message: text }), ctx);
    expect(r.kind === 'message' && r.message.text).toBe(text);
  });
});
