import { InboundMessage, MAX_TEXT_LENGTH } from '@twokey/contracts';
import dmText from '@twokey/test-support/fakes/telegram/fixtures/dm-text.update.json';
import dmEdited from '@twokey/test-support/fakes/telegram/fixtures/dm-edited.update.json';
import forumTopic from '@twokey/test-support/fakes/telegram/fixtures/forum-topic-text.message.json';
import groupText from '@twokey/test-support/fakes/telegram/fixtures/group-text.update.json';
import { normalizeTelegramUpdate } from './normalize';

const ctx = { connection: 'telegram', botId: 7530215388, receivedAt: new Date('2025-01-01T00:00:00Z') };
const message = (r: ReturnType<typeof normalizeTelegramUpdate>): InboundMessage => {
  if (r.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(r)}`);
  return InboundMessage.parse(r.message);
};
/** The forum fixture is a message the bot sent; as a person's message it is the same shape with another sender. */
const person = { id: 1998627310, is_bot: false, first_name: 'Salvatore', username: 'SalvatoreGF' };

describe('normalizeTelegramUpdate', () => {
  it('turns a private chat message (the documented sample) into a DM with the stable ids', () => {
    expect(message(normalizeTelegramUpdate(dmText, ctx))).toEqual({
      schemaVersion: 1,
      connection: 'telegram',
      platform: 'telegram',
      platformMessageId: '1111111:1365',
      sentAt: '2015-09-07T17:05:32.000Z',
      receivedAt: '2025-01-01T00:00:00.000Z',
      actor: { id: '1111111', displayName: 'Test Firstname Test Lastname', username: 'Testusername' },
      conversation: { id: '1111111', kind: 'dm' },
      text: '/start',
    });
  });

  it('passes a /start deep link with its code through unchanged', () => {
    const update = { ...dmText, message: { ...dmText.message, text: '/start ABCD-EFGH' } };
    expect(message(normalizeTelegramUpdate(update, ctx)).text).toBe('/start ABCD-EFGH');
  });

  it('puts a basic group message in the telegram-group space (a real capture)', () => {
    const m = message(normalizeTelegramUpdate(groupText, ctx));
    expect(m.conversation).toEqual({ id: '-4868817417', kind: 'group', title: 'Конор' });
    expect(m.space).toEqual({ id: '-4868817417', kind: 'telegram-group', title: 'Конор' });
    expect(m.actor).toEqual({ id: '1065236568', displayName: 'Андрей Петрица', username: 'Acrosspaper' });
    expect(m.platformMessageId).toBe('-4868817417:17');
  });

  it('puts a forum topic message in the supergroup space with the topic as threadId', () => {
    const m = message(normalizeTelegramUpdate({ update_id: 1, message: { ...forumTopic, from: person } }, ctx));
    expect(m.conversation).toEqual({ id: '-1002271335705', kind: 'supergroup', title: 'Arls Rafael Loduca', threadId: '2' });
    expect(m.space).toEqual({ id: '-1002271335705', kind: 'telegram-supergroup', title: 'Arls Rafael Loduca' });
    expect(m.platformMessageId).toBe('-1002271335705:186');
  });

  it("ignores the bot's own message and other bots' messages", () => {
    expect(normalizeTelegramUpdate({ update_id: 1, message: forumTopic }, ctx)).toEqual({ kind: 'ignored', reason: 'own message' });
    const otherBot = { update_id: 2, message: { ...forumTopic, from: { ...forumTopic.from, id: 42 } } };
    expect(normalizeTelegramUpdate(otherBot, ctx)).toEqual({ kind: 'ignored', reason: 'message from a bot' });
  });

  it('ignores edits, so an edited message never re-triggers a decision', () => {
    expect(normalizeTelegramUpdate(dmEdited, ctx)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('edited message') });
  });

  it('ignores non-text messages, channel posts and messages sent on behalf of a chat', () => {
    const photo = { ...dmText.message, text: undefined, photo: [{ file_id: 'x' }], caption: 'ABCD-EFGH' };
    expect(normalizeTelegramUpdate({ update_id: 3, message: photo }, ctx)).toEqual({ kind: 'ignored', reason: 'non-text message' });
    expect(normalizeTelegramUpdate({ update_id: 4, channel_post: dmText.message }, ctx)).toMatchObject({ kind: 'ignored' });
    const anonymous = { ...groupText.message, from: undefined, sender_chat: { id: -4868817417, type: 'group' } };
    expect(normalizeTelegramUpdate({ update_id: 5, message: anonymous }, ctx)).toMatchObject({ kind: 'ignored' });
  });

  it('names the offending field of a malformed update, and the message id when it has one', () => {
    expect(normalizeTelegramUpdate({ message: {} }, ctx)).toMatchObject({ kind: 'invalid', field: 'update_id' });
    const noChat = { update_id: 6, message: { ...dmText.message, chat: undefined } };
    expect(normalizeTelegramUpdate(noChat, ctx)).toMatchObject({ kind: 'invalid', field: 'message.chat' });
    const badFrom = { update_id: 7, message: { ...dmText.message, from: { id: 'x' } } };
    expect(normalizeTelegramUpdate(badFrom, ctx)).toMatchObject({ kind: 'invalid', field: 'message.from.id', platformMessageId: '1111111:1365' });
    expect(normalizeTelegramUpdate('not an update', ctx)).toMatchObject({ kind: 'invalid' });
  });

  it('keeps odd Unicode text intact and clips over-long names instead of losing the message', () => {
    const text = 'e\u0301 \u202Eevil\u202C \u200B\uFEFF 𝔘𝔫𝔦 👩‍👩‍👧 \uD800';
    const longName = 'N'.repeat(300) + '😀';
    const update = { update_id: 8, message: { ...dmText.message, text, from: { ...dmText.message.from, first_name: longName, last_name: undefined } } };
    const m = message(normalizeTelegramUpdate(update, ctx));
    expect(m.text).toBe(text);
    expect(m.actor.displayName.length).toBeLessThanOrEqual(256);
  });

  it('leaves over-long text to the contract, which rejects it at the edge', () => {
    const update = { update_id: 9, message: { ...dmText.message, text: 'x'.repeat(MAX_TEXT_LENGTH + 1) } };
    const r = normalizeTelegramUpdate(update, ctx);
    expect(r.kind === 'message' && InboundMessage.safeParse(r.message).success).toBe(false);
  });
});
