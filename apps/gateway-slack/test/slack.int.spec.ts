/**
 * gateway-slack over real NATS, with Bolt (unmodified) against a local fake of Slack's Web API: Events API over
 * HTTP (signed requests to the gateway's own HTTP server) and Socket Mode.
 */
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeSlack, messageEventCallback, MessageEventOptions, signedEventRequest } from '@twokey/test-support/fakes/slack';
import { CapturingLogger, GatewayUnderTest, settle, startGatewayUnderTest, until } from '@twokey/test-support/gateway-harness';
import { openRaw } from '@twokey/test-support/raw-http';
import { SLACK_MAX_EVENT_BYTES, SlackAdapter } from '../src/slack-adapter';

const BOT_TOKEN = 'xoxb-1111-2222-faketoken';
const APP_TOKEN = 'xapp-1-A0FAKE0001-fakeapptoken';
const SIGNING_SECRET = 'slack-signing-secret-0123456789abcdef';
const TEAM = 'T0FAKE0001';
const alice = { id: 'U0ALICE001', name: 'alice', real_name: 'Alice Liddell', display_name: 'alice.l' };

describe('gateway-slack (Events API over HTTP) against the fake Slack', () => {
  let nats: NatsHarness;
  let fake: FakeSlack;
  let gw: GatewayUnderTest;
  let events: string;
  const logger = new CapturingLogger();
  const msg = (o: Partial<MessageEventOptions> & Pick<MessageEventOptions, 'channel' | 'text'>) =>
    messageEventCallback({ user: alice.id, teamId: TEAM, ts: fake.nextTs(), channelType: 'im', ...o });
  const post = (body: unknown, extra: Parameters<typeof signedEventRequest>[2] extends infer O ? Partial<O> : never = {}) =>
    signedEventRequest(events, body, { signingSecret: SIGNING_SECRET, ...extra });
  const byId = (id: string) => (m: { data: { platformMessageId: string } }) => m.data.platformMessageId === id;
  const idOf = (b: Record<string, unknown>) => {
    const e = b.event as { channel: string; ts: string };
    return `${e.channel}:${e.ts}`;
  };

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeSlack.start({ botToken: BOT_TOKEN, teamId: TEAM, users: [alice] });
    const adapter = new SlackAdapter({ connection: 'slack', botToken: BOT_TOKEN, mode: 'http', signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl, logger });
    gw = await startGatewayUnderTest({ nats, platform: 'slack', adapter, logger });
    events = `${gw.httpUrl}/slack/events`;
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  it('turns a DM into exactly one InboundMessage, with the display name from users.info', async () => {
    const body = msg({ channel: 'D0ALICE001', text: 'hello bot' });
    expect((await post(body)).status).toBe(200);
    const m = await gw.inbound.waitFor(byId(idOf(body)));
    expect(m.msgId).toBe(`slack:${idOf(body)}`);
    expect(m.data).toMatchObject({
      platform: 'slack',
      actor: { id: alice.id, displayName: 'alice.l', username: 'alice' },
      conversation: { id: 'D0ALICE001', kind: 'dm' },
      text: 'hello bot',
    });
    expect(m.data.space).toBeUndefined();
    expect(fake.calls('users.info')).toEqual([expect.objectContaining({ user: alice.id })]);
  });

  it('puts channel and group-DM messages in the workspace space, and a thread reply in its thread', async () => {
    const channel = msg({ channel: 'C0GENERAL1', channelType: 'channel', text: 'in a channel' });
    const mpim = msg({ channel: 'G0GROUPDM1', channelType: 'mpim', text: 'in a group DM' });
    const reply = msg({ channel: 'C0GENERAL1', channelType: 'channel', text: 'in a thread', threadTs: (channel.event as { ts: string }).ts });
    for (const b of [channel, mpim, reply]) expect((await post(b)).status).toBe(200);
    const c = await gw.inbound.waitFor(byId(idOf(channel)));
    expect(c.data).toMatchObject({ conversation: { id: 'C0GENERAL1', kind: 'channel' }, space: { id: TEAM, kind: 'slack-workspace' } });
    const g = await gw.inbound.waitFor(byId(idOf(mpim)));
    expect(g.data).toMatchObject({ conversation: { id: 'G0GROUPDM1', kind: 'group' }, space: { id: TEAM, kind: 'slack-workspace' } });
    const r = await gw.inbound.waitFor(byId(idOf(reply)));
    expect(r.data.conversation.threadId).toBe((channel.event as { ts: string }).ts);
    // users.info is cached: one look-up for alice in the whole suite.
    expect(fake.calls('users.info')).toHaveLength(1);
  });

  it("ignores the bot's own messages, other bots and edits", async () => {
    const before = gw.inbound.items.length;
    await post(msg({ channel: 'C0GENERAL1', channelType: 'channel', text: 'my own', user: fake.bot.userId }));
    await post(msg({ channel: 'C0GENERAL1', channelType: 'channel', text: 'beep', user: 'U0OTHERBOT', extra: { bot_id: 'B0OTHER001', subtype: 'bot_message' } }));
    await post(msg({ channel: 'D0ALICE001', text: '', extra: { subtype: 'message_changed', message: { text: 'edited' } } }));
    const marker = msg({ channel: 'D0ALICE001', text: 'marker' });
    await post(marker);
    await gw.inbound.waitFor(byId(idOf(marker)));
    expect(gw.inbound.items.slice(before).map((m) => m.data.text)).toEqual(['marker']);
  });

  it('acknowledges a retry (X-Slack-Retry-Num) and ignores it as a duplicate', async () => {
    const body = msg({ channel: 'D0ALICE001', text: 'once only' });
    expect((await post(body)).status).toBe(200);
    expect((await post(body, { retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
    expect((await post(body, { retryNum: 2, retryReason: 'http_timeout' })).status).toBe(200);
    await gw.inbound.waitFor(byId(idOf(body)));
    await settle();
    expect(gw.inbound.items.filter(byId(idOf(body)))).toHaveLength(1);
    expect(logger.find('info', 'ignored as a duplicate')).toHaveLength(2);
  });

  it('L5: a request without X-Slack-Signature is refused before its body is read; bodies are capped', async () => {
    const c = await openRaw(gw.gateway.httpPort, 'POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{"type":');
    const { text } = await c.received(300);
    c.socket.destroy();
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
    expect(text).toContain('missing X-Slack-Signature header');
    const big = await openRaw(gw.gateway.httpPort, `POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slack-Signature: v0=00\r\nContent-Length: ${SLACK_MAX_EVENT_BYTES + 1}\r\n\r\n`);
    const tooLarge = await big.received(300);
    big.socket.destroy();
    expect(tooLarge.text).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('refuses wrong and stale signatures with 401, publishing nothing', async () => {
    const forged = msg({ channel: 'D0ALICE001', text: 'forged' });
    expect((await post(forged, { signature: 'v0=' + '0'.repeat(64) })).status).toBe(401);
    expect((await post(forged, { signingSecret: 'another-secret-0123456789abcdef' })).status).toBe(401);
    expect((await post(forged, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect(logger.find('error', 'wrong or stale signature')).toHaveLength(3);
    expect(logger.lines.join('\n')).not.toContain(SIGNING_SECRET);
    await settle();
    expect(gw.inbound.items.filter(byId(idOf(forged)))).toEqual([]);
  });

  it('handles malformed, oversized and odd input with a clear error or DLQ entry, and keeps going', async () => {
    expect((await post('{"type":"event_callback", secret words')).status).toBe(400);
    expect(JSON.stringify(logger.find('error', 'not valid JSON'))).not.toContain('secret words');
    const noUser = msg({ channel: 'D0ALICE001', text: 'who?' });
    delete (noUser.event as Record<string, unknown>).user;
    await post(noUser);
    const badTs = msg({ channel: 'D0ALICE001', text: 'bad ts', ts: 'yesterday' });
    await post(badTs);
    const huge = msg({ channel: 'D0ALICE001', text: 'w'.repeat(64 * 1024) });
    await post(huge);
    const odd = 'Ａ\u200B\u202Eevil\u202C e\u0301 👩‍👩‍👧 <@U0BOT00001> &amp; \uFFFD';
    const oddBody = msg({ channel: 'D0ALICE001', text: odd });
    await post(oddBody);
    const next = msg({ channel: 'D0ALICE001', text: 'still flowing' });
    await post(next);

    const [missingUser, wrongTs, tooBig] = await gw.dlq.waitForCount(3);
    expect(missingUser).toMatchObject({ field: 'event.user', platformMessageId: idOf(noUser) });
    expect(wrongTs).toMatchObject({ field: 'event.ts', reason: expect.stringContaining('Slack timestamp') });
    expect(tooBig).toMatchObject({ field: 'text', platformMessageId: idOf(huge) });
    expect(JSON.stringify(gw.dlq.items)).not.toMatch(/wwww|who\?|bad ts/);
    // Odd text passes as it is, only the bot's own mention goes (issue 19).
    expect((await gw.inbound.waitFor(byId(idOf(oddBody)))).data).toMatchObject({ text: odd.replace(' <@U0BOT00001>', ''), mentionedBot: true });
    await gw.inbound.waitFor(byId(idOf(next)));
  });

  it('sends an outbound SendMessage with chat.postMessage, in the thread', async () => {
    await gw.sendOutbound({ conversationId: 'C0GENERAL1', threadId: '1700000000.000100', text: 'reply from the agent' });
    await fake.log.waitFor((c) => c.path === '/api/chat.postMessage');
    expect(fake.calls('chat.postMessage')).toEqual([expect.objectContaining({ channel: 'C0GENERAL1', text: 'reply from the agent', thread_ts: '1700000000.000100' })]);
    expect(fake.log.filter((c) => c.path === '/api/chat.postMessage')[0].headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
  });

  it('answers the connection test with the bot identity from auth.test', async () => {
    expect(await gw.connectionTest()).toMatchObject({ ok: true, bot: { id: fake.bot.userId, name: 'twokey' } });
  });

  it('reports a bad token clearly, at start and in the connection test', async () => {
    const badLogger = new CapturingLogger();
    const adapter = new SlackAdapter({ connection: 'slack-bad', botToken: 'xoxb-0000-wrong', mode: 'http', signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl, logger: badLogger });
    const bad = await startGatewayUnderTest({ nats, platform: 'slack', adapter, logger: badLogger, expectReady: false, config: { connection: 'slack-bad' } });
    try {
      expect(bad.gateway.adapterError).toMatch(/Slack rejected the token \(invalid_auth\)/);
      expect(await bad.connectionTest()).toMatchObject({ ok: false, error: expect.stringMatching(/invalid_auth.*SLACK_BOT_TOKEN/) });
      expect(badLogger.lines.join('\n')).not.toContain('xoxb-0000-wrong');
    } finally {
      await bad.stop();
    }
  });
});

describe('gateway-slack (Socket Mode) against the fake Slack', () => {
  let nats: NatsHarness;
  let fake: FakeSlack;
  let gw: GatewayUnderTest;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeSlack.start({ botToken: BOT_TOKEN, appToken: APP_TOKEN, teamId: TEAM, users: [alice] });
    const adapter = new SlackAdapter({ connection: 'slack', botToken: BOT_TOKEN, mode: 'socket', appToken: APP_TOKEN, apiUrl: fake.apiUrl, logger, clientPingTimeoutMs: 1_000 });
    gw = await startGatewayUnderTest({ nats, platform: 'slack', adapter, logger });
    await fake.waitForSockets(1);
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  it('receives an event envelope, acks it, and ignores its retry as a duplicate', async () => {
    const body = messageEventCallback({ user: alice.id, teamId: TEAM, channel: 'D0ALICE001', channelType: 'im', text: 'over the socket', ts: fake.nextTs() });
    const first = fake.sendSocketEvent(body);
    await fake.waitForAck(first.envelope_id);
    const retry = fake.sendSocketEvent(body, { attempt: 1, reason: 'timeout' });
    await fake.waitForAck(retry.envelope_id);
    const id = `D0ALICE001:${(body.event as { ts: string }).ts}`;
    const m = await gw.inbound.waitFor((x) => x.data.platformMessageId === id);
    expect(m.data).toMatchObject({ actor: { id: alice.id, displayName: 'alice.l' }, conversation: { kind: 'dm' }, text: 'over the socket' });
    await settle();
    expect(gw.inbound.items.filter((x) => x.data.platformMessageId === id)).toHaveLength(1);
    expect(fake.calls('apps.connections.open')).toHaveLength(1);
  });

  it('reports in its status that it stopped receiving while the socket is down, and when it is back', async () => {
    expect(gw.gateway.status().adapterStarted).toBe(true);
    fake.refuseSockets = true;
    fake.dropSockets();
    await until(() => gw.gateway.status().adapterStarted === false);
    fake.refuseSockets = false;
    await until(() => gw.gateway.status().adapterStarted === true, 20_000);
    await fake.waitForSockets(1);
    const body = messageEventCallback({ user: alice.id, teamId: TEAM, channel: 'D0ALICE001', channelType: 'im', text: 'after the outage', ts: fake.nextTs() });
    fake.sendSocketEvent(body);
    await gw.inbound.waitFor((x) => x.data.text === 'after the outage');
  });

  it('infers the conversation from the channel id when channel_type is missing (SDK fixture shape)', async () => {
    const body = messageEventCallback({ user: alice.id, teamId: TEAM, channel: 'C0GENERAL1', text: 'no channel_type', ts: fake.nextTs() });
    fake.sendSocketEvent(body);
    const m = await gw.inbound.waitFor((x) => x.data.text === 'no channel_type');
    expect(m.data).toMatchObject({ conversation: { id: 'C0GENERAL1', kind: 'channel' }, space: { id: TEAM, kind: 'slack-workspace' } });
  });
});
