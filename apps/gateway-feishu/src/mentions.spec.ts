import { readFileSync } from 'node:fs';
import path from 'node:path';
import { extractCandidate } from '@twokey/pairing-domain';
import { normalizeReceiveMessage } from './normalize';

/** The docs group example as the SDK's EventDispatcher hands it over: header fields and event fields side by side. */
const docs = JSON.parse(readFileSync(path.join(__dirname, '../test/fixtures/im.message.receive_v1.group.docs.json'), 'utf8'));
const docsGroup = { ...docs.header, ...docs.event };
const BOT = 'ou_bot0000000000000000000000000000';
const ctx = { connection: 'feishu', receivedAt: new Date('2026-01-01T00:00:00.000Z'), botOpenId: BOT };
/** A mentions[] entry as Feishu sends it (cf. the docs group example); the bot's carries the bot's open_id. */
const mention = (key: string, openId: string, name: string) => ({ key, id: { union_id: 'on_x', user_id: '', open_id: openId }, name, tenant_key: '736588c9260f175e' });
const botMention = (key = '@_user_1') => mention(key, BOT, 'Twokey Acceptance Bot');
const tom = (key = '@_user_2') => mention(key, 'ou_84aad35d084aa403a838cf73ee18467', 'Tom');

const inGroup = (text: string, mentions: object[], message: Record<string, unknown> = {}) => ({
  ...docsGroup,
  message: { ...docsGroup.message, content: JSON.stringify({ text }), mentions, ...message },
});

describe('Feishu: the bot mention by mentions[] (issue 19)', () => {
  it.each<[string, string, object[], string]>([
    ['@<three-word bot name> CODE', '@_user_1 K7QM-2ZXD', [botMention()], 'K7QM-2ZXD'],
    ['the mention after the code', 'K7QM-2ZXD @_user_1', [botMention()], 'K7QM-2ZXD'],
    ['two mentions: the bot and Tom (named)', '@_user_1 ask @_user_2 about it', [botMention(), tom()], 'ask @Tom about it'],
    ['the bot as the second key', '@_user_1 hi @_user_2', [tom('@_user_1'), botMention('@_user_2')], '@Tom hi'],
    ['@_user_1 never taken for a part of @_user_10', '@_user_10 hi @_user_1', [botMention('@_user_10'), tom('@_user_1')], 'hi @Tom'],
  ])('%s', (_label, text, mentions, expected) => {
    const r = normalizeReceiveMessage(inGroup(text, mentions), ctx);
    expect(r).toMatchObject({ kind: 'message', message: { text: expected, mentionedBot: true } });
  });

  it('the code after the bot mention is recognised (the failure the issue found)', () => {
    const r = normalizeReceiveMessage(inGroup('@_user_1 K7QM-2ZXD', [botMention()]), ctx);
    expect(r.kind === 'message' && extractCandidate(r.message.text)).toBe('K7QM2ZXD');
  });

  it('the docs example mentions Tom, not the bot: his name stays, mentionedBot unset', () => {
    const r = normalizeReceiveMessage(docsGroup, ctx);
    expect(r.kind === 'message' && r.message.text).toBe('@Tom hello');
    expect(r.kind === 'message' && r.message.mentionedBot).toBeUndefined();
  });

  it('a mention inside a thread (topic) keeps the thread', () => {
    const r = normalizeReceiveMessage(inGroup('@_user_1 K7QM-2ZXD', [botMention()], { chat_type: 'topic_group', root_id: 'om_root' }), ctx);
    expect(r).toMatchObject({ kind: 'message', message: { text: 'K7QM-2ZXD', mentionedBot: true, conversation: { threadId: 'om_root' } } });
  });

  it('without the bot identity known, nothing is taken for the bot', () => {
    const r = normalizeReceiveMessage(inGroup('@_user_1 K7QM-2ZXD', [botMention()]), { ...ctx, botOpenId: undefined });
    expect(r).toMatchObject({ kind: 'message', message: { text: '@Twokey Acceptance Bot K7QM-2ZXD' } });
  });
});
