import { InboundMessage } from '@twokey/contracts';
import channels from '@twokey/test-support/fakes/slack/fixtures/message.channels.event_callback.json';
import im from '@twokey/test-support/fakes/slack/fixtures/message.im.event_callback.json';
import mpim from '@twokey/test-support/fakes/slack/fixtures/message.mpim.event_callback.json';
import socketEnvelope from '@twokey/test-support/fakes/slack/fixtures/socket-mode.events_api.message.json';
import { normalizeSlackEvent } from './normalize';

const ctx = { connection: 'slack', botUserId: 'U0BOT00001', botId: 'B0BOT00001', receivedAt: new Date('2025-01-01T00:00:00Z') };
const message = (r: ReturnType<typeof normalizeSlackEvent>): InboundMessage => {
  if (r.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(r)}`);
  return InboundMessage.parse(r.message);
};
const withEvent = (body: typeof im, event: Record<string, unknown>) => ({ ...body, event: { ...body.event, ...event } });

describe('normalizeSlackEvent', () => {
  it('turns an im message (documented example) into a DM, with names resolved by the adapter', () => {
    expect(message(normalizeSlackEvent(im, { ...ctx, names: { displayName: 'Spock', username: 'spock' } }))).toEqual({
      schemaVersion: 1,
      connection: 'slack',
      platform: 'slack',
      platformMessageId: 'D024BE91L:1355517523.000005',
      sentAt: '2012-12-14T20:38:43.000Z',
      receivedAt: '2025-01-01T00:00:00.000Z',
      actor: { id: 'U2147483697', displayName: 'Spock', username: 'spock' },
      conversation: { id: 'D024BE91L', kind: 'dm' },
      text: 'Hello hello can you hear me?',
    });
  });

  it('falls back to the user id as display name when the look-up failed', () => {
    expect(message(normalizeSlackEvent(im, ctx)).actor).toEqual({ id: 'U2147483697', displayName: 'U2147483697' });
  });

  it('M6: a Slack Connect channel (is_ext_shared_channel, or another context team) is its own space, not the workspace', () => {
    const ext = message(normalizeSlackEvent({ ...channels, is_ext_shared_channel: true }, ctx));
    expect(ext.space).toEqual({ id: 'C123ABC456', kind: 'slack-connect-channel' });
    const foreign = message(normalizeSlackEvent({ ...channels, context_team_id: 'T0PARTNER1' }, ctx));
    expect(foreign.space).toEqual({ id: 'C123ABC456', kind: 'slack-connect-channel' });
    const foreignToInstall = message(normalizeSlackEvent({ ...channels, context_team_id: 'T123ABC456' }, { ...ctx, teamId: 'T0OURS0001' }));
    expect(foreignToInstall.space).toEqual({ id: 'C123ABC456', kind: 'slack-connect-channel' });
    const ours = message(normalizeSlackEvent({ ...channels, is_ext_shared_channel: false, context_team_id: 'T123ABC456' }, { ...ctx, teamId: 'T123ABC456' }));
    expect(ours.space).toEqual({ id: 'T123ABC456', kind: 'slack-workspace' });
    const dmShared = message(normalizeSlackEvent({ ...im, is_ext_shared_channel: true }, ctx));
    expect(dmShared.space).toBeUndefined();
  });

  it('puts channel and mpim messages in the workspace space (team_id)', () => {
    const c = message(normalizeSlackEvent(channels, ctx));
    expect(c.conversation).toEqual({ id: 'C123ABC456', kind: 'channel' });
    expect(c.space).toEqual({ id: 'T123ABC456', kind: 'slack-workspace' });
    const g = message(normalizeSlackEvent(mpim, ctx));
    expect(g.conversation).toEqual({ id: 'G024BE91L', kind: 'group' });
    expect(g.space).toEqual({ id: 'T061EG9R6', kind: 'slack-workspace' });
  });

  it('keeps the workspace as the space under an enterprise, and treats a private channel as shared', () => {
    const grid = { ...channels, enterprise_id: 'E0ORG00001', event: { ...channels.event, channel_type: 'group', channel: 'G0PRIVATE1' } };
    const m = message(normalizeSlackEvent(grid, ctx));
    expect(m.space).toEqual({ id: 'T123ABC456', kind: 'slack-workspace' });
    expect(m.conversation.kind).toBe('channel');
  });

  it('sets threadId from thread_ts for a reply, not for the thread parent itself', () => {
    expect(message(normalizeSlackEvent(withEvent(channels, { thread_ts: '1355517500.000001' }), ctx)).conversation.threadId).toBe('1355517500.000001');
    expect(message(normalizeSlackEvent(withEvent(channels, { thread_ts: channels.event.ts }), ctx)).conversation.threadId).toBeUndefined();
  });

  it('infers the conversation from the channel id when channel_type is missing (the SDK fixture)', () => {
    const m = message(normalizeSlackEvent(socketEnvelope.payload, ctx));
    expect(m.conversation).toEqual({ id: 'C111', kind: 'channel' });
    expect(m.space).toEqual({ id: 'T111', kind: 'slack-workspace' });
    expect(m.platformMessageId).toBe('C111:1610241741.000200');
  });

  it("ignores the bot's own messages, other bots, edits, other subtypes and non-text", () => {
    expect(normalizeSlackEvent(withEvent(im, { user: ctx.botUserId }), ctx)).toEqual({ kind: 'ignored', reason: 'own message' });
    expect(normalizeSlackEvent(withEvent(im, { bot_id: 'B0OTHER' }), ctx)).toEqual({ kind: 'ignored', reason: 'message from a bot' });
    expect(normalizeSlackEvent(withEvent(im, { subtype: 'bot_message' }), ctx)).toEqual({ kind: 'ignored', reason: 'message from a bot' });
    expect(normalizeSlackEvent(withEvent(im, { subtype: 'message_changed' }), ctx)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('edited') });
    expect(normalizeSlackEvent(withEvent(im, { subtype: 'channel_join' }), ctx)).toEqual({ kind: 'ignored', reason: 'message subtype channel_join' });
    expect(normalizeSlackEvent(withEvent(im, { text: '' }), ctx)).toEqual({ kind: 'ignored', reason: 'non-text message' });
    expect(normalizeSlackEvent({ ...im, event: { type: 'app_mention' } }, ctx)).toEqual({ kind: 'ignored', reason: 'event type app_mention' });
  });

  it('accepts a thread broadcast as a message', () => {
    expect(normalizeSlackEvent(withEvent(channels, { subtype: 'thread_broadcast', thread_ts: '1.1' }), ctx).kind).toBe('message');
  });

  it('names the offending field of a malformed event', () => {
    expect(normalizeSlackEvent(withEvent(im, { ts: 'soon' }), ctx)).toMatchObject({ kind: 'invalid', field: 'event.ts', platformMessageId: 'D024BE91L:soon' });
    expect(normalizeSlackEvent(withEvent(im, { user: undefined }), ctx)).toMatchObject({ kind: 'invalid', field: 'event.user' });
    expect(normalizeSlackEvent({ ...im, team_id: undefined }, ctx)).toMatchObject({ kind: 'invalid', field: 'team_id' });
    expect(normalizeSlackEvent([], ctx)).toMatchObject({ kind: 'invalid' });
  });
});
