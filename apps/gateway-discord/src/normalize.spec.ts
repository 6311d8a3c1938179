import { InboundMessage } from '@twokey/contracts';
import dmText from '@twokey/test-support/fakes/discord/fixtures/dm-text.MESSAGE_CREATE.composed.json';
import guildText from '@twokey/test-support/fakes/discord/fixtures/guild-text.MESSAGE_CREATE.composed.json';
import { normalizeDiscordMessage } from './normalize';

const ctx = { connection: 'discord', botUserId: '1000000000000000001', receivedAt: new Date('2025-01-01T00:00:00Z') };
const message = (r: ReturnType<typeof normalizeDiscordMessage>): InboundMessage => {
  if (r.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(r)}`);
  return InboundMessage.parse(r.message);
};

describe('normalizeDiscordMessage', () => {
  it('turns a DM (channel type 1, no guild) into a DM with the snowflake ids', () => {
    expect(message(normalizeDiscordMessage(dmText.d, ctx))).toEqual({
      schemaVersion: 1,
      connection: 'discord',
      platform: 'discord',
      platformMessageId: '334385199974967043',
      sentAt: '2017-07-11T17:27:07.299Z',
      receivedAt: '2025-01-01T00:00:00.000Z',
      actor: { id: '53908099506183680', displayName: 'Mason', username: 'Mason' },
      conversation: { id: '290926798999357251', kind: 'dm' },
      text: 'hello bot',
    });
  });

  it('puts a guild message in the discord-server space, with cached names as hints', () => {
    const m = message(normalizeDiscordMessage(guildText.d, { ...ctx, channel: { type: 0, name: 'general' }, guild: { name: 'Wonderland' } }));
    expect(m.space).toEqual({ id: '290926798999357249', kind: 'discord-server', title: 'Wonderland' });
    expect(m.conversation).toEqual({ id: '290926798999357250', kind: 'channel', title: 'general' });
  });

  it('makes a thread message a thread conversation (from channel_type, or from the cache when absent)', () => {
    const inThread = { ...guildText.d, channel_type: 11 };
    expect(message(normalizeDiscordMessage(inThread, ctx)).conversation).toEqual({ id: '290926798999357250', kind: 'thread', threadId: '290926798999357250' });
    const noType = { ...guildText.d, channel_type: undefined };
    expect(message(normalizeDiscordMessage(noType, { ...ctx, channel: { type: 12, name: 't' } })).conversation.kind).toBe('thread');
  });

  it('prefers the member nick, then the global name, then the username', () => {
    const nick = { ...guildText.d, member: { ...guildText.d.member, nick: 'Nick' }, author: { ...guildText.d.author, global_name: 'Global' } };
    expect(message(normalizeDiscordMessage(nick, ctx)).actor.displayName).toBe('Nick');
    const global = { ...guildText.d, author: { ...guildText.d.author, global_name: 'Global' } };
    expect(message(normalizeDiscordMessage(global, ctx)).actor.displayName).toBe('Global');
  });

  it("ignores the bot's own messages, other bots, webhooks, system messages, group DMs and empty content", () => {
    const own = { ...dmText.d, author: { ...dmText.d.author, id: ctx.botUserId } };
    expect(normalizeDiscordMessage(own, ctx)).toEqual({ kind: 'ignored', reason: 'own message' });
    expect(normalizeDiscordMessage({ ...dmText.d, author: { ...dmText.d.author, bot: true } }, ctx)).toEqual({ kind: 'ignored', reason: 'message from a bot' });
    expect(normalizeDiscordMessage({ ...dmText.d, webhook_id: '1' }, ctx)).toMatchObject({ kind: 'ignored' });
    expect(normalizeDiscordMessage({ ...guildText.d, type: 7 }, ctx)).toMatchObject({ kind: 'ignored', reason: 'system message (type 7)' });
    expect(normalizeDiscordMessage({ ...dmText.d, channel_type: 3 }, ctx)).toMatchObject({ kind: 'ignored' });
    expect(normalizeDiscordMessage({ ...guildText.d, content: '' }, ctx)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('non-text') });
  });

  it('names the offending field of a malformed payload', () => {
    expect(normalizeDiscordMessage({ ...dmText.d, author: undefined }, ctx)).toMatchObject({ kind: 'invalid', field: 'author', platformMessageId: dmText.d.id });
    expect(normalizeDiscordMessage({ ...dmText.d, channel_id: 'x' }, ctx)).toMatchObject({ kind: 'invalid', field: 'channel_id' });
    expect(normalizeDiscordMessage(null, ctx)).toMatchObject({ kind: 'invalid' });
  });
});
