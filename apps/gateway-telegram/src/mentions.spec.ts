import groupText from '@twokey/test-support/fakes/telegram/fixtures/group-text.update.json';
import forumTopic from '@twokey/test-support/fakes/telegram/fixtures/forum-topic-text.message.json';
import { extractCandidate } from '@twokey/pairing-domain';
import { normalizeTelegramUpdate } from './normalize';

/** The bot of the forum fixture, named "Twokey Acceptance Bot" for the text_mention cases. */
const ctx = { connection: 'telegram', botId: 7530215388, botUsername: 'bodao_corp_bot', receivedAt: new Date('2025-01-01T00:00:00Z') };
const person = { id: 1998627310, is_bot: false, first_name: 'Salvatore', username: 'SalvatoreGF' };
const bot = { id: 7530215388, is_bot: true, first_name: 'Twokey Acceptance Bot', username: 'bodao_corp_bot' };
const other = { id: 42, is_bot: false, first_name: 'Ada' };

type Entity = { type: string; offset: number; length: number; user?: object };
const entity = (text: string, type: string, written: string, user?: object): Entity => ({ type, offset: text.indexOf(written), length: written.length, ...(user ? { user } : {}) });

function inGroup(text: string, entities: Entity[]) {
  return { update_id: 1, message: { ...groupText.message, text, entities } };
}

describe('Telegram: the bot mention by entities (issue 19)', () => {
  it.each<[string, string, (t: string) => Entity[], string]>([
    ['@username mention before the code', '@bodao_corp_bot K7QM-2ZXD', (t) => [entity(t, 'mention', '@bodao_corp_bot')], 'K7QM-2ZXD'],
    ['mention in other capitals', '@Bodao_Corp_Bot K7QM-2ZXD', (t) => [entity(t, 'mention', '@Bodao_Corp_Bot')], 'K7QM-2ZXD'],
    ['the mention after the code', 'K7QM-2ZXD @bodao_corp_bot', (t) => [entity(t, 'mention', '@bodao_corp_bot')], 'K7QM-2ZXD'],
    ['a multi-word text_mention of the bot', 'Twokey Acceptance Bot K7QM-2ZXD', (t) => [entity(t, 'text_mention', 'Twokey Acceptance Bot', bot)], 'K7QM-2ZXD'],
    [
      'two mentions: the bot and another user (kept as written)',
      '@bodao_corp_bot ask Ada about it',
      (t) => [entity(t, 'mention', '@bodao_corp_bot'), entity(t, 'text_mention', 'Ada', other)],
      'ask Ada about it',
    ],
    ['/start@botname keeps the command', '/start@bodao_corp_bot K7QM-2ZXD', (t) => [entity(t, 'bot_command', '/start@bodao_corp_bot')], '/start K7QM-2ZXD'],
  ])('%s', (_label, text, entities, expected) => {
    const r = normalizeTelegramUpdate(inGroup(text, entities(text)), ctx);
    expect(r).toMatchObject({ kind: 'message', message: { text: expected, mentionedBot: true } });
  });

  it('leaves another bot or user mentioned alone, and mentionedBot unset', () => {
    const text = '@other_bot /pair@other_bot K7QM-2ZXD';
    const r = normalizeTelegramUpdate(inGroup(text, [entity(text, 'mention', '@other_bot'), entity(text, 'bot_command', '/pair@other_bot')]), ctx);
    expect(r.kind === 'message' && r.message).toMatchObject({ text });
    expect(r.kind === 'message' && r.message.mentionedBot).toBeUndefined();
  });

  it('a mention inside a forum topic keeps the topic as threadId', () => {
    const text = '@bodao_corp_bot K7QM-2ZXD';
    const update = { update_id: 2, message: { ...forumTopic, from: person, text, entities: [entity(text, 'mention', '@bodao_corp_bot')] } };
    const r = normalizeTelegramUpdate(update, ctx);
    expect(r).toMatchObject({ kind: 'message', message: { text: 'K7QM-2ZXD', mentionedBot: true, conversation: { threadId: '2' } } });
  });

  it('offsets count UTF-16 units (an emoji before the mention)', () => {
    const text = '😄 @bodao_corp_bot K7QM-2ZXD';
    const r = normalizeTelegramUpdate(inGroup(text, [{ type: 'mention', offset: 3, length: 15 }]), ctx);
    expect(r).toMatchObject({ kind: 'message', message: { text: '😄 K7QM-2ZXD', mentionedBot: true } });
  });

  it('broken entities never lose the message', () => {
    const r = normalizeTelegramUpdate(inGroup('@bodao_corp_bot hi', [{ type: 'mention', offset: -1, length: 'x' } as unknown as Entity]), ctx);
    expect(r).toMatchObject({ kind: 'message', message: { text: '@bodao_corp_bot hi' } });
  });

  it('the code after a multi-word bot name is recognised once the mention is gone', () => {
    const text = 'Twokey Acceptance Bot K7QM-2ZXD';
    const r = normalizeTelegramUpdate(inGroup(text, [entity(text, 'text_mention', 'Twokey Acceptance Bot', bot)]), ctx);
    expect(r.kind === 'message' && extractCandidate(r.message.text)).toBe('K7QM2ZXD');
  });
});
