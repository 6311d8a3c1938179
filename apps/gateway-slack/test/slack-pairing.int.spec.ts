/**
 * End to end: signed Events API requests → gateway-slack (Bolt, HTTP mode) → NATS → the real pairing-service
 * (in process), with the fake Slack Web API behind Bolt. Silent denial is asserted on the fake's call log;
 * admission on `<prefix>.admitted.slack`.
 */
import { JsonLogger } from '@twokey/service-kit';
import { FakeSlack, messageEventCallback, MessageEventOptions, signedEventRequest } from '@twokey/test-support/fakes/slack';
import { settle } from '@twokey/test-support/gateway-harness';
import { admittedWithId, inConversation, PairingEndToEnd, startPairingEndToEnd } from '@twokey/test-support/pairing-e2e';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the end-to-end test runs the real pairing-service in process
import { createPairingService } from '../../pairing-service/src/pairing-service';
import { SlackAdapter } from '../src/slack-adapter';

const BOT_TOKEN = 'xoxb-1111-2222-e2etoken';
const SIGNING_SECRET = 'slack-e2e-signing-secret-0123456789';
const TEAM = 'T0FAKE0001';
const quiet = new JsonLogger('test', 'error', { write: () => undefined });
const alice = { id: 'U0ALICE001', name: 'alice', real_name: 'Alice Liddell' };
const mallory = { id: 'U0MALLORY1', name: 'mallory' };

