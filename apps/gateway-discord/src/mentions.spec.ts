import guildText from '@twokey/test-support/fakes/discord/fixtures/guild-text.MESSAGE_CREATE.composed.json';
import { extractCandidate } from '@twokey/pairing-domain';
import { normalizeDiscordMessage } from './normalize';

const BOT = '1000000000000000001';
const ctx = { connection: 'discord', botUserId: BOT, receivedAt: new Date('2025-01-01T00:00:00Z') };
/** A `mentions[]` entry as the gateway sends it in a guild: a user object with a partial member. */
const botUser = { id: BOT, username: 'twokey-acceptance-bot', global_name: 'Twokey Acceptance Bot', bot: true, member: { nick: null, roles: [] } };
const ada = { id: '2000000000000000002', username: 'ada', global_name: 'Ada Lovelace', member: { nick: 'Countess', roles: [] } };

const inGuild = (content: string, mentions: object[], extra: object = {}) => ({ ...guildText.d, content, mentions, ...extra });

describe('Discord: the bot mention by <@id> and mentions[] (issue 19)', () => {
  it.each<[string, string, object[], string]>([
    ['<@id> before the code (a multi-word bot name)', `<@${BOT}> K7QM-2ZXD`, [botUser], 'K7QM-2ZXD'],
    ['<@!id>, the nickname form', `<@!${BOT}> K7QM-2ZXD`, [botUser], 'K7QM-2ZXD'],
    ['the mention after the code', `K7QM-2ZXD <@${BOT}>`, [botUser], 'K7QM-2ZXD'],
    ['two mentions: the bot, and another user named', `<@${BOT}> ask <@${ada.id}> about it`, [botUser, ada], 'ask @Countess about it'],
    ['the bot twice', `<@${BOT}> hi <@!${BOT}>`, [botUser], 'hi'],
  ])('%s', (_label, content, mentions, expected) => {
    expect(normalizeDiscordMessage(inGuild(content, mentions), ctx)).toMatchObject({ kind: 'message', message: { text: expected, mentionedBot: true } });
  });

  it("another user's mention becomes their name; the bot unaddressed stays unmarked", () => {
    const r = normalizeDiscordMessage(inGuild(`hi <@${ada.id}> and <@3000000000000000003>`, [ada]), ctx);
    expect(r.kind === 'message' && r.message.text).toBe('hi @Countess and <@3000000000000000003>');
    expect(r.kind === 'message' && r.message.mentionedBot).toBeUndefined();
  });

  it('a mention inside a thread keeps the thread', () => {
    const r = normalizeDiscordMessage(inGuild(`<@${BOT}> K7QM-2ZXD`, [botUser], { channel_type: 11 }), ctx);
    expect(r).toMatchObject({ kind: 'message', message: { text: 'K7QM-2ZXD', mentionedBot: true, conversation: { kind: 'thread' } } });
    expect(r.kind === 'message' && extractCandidate(r.message.text)).toBe('K7QM2ZXD');
  });

  it('malformed mentions[] never lose the message', () => {
    const r = normalizeDiscordMessage(inGuild(`<@${BOT}> hi`, [{ id: 'x' }]), ctx);
    expect(r).toMatchObject({ kind: 'message', message: { text: 'hi', mentionedBot: true } });
  });
});
