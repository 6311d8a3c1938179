/**
 * The fakes' outbound side enforces the platforms' documented limits with the platforms' own errors, checked over
 * HTTP without any SDK: over-long text, malformed Telegram HTML, flood control with retry_after, edit limits.
 */
import { FakeDiscord } from './discord';
import { FakeFeishu } from './feishu';
import { FakeLine } from './line';
import { FakeMattermost } from './mattermost';
import { FakeSlack } from './slack';
import { FakeTelegram } from './telegram';

const call = async (url: string, body: unknown, headers: Record<string, string> = {}, method = 'POST') => {
  const res = await fetch(url, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
};

describe('FakeTelegram outbound', () => {
  let fake: FakeTelegram;
  const api = (method: string) => `${fake.url}/bot1:good/${method}`;
  beforeAll(async () => (fake = await FakeTelegram.start({ token: '1:good', flood: { writes: 3, perMs: 60_000 } })));
  afterAll(() => fake.close());

  it('counts 4,096 after entity parsing, refuses malformed HTML, floods with retry_after and records edits', async () => {
    const markup = `<b>${'x'.repeat(4_096)}</b>`;
    const sent = await call(api('sendMessage'), { chat_id: 1, text: markup, parse_mode: 'HTML' });
    expect(sent.status).toBe(200);
    expect(await call(api('sendMessage'), { chat_id: 1, text: 'y'.repeat(4_097) })).toEqual({
      status: 400,
      headers: expect.anything(),
      body: { ok: false, error_code: 400, description: 'Bad Request: message is too long' },
    });
    const broken = await call(api('sendMessage'), { chat_id: 1, text: '<b>x</i>', parse_mode: 'HTML' });
    expect(broken.body).toMatchObject({ ok: false, error_code: 400, description: expect.stringContaining("Bad Request: can't parse entities") });
    const id = (sent.body.result as { message_id: number }).message_id;
    expect((await call(api('editMessageText'), { chat_id: 1, message_id: id, text: 'edited' })).status).toBe(200);
    expect(fake.messages.get(`1:${id}`)?.edits).toEqual(['edited']);
    expect((await call(api('editMessageText'), { chat_id: 1, message_id: id, text: 'edited' })).body.description).toMatch(/message is not modified/);
    await call(api('sendMessage'), { chat_id: 1, text: 'third write' });
    const flooded = await call(api('sendMessage'), { chat_id: 1, text: 'fourth write' });
    expect(flooded).toMatchObject({ status: 429, body: { ok: false, error_code: 429, parameters: { retry_after: expect.any(Number) } } });
  });
});

describe('FakeDiscord outbound', () => {
  let fake: FakeDiscord;
  const auth = { authorization: 'Bot discord-token' };
  beforeAll(async () => (fake = await FakeDiscord.start({ token: 'discord-token', channelBucket: { writes: 3, perMs: 60_000 } })));
  afterAll(() => fake.close());

  it('refuses content over 2,000 with Invalid Form Body, records edits, and answers 429 past the channel bucket (every request counts)', async () => {
    const url = `${fake.apiUrl}/v10/channels/42/messages`;
    expect(await call(url, { content: 'x'.repeat(2_001) }, auth)).toMatchObject({
      status: 400,
      body: { code: 50035, message: 'Invalid Form Body', errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } },
    });
    const sent = await call(url, { content: 'hello' }, auth);
    const id = sent.body.id as string;
    expect((await call(`${url}/${id}`, { content: 'edited' }, auth, 'PATCH')).status).toBe(200);
    expect(fake.sent.get(id)?.edits).toEqual(['edited']);
    const limited = await call(url, { content: 'third' }, auth);
    expect(limited).toMatchObject({ status: 429, body: { message: 'You are being rate limited.', retry_after: expect.any(Number), global: false } });
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('FakeSlack outbound', () => {
  let fake: FakeSlack;
  const auth = { authorization: 'Bearer xoxb-1-2' };
  beforeAll(async () => (fake = await FakeSlack.start({ botToken: 'xoxb-1-2', teamId: 'T1' })));
  afterAll(() => fake.close());

  it('refuses text over 40,000 (msg_too_long), records chat.update, and answers 429 with Retry-After when told', async () => {
    expect((await call(`${fake.apiUrl}chat.postMessage`, { channel: 'C1', text: 'x'.repeat(40_001) }, auth)).body).toEqual({ ok: false, error: 'msg_too_long' });
    const sent = await call(`${fake.apiUrl}chat.postMessage`, { channel: 'C1', text: 'hi' }, auth);
    expect((await call(`${fake.apiUrl}chat.update`, { channel: 'C1', ts: sent.body.ts, text: 'edited' }, auth)).body).toMatchObject({ ok: true });
    expect(fake.posted.get(`C1:${sent.body.ts as string}`)?.edits).toEqual(['edited']);
    fake.rateLimitNext(1, 3);
    const limited = await call(`${fake.apiUrl}chat.postMessage`, { channel: 'C1', text: 'again' }, auth);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
  });
});

describe('FakeMattermost outbound', () => {
  let fake: FakeMattermost;
  const auth = { authorization: 'Bearer mm-token' };
  const channel = { id: 'chan0000000000000000000000', type: 'O' as const, team_id: 'team0000000000000000000000', name: 'c', display_name: 'C' };
  beforeAll(async () => (fake = await FakeMattermost.start({ token: 'mm-token', bot: { id: 'bot00000000000000000000000', username: 'bot', is_bot: true }, channels: [channel] })));
  afterAll(() => fake.close());

  it('refuses a post over 16,383 characters, records patches, and needs a known channel for typing', async () => {
    expect((await call(`${fake.url}/api/v4/posts`, { channel_id: channel.id, message: 'x'.repeat(16_384) }, auth)).status).toBe(400);
    const post = await call(`${fake.url}/api/v4/posts`, { channel_id: channel.id, message: 'hi' }, auth);
    expect((await call(`${fake.url}/api/v4/posts/${post.body.id as string}/patch`, { message: 'edited' }, auth, 'PUT')).status).toBe(200);
    expect(fake.edits.get(post.body.id as string)).toEqual(['edited']);
    expect((await call(`${fake.url}/api/v4/users/me/typing`, { channel_id: 'nope' }, auth)).status).toBe(400);
    expect((await call(`${fake.url}/api/v4/users/me/typing`, { channel_id: channel.id }, auth)).status).toBe(200);
  });
});

describe('FakeFeishu outbound', () => {
  let fake: FakeFeishu;
  let auth: Record<string, string>;
  beforeAll(async () => {
    fake = await FakeFeishu.start({ appId: 'cli_a', appSecret: 's', verificationToken: 'v' });
    const token = await call(`${fake.url}/open-apis/auth/v3/tenant_access_token/internal`, { app_id: 'cli_a', app_secret: 's' });
    auth = { authorization: `Bearer ${token.body.tenant_access_token as string}` };
  });
  afterAll(() => fake.close());

  const post = (text: string) => JSON.stringify({ zh_cn: { content: [[{ tag: 'md', text }]] } });

  it('refuses a post over 30 KB (230025) and a 21st edit of one message (230072)', async () => {
    const url = `${fake.url}/open-apis/im/v1/messages?receive_id_type=chat_id`;
    expect((await call(url, { receive_id: 'oc_1', msg_type: 'post', content: post('x'.repeat(31_000)) }, auth)).body).toMatchObject({ code: 230025 });
    const sent = await call(url, { receive_id: 'oc_1', msg_type: 'post', content: post('hi') }, auth);
    const id = (sent.body.data as { message_id: string }).message_id;
    for (let i = 1; i <= 20; i++) {
      expect((await call(`${fake.url}/open-apis/im/v1/messages/${id}`, { msg_type: 'post', content: post(`v${i}`) }, auth, 'PUT')).body).toMatchObject({ code: 0 });
    }
    expect((await call(`${fake.url}/open-apis/im/v1/messages/${id}`, { msg_type: 'post', content: post('v21') }, auth, 'PUT')).body).toMatchObject({ code: 230072 });
    expect(fake.sent.get(id)?.text).toBe('v20');
  });
});

describe('FakeLine outbound', () => {
  let fake: FakeLine;
  const auth = { authorization: 'Bearer line-token' };
  beforeAll(async () => (fake = await FakeLine.start({ channelAccessToken: 'line-token' })));
  afterAll(() => fake.close());

  it('refuses text over 5,000 and more than 5 messages per request, and loading animations outside one-to-one chats', async () => {
    const push = `${fake.url}/v2/bot/message/push`;
    expect(await call(push, { to: 'U1', messages: [{ type: 'text', text: 'x'.repeat(5_001) }] }, auth)).toMatchObject({
      status: 400,
      body: { details: [{ message: 'Length must be between 0 and 5000', property: 'messages[0].text' }] },
    });
    expect((await call(push, { to: 'U1', messages: Array(6).fill({ type: 'text', text: 'x' }) }, auth)).status).toBe(400);
    expect((await call(`${fake.url}/v2/bot/chat/loading/start`, { chatId: `C${'0'.repeat(32)}`, loadingSeconds: 20 }, auth)).status).toBe(400);
    expect((await call(`${fake.url}/v2/bot/chat/loading/start`, { chatId: `U${'0'.repeat(32)}`, loadingSeconds: 20 }, auth)).status).toBe(202);
  });
});