describe('gateway-slack with the pairing-service (end to end)', () => {
  let fake: FakeSlack;
  let e2e: PairingEndToEnd;
  const send = async (o: Partial<MessageEventOptions> & Pick<MessageEventOptions, 'user' | 'channel' | 'text'>, retryNum?: number) => {
    const body = messageEventCallback({ teamId: TEAM, ts: fake.nextTs(), channelType: o.channel.startsWith('D') ? 'im' : 'channel', ...o });
    const res = await signedEventRequest(`${e2e.gw.httpUrl}/slack/events`, body, { signingSecret: SIGNING_SECRET, retryNum });
    expect(res.status).toBe(200);
    const e = body.event as { channel: string; ts: string };
    return { body, id: `${e.channel}:${e.ts}` };
  };

  beforeAll(async () => {
    fake = await FakeSlack.start({ botToken: BOT_TOKEN, teamId: TEAM, users: [alice, mallory] });
    e2e = await startPairingEndToEnd({
      platform: 'slack',
      createPairingService,
      adapter: () => new SlackAdapter({ connection: 'slack', botToken: BOT_TOKEN, mode: 'http', signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl, logger: quiet }),
    });
  });
  afterAll(async () => {
    await e2e?.stop();
    await fake?.close();
  });

  it("denies a stranger's DM and channel message silently: zero calls a user would notice", async () => {
    await send({ user: mallory.id, channel: 'D0MALLORY1', text: 'let me in' });
    await send({ user: mallory.id, channel: 'C0GENERAL1', text: `<@${fake.bot.userId}> ABCD-EFGH` });
    const dmDenial = await e2e.denied(inConversation('D0MALLORY1'));
    expect(dmDenial.data).toMatchObject({ reason: 'user-not-allowlisted', actor: { id: mallory.id }, count: 1 });
    const spaceDenial = await e2e.denied(inConversation('C0GENERAL1'));
    expect(spaceDenial.data.space).toMatchObject({ id: TEAM, kind: 'slack-workspace' });
    await settle();
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.admitted.items).toEqual([]);
  });

  it('pairs a user by DM, then admits her messages once each, retries included', async () => {
    const observed = await e2e.pair(
      'user',
      (code) => send({ user: alice.id, channel: 'D0ALICE001', text: code }),
      (e) => e.data.actor.id === alice.id,
    );
    expect(observed.data.actor).toMatchObject({ id: alice.id, displayName: 'Alice Liddell' });

    const hello = await send({ user: alice.id, channel: 'D0ALICE001', text: 'hello agent' });
    const retry = await signedEventRequest(`${e2e.gw.httpUrl}/slack/events`, hello.body, { signingSecret: SIGNING_SECRET, retryNum: 1 });
    expect(retry.status).toBe(200);
    const m = await e2e.admitted.waitFor(admittedWithId(hello.id));
    expect(m.data.message).toMatchObject({ conversation: { id: 'D0ALICE001', kind: 'dm' }, text: 'hello agent' });
    const next = await send({ user: alice.id, channel: 'D0ALICE001', text: 'second' });
    await e2e.admitted.waitFor(admittedWithId(next.id));
    expect(e2e.admitted.items.filter(admittedWithId(hello.id))).toHaveLength(1);
  });

  it('pairs the workspace as a space through the paired user, then admits her channel messages', async () => {
    const observed = await e2e.pair(
      'space',
      (code) => send({ user: alice.id, channel: 'C0GENERAL1', text: `<@${fake.bot.userId}> ${code}` }),
      (e) => e.data.purpose === 'space',
    );
    // The workspace's name comes from auth.test at start (issue 19: spaces carry titles).
    expect(observed.data.space).toEqual({ id: TEAM, kind: 'slack-workspace', title: 'Fake Workspace' });
    const inChannel = await send({ user: alice.id, channel: 'C0GENERAL1', text: 'now in the workspace', threadTs: '1700000000.000001' });
    const m = await e2e.admitted.waitFor(admittedWithId(inChannel.id));
    expect(m.data.message).toMatchObject({ space: { id: TEAM }, conversation: { threadId: '1700000000.000001' } });
    // Issue 19: the bot's mention (labelled, a multi-word name) goes, another user's reads as their name, in a thread.
    const ask = await send({ user: alice.id, channel: 'C0GENERAL1', text: `<@${fake.bot.userId}|Twokey Acceptance Bot> ask <@${alice.id}> about it`, threadTs: '1700000000.000001' });
    const asked = await e2e.admitted.waitFor(admittedWithId(ask.id));
    expect(asked.data.message).toMatchObject({ text: 'ask @Alice Liddell about it', mentionedBot: true, conversation: { threadId: '1700000000.000001' } });
    expect(fake.userFacingCalls()).toEqual([]);
    expect(e2e.fatal).toEqual([]);
  });

  it('M6: a Slack Connect channel is not part of the paired workspace; it is admitted only once paired itself', async () => {
    const shared = { is_ext_shared_channel: true, context_team_id: 'T0PARTNER1' };
    const before = await send({ user: alice.id, channel: 'C0SHARED01', text: 'hello from a shared channel', envelope: shared });
    const denial = await e2e.denied(inConversation('C0SHARED01'));
    expect(denial.data).toMatchObject({ reason: 'space-not-allowlisted', space: { id: 'C0SHARED01', kind: 'slack-connect-channel' } });
    expect(e2e.admitted.items.filter(admittedWithId(before.id))).toEqual([]);

    const observed = await e2e.pair(
      'space',
      (code) => send({ user: alice.id, channel: 'C0SHARED01', text: `<@${fake.bot.userId}> ${code}`, envelope: shared }),
      (e) => e.data.purpose === 'space' && e.data.space?.id === 'C0SHARED01',
    );
    expect(observed.data.space).toEqual({ id: 'C0SHARED01', kind: 'slack-connect-channel' });
    const after = await send({ user: alice.id, channel: 'C0SHARED01', text: 'now this channel is paired', envelope: shared });
    await e2e.admitted.waitFor(admittedWithId(after.id));
    const other = await send({ user: alice.id, channel: 'C0SHARED02', text: 'another shared channel', envelope: { context_team_id: 'T0PARTNER1' } });
    expect((await e2e.denied(inConversation('C0SHARED02'))).data.space).toEqual({ id: 'C0SHARED02', kind: 'slack-connect-channel' });
    expect(e2e.admitted.items.filter(admittedWithId(other.id))).toEqual([]);
    expect(fake.userFacingCalls()).toEqual([]);
  });
});
