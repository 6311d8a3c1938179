/**
 * M5 and L5 (issue 20): Feishu callbacks can be neither forged nor replayed. Webhook mode needs the Encrypt Key; a
 * signed callback more than 5 minutes off, or repeating a nonce, is refused; an event id already handled is not
 * handed over again; an unsigned body larger than a url_verification challenge is refused unread.
 */
import { InboundMessage } from '@twokey/contracts';
import { ConfigError, loadConfig } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeFeishu, feishuSignature } from '@twokey/test-support/fakes/feishu';
import { CapturingLogger, GatewayUnderTest, startGatewayUnderTest } from '@twokey/test-support/gateway-harness';
import { StoredMessage } from '@twokey/test-support/stream-collector';
import { checkFeishuSettings, FeishuSettings } from '../src/config';
import { FeishuAdapter, UnsignedWebhooksRefused } from '../src/feishu-adapter';

const APP_ID = 'cli_replay00000000001';
const APP_SECRET = 'feishu-app-secret-replay-0123';
const VERIFICATION = 'verification-token-replay-0123';
const ENCRYPT_KEY = 'encrypt-key-replay-0123456789';
const DM_CHAT = 'oc_dm0000000000000000000000000000';
const alice = { open_id: 'ou_alice000000000000000000000000', name: 'Alice Wang' };

describe('gateway-feishu: forged and replayed callbacks', () => {
  let nats: NatsHarness;
  let fake: FakeFeishu;
  let gw: GatewayUnderTest;
  let url: string;
  const logger = new CapturingLogger();
  const byId = (id: string) => (m: StoredMessage<InboundMessage>) => m.data.platformMessageId === id;
  const seconds = (offsetMs = 0) => String(Math.floor((Date.now() + offsetMs) / 1000));

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeFeishu.start({ appId: APP_ID, appSecret: APP_SECRET, verificationToken: VERIFICATION, users: [alice] });
    const adapter = new FeishuAdapter({ connection: 'fs-replay', appId: APP_ID, appSecret: APP_SECRET, domain: fake.url, mode: 'webhook', verificationToken: VERIFICATION, encryptKey: ENCRYPT_KEY, logger });
    gw = await startGatewayUnderTest({ nats, platform: 'feishu', adapter, logger, config: { connection: 'fs-replay' } });
    url = `${gw.httpUrl}/feishu/events`;
  });
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  const event = (text: string) => fake.messageEvent({ chatType: 'p2p', chatId: DM_CHAT, openId: alice.open_id, text });

  it('M5: a captured callback replayed byte for byte (same nonce) is refused, and published once', async () => {
    const e = event('captured');
    const raw = fake.body(e, ENCRYPT_KEY);
    const headers = { timestamp: seconds(), nonce: 'nonce-replay-1' };
    const signed = { ...headers, signature: feishuSignature(headers.timestamp, headers.nonce, ENCRYPT_KEY, raw) };
    expect((await fake.deliverRaw(url, raw, signed)).status).toBe(200);
    const replay = await fake.deliverRaw(url, raw, signed);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('Nonce already seen');
    await gw.inbound.waitFor(byId(e.event.message.message_id));
    const marker = event('marker after replay');
    expect((await fake.deliver(url, marker, { encryptKey: ENCRYPT_KEY })).status).toBe(200);
    await gw.inbound.waitFor(byId(marker.event.message.message_id));
    expect(gw.inbound.items.filter(byId(e.event.message.message_id))).toHaveLength(1);
  });

  it('M5: a validly signed callback more than 5 minutes old or ahead is refused and never published', async () => {
    const old = event('six minutes old');
    const stale = await fake.deliver(url, old, { encryptKey: ENCRYPT_KEY, timestamp: seconds(-6 * 60_000) });
    expect(stale.status).toBe(401);
    expect(stale.text).toContain('stale');
    const ahead = event('six minutes ahead');
    const future = await fake.deliver(url, ahead, { encryptKey: ENCRYPT_KEY, timestamp: seconds(6 * 60_000) });
    expect(future.status).toBe(401);
    expect(future.text).toContain('future');
    const marker = event('marker after stale');
    expect((await fake.deliver(url, marker, { encryptKey: ENCRYPT_KEY })).status).toBe(200);
    await gw.inbound.waitFor(byId(marker.event.message.message_id));
    expect(gw.inbound.items.filter((m) => [old, ahead].some((x) => byId(x.event.message.message_id)(m)))).toEqual([]);
  });

  it('M5: an event id already handled, pushed again with a fresh nonce, is acknowledged and not handed over twice', async () => {
    const e = event('pushed again');
    expect((await fake.deliver(url, e, { encryptKey: ENCRYPT_KEY })).status).toBe(200);
    expect((await fake.deliver(url, e, { encryptKey: ENCRYPT_KEY })).status).toBe(200);
    await gw.inbound.waitFor(byId(e.event.message.message_id));
    expect(logger.find('warn', e.header.event_id).map((l) => l.msg)).toEqual([expect.stringContaining('delivered again within the replay window')]);
  });

  it('L5: an unsigned request larger than a url_verification challenge is refused before its body is read', async () => {
    const big = JSON.stringify({ type: 'url_verification', token: VERIFICATION, challenge: 'x'.repeat(8 * 1024) });
    const res = await fake.deliverRaw(url, big, { signature: null });
    expect(res.status).toBe(413);
    const small = await fake.deliver(url, fake.urlVerification('ch-small'), { encryptKey: ENCRYPT_KEY, signature: null });
    expect(small.status).toBe(200);
  });

  it('M5: webhook mode refuses to start without the Encrypt Key unless FEISHU_ALLOW_UNSIGNED=true', () => {
    const base = { FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: APP_SECRET, FEISHU_VERIFICATION_TOKEN: VERIFICATION };
    expect(() => checkFeishuSettings(loadConfig('gateway-feishu', FeishuSettings, base))).toThrow(ConfigError);
    expect(() => checkFeishuSettings(loadConfig('gateway-feishu', FeishuSettings, base))).toThrow(/FEISHU_ENCRYPT_KEY: is required when FEISHU_MODE=webhook/);
    expect(() => checkFeishuSettings(loadConfig('gateway-feishu', FeishuSettings, { ...base, FEISHU_ALLOW_UNSIGNED: 'true' }))).not.toThrow();
    expect(() => checkFeishuSettings(loadConfig('gateway-feishu', FeishuSettings, { ...base, FEISHU_ENCRYPT_KEY: ENCRYPT_KEY }))).not.toThrow();
    expect(() => checkFeishuSettings(loadConfig('gateway-feishu', FeishuSettings, { ...base, FEISHU_MODE: 'long-connection' }))).not.toThrow();
    const options = { connection: 'x', appId: APP_ID, appSecret: APP_SECRET, domain: fake.url, mode: 'webhook' as const, verificationToken: VERIFICATION, logger };
    expect(() => new FeishuAdapter(options)).toThrow(UnsignedWebhooksRefused);
    expect(() => new FeishuAdapter({ ...options, allowUnsigned: true })).not.toThrow();
  });
});
