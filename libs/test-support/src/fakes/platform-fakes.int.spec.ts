/**
 * The fakes speak the documented wire format, including the platforms' own errors: checked here directly over
 * HTTP/WebSocket, without any SDK, so a fake that drifts from the documentation fails on its own.
 */
import { WebSocket } from 'ws';
import { FakeDiscord, MESSAGE_CONTENT_INTENT } from './discord';
import { FakeSlack, slackSignature } from './slack';
import { FakeTelegram, messageUpdate, privateChat, telegramUser } from './telegram';

const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('FakeTelegram', () => {
  let fake: FakeTelegram;
  beforeAll(async () => (fake = await FakeTelegram.start({ token: '1:good' })));
  afterAll(() => fake.close());

  it('answers a bad token with the documented 401 body', async () => {
    expect(await post(`${fake.url}/bot1:bad/getMe`, {})).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
  });

  it('delivers an update again until a later getUpdates confirms it with offset = update_id + 1', async () => {
    const alice = telegramUser(1, 'Alice');
    const u = fake.pushUpdate(messageUpdate({ from: alice, chat: privateChat(alice), text: 'hi' }));
    const first = await post(`${fake.url}/bot1:good/getUpdates`, { offset: 0, timeout: 0 });
    const again = await post(`${fake.url}/bot1:good/getUpdates`, { offset: 0, timeout: 0 });
    expect(first.body.result).toEqual([u]);
    expect(again.body.result).toEqual([u]);
    const confirmed = await post(`${fake.url}/bot1:good/getUpdates`, { offset: u.update_id + 1, timeout: 0 });
    expect(confirmed.body.result).toEqual([]);
    expect(fake.unconfirmed()).toEqual([]);
  });

  it('holds a long poll until an update arrives', async () => {
    const poll = post(`${fake.url}/bot1:good/getUpdates`, { offset: 0, timeout: 10 });
    await new Promise((r) => setTimeout(r, 50));
    const u = fake.pushUpdate({ message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, text: 'x' } });
    expect((await poll).body.result).toEqual([u]);
  });

  it('records sendMessage as a user-facing call, start-up calls not', async () => {
    await post(`${fake.url}/bot1:good/sendMessage`, { chat_id: 1, text: 'hello' });
    expect(fake.userFacingCalls().map((c) => c.path)).toEqual(['/bot1:good/sendMessage']);
  });
});

describe('FakeDiscord', () => {
  let fake: FakeDiscord;
  beforeAll(async () => (fake = await FakeDiscord.start({ token: 'good-token', messageContentIntent: false })));
  afterAll(() => fake.close());

  it('answers REST with 401 for a bad token and the gateway URL for a good one', async () => {
    expect((await fetch(`${fake.apiUrl}/v10/users/@me`, { headers: { authorization: 'Bot bad' } })).status).toBe(401);
    const res = await fetch(`${fake.apiUrl}/v10/gateway/bot`, { headers: { authorization: 'Bot good-token' } });
    expect(await res.json()).toMatchObject({ url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/), shards: 1 });
  });

  const session = async (identify: { token: string; intents: number }) => {
    const ws = new WebSocket(fake.apiUrl.replace('http', 'ws').replace('/api', '') + '/?v=10&encoding=json');
    const frames: { op: number; t?: string; d?: unknown }[] = [];
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (m) => frames.push(JSON.parse(m.toString())));
    await new Promise((r) => ws.once('open', r));
    await new Promise((r) => setTimeout(r, 30));
    ws.send(JSON.stringify({ op: 2, d: { ...identify, properties: {} } }));
    return { ws, frames, closed };
  };

  it('says HELLO, then closes 4004 for a bad token and 4014 for a disallowed Message Content intent', async () => {
    const bad = await session({ token: 'bad', intents: 1 });
    expect(await bad.closed).toBe(4004);
    expect(bad.frames[0]).toMatchObject({ op: 10, d: { heartbeat_interval: expect.any(Number) } });
    expect(await (await session({ token: 'good-token', intents: MESSAGE_CONTENT_INTENT })).closed).toBe(4014);
  });

  it('sends READY to a valid IDENTIFY and acks heartbeats', async () => {
    const s = await session({ token: 'good-token', intents: 1 });
    s.ws.send(JSON.stringify({ op: 1, d: null }));
    await new Promise((r) => setTimeout(r, 50));
    expect(s.frames.map((f) => f.t ?? f.op)).toEqual([10, 'READY', 11]);
    s.ws.close();
  });
});

describe('FakeSlack', () => {
  let fake: FakeSlack;
  beforeAll(async () => (fake = await FakeSlack.start({ botToken: 'xoxb-good', appToken: 'xapp-good' })));
  afterAll(() => fake.close());

  it('answers a bad token with ok:false invalid_auth', async () => {
    expect((await post(`${fake.apiUrl}auth.test`, {}, { authorization: 'Bearer xoxb-bad' })).body).toEqual({ ok: false, error: 'invalid_auth' });
    expect((await post(`${fake.apiUrl}auth.test`, {}, { authorization: 'Bearer xoxb-good' })).body).toMatchObject({ ok: true, user_id: fake.bot.userId, bot_id: fake.bot.botId });
  });

  it('opens a Socket Mode connection that says hello and records acks', async () => {
    const open = await post(`${fake.apiUrl}apps.connections.open`, {}, { authorization: 'Bearer xapp-good' });
    const ws = new WebSocket(String(open.body.url));
    const first = await new Promise<Record<string, unknown>>((resolve) => ws.once('message', (m) => resolve(JSON.parse(m.toString()))));
    expect(first.type).toBe('hello');
    const env = fake.sendSocketEvent({ type: 'event_callback' });
    ws.send(JSON.stringify({ envelope_id: env.envelope_id }));
    await fake.waitForAck(env.envelope_id);
    ws.close();
  });

  it('signs like Slack (v0 HMAC-SHA256 of "v0:<ts>:<body>")', () => {
    // Slack's documented example (docs.slack.dev "Verifying requests from Slack").
    const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });
});
