import channels from '@twokey/test-support/fakes/slack/fixtures/message.channels.event_callback.json';
import socketEnvelope from '@twokey/test-support/fakes/slack/fixtures/socket-mode.events_api.message.json';
import { extractCandidate } from '@twokey/pairing-domain';
import { normalizeSlackEvent } from './normalize';

const ctx = { connection: 'slack', botUserId: 'U0BOT00001', botId: 'B0BOT00001', receivedAt: new Date('2025-01-01T00:00:00Z') };
const say = (text: string, event: Record<string, unknown> = {}) => ({ ...channels, event: { ...channels.event, text, ...event } });

describe('Slack: the bot mention <@U…> of the bot user (issue 19)', () => {
  it.each([
    ['before the code', '<@U0BOT00001> K7QM-2ZXD', 'K7QM-2ZXD'],
    ['with a label (a multi-word bot name)', '<@U0BOT00001|Twokey Acceptance Bot> K7QM-2ZXD', 'K7QM-2ZXD'],
    ['after the code', 'K7QM-2ZXD <@U0BOT00001>', 'K7QM-2ZXD'],
    ['two mentions: the bot and a labelled user', '<@U0BOT00001> ask <@U0ADA0001|ada> about it', 'ask @ada about it'],
  ])('%s', (_label, text, expected) => {
    expect(normalizeSlackEvent(say(text), ctx)).toMatchObject({ kind: 'message', message: { text: expected, mentionedBot: true } });
  });

  it('another user becomes their cached name, or stays as Slack wrote it; the bot unaddressed stays unmarked', () => {
    const r = normalizeSlackEvent(say('hi <@U0ADA0001> and <@W0BOB0001>'), { ...ctx, mentionNames: (id: string) => (id === 'U0ADA0001' ? 'Ada' : undefined) });
    expect(r.kind === 'message' && r.message.text).toBe('hi @Ada and <@W0BOB0001>');
    expect(r.kind === 'message' && r.message.mentionedBot).toBeUndefined();
  });

  it('a mention in a thread reply keeps the thread', () => {
    const r = normalizeSlackEvent(say('<@U0BOT00001> K7QM-2ZXD', { thread_ts: '1355517500.000001' }), ctx);
    expect(r).toMatchObject({ kind: 'message', message: { text: 'K7QM-2ZXD', mentionedBot: true, conversation: { threadId: '1355517500.000001' } } });
    expect(r.kind === 'message' && extractCandidate(r.message.text)).toBe('K7QM2ZXD');
  });

  it('the Socket Mode sample (an app_mention-shaped message) is addressed to its bot U111', () => {
    expect(normalizeSlackEvent(socketEnvelope.payload, { ...ctx, botUserId: 'U111' })).toMatchObject({ kind: 'message', message: { text: '', mentionedBot: true } });
  });
});
