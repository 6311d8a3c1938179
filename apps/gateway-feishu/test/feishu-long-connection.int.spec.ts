/**
 * FEISHU_MODE=long-connection: the SDK's WSClient against the fake's endpoint discovery and protobuf frames,
 * over real NATS.
 */
import { InboundMessage } from '@twokey/contracts';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { FakeFeishu } from '@twokey/test-support/fakes/feishu';
import { GatewayUnderTest, startGatewayUnderTest, until } from '@twokey/test-support/gateway-harness';
import { Collected, StoredMessage } from '@twokey/test-support/stream-collector';
import { FeishuAdapter } from '../src/feishu-adapter';

const APP_ID = 'cli_9f5343c580712544';
const APP_SECRET = 'feishu-app-secret-0123';
const alice = { open_id: 'ou_alice000000000000000000000000', name: 'Alice Wang' };

const lines: string[] = [];
const logger = new JsonLogger('gateway-feishu', 'debug', { write: (l) => void lines.push(l) });

describe('gateway-feishu long connection (real NATS, real SDK WSClient, fake endpoint)', () => {
  let nats: NatsHarness;
  let fake: FakeFeishu;
  let adapter: FeishuAdapter;
  let gut: GatewayUnderTest;
  let inbound: Collected<StoredMessage<InboundMessage>>;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeFeishu.start({ appId: APP_ID, appSecret: APP_SECRET, verificationToken: 'unused', users: [alice] });
    adapter = new FeishuAdapter({ connection: 'feishu', appId: APP_ID, appSecret: APP_SECRET, domain: fake.url, mode: 'long-connection', logger });
    gut = await startGatewayUnderTest({ nats, platform: 'feishu', adapter, logger });
    inbound = gut.inbound;
  });

  afterAll(async () => {
    await gut?.stop();
    await fake?.close();
    await nats?.dispose();
  });

  it('discovers the endpoint with the app credentials, connects, and mounts no HTTP callback', async () => {
    await fake.waitForLongConnection();
    const discovery = await fake.log.waitFor((c) => c.path === '/callback/ws/endpoint');
    expect(discovery.body).toEqual({ AppID: APP_ID, AppSecret: APP_SECRET });
    expect(adapter.webhooks()).toEqual([]);
    expect((await fetch(`${gut.httpUrl}/feishu/events`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('publishes an event pushed over the long connection once, and acknowledges it', async () => {
    const e = fake.messageEvent({ chatType: 'p2p', chatId: 'oc_dm', openId: alice.open_id, text: 'over the socket' });
    expect(await fake.pushEvent(e)).toEqual({ code: 200 });
    expect(await fake.pushEvent(e)).toEqual({ code: 200 });
    const stored = await inbound.waitFor((m) => m.data.platformMessageId === e.event.message.message_id);
    expect(stored.data).toMatchObject({
      connection: 'feishu',
      actor: { id: alice.open_id, displayName: 'Alice Wang' },
      conversation: { id: 'oc_dm', kind: 'dm' },
      text: 'over the socket',
    });
    const marker = fake.messageEvent({ chatType: 'group', chatId: 'oc_group', openId: alice.open_id, text: 'marker' });
    await fake.pushEvent(marker);
    const m = await inbound.waitFor((x) => x.data.platformMessageId === marker.event.message.message_id);
    expect(m.data.space).toEqual({ id: 'oc_group', kind: 'feishu-group' });
    expect(inbound.items.filter((x) => x.data.platformMessageId === e.event.message.message_id)).toHaveLength(1);
  });

  it('reports in its status that it stopped receiving while the long connection is down, and when it is back', async () => {
    expect(gut.gateway.status().adapterStarted).toBe(true);
    fake.refuseLongConnections = true;
    fake.dropLongConnections();
    await until(() => gut.gateway.status().adapterStarted === false);
    fake.refuseLongConnections = false;
    await until(() => gut.gateway.status().adapterStarted === true, 20_000);
    const e = fake.messageEvent({ chatType: 'p2p', chatId: 'oc_dm', openId: alice.open_id, text: 'after the outage' });
    expect(await fake.pushEvent(e)).toEqual({ code: 200 });
    await inbound.waitFor((m) => m.data.platformMessageId === e.event.message.message_id);
  });

  it('closes the long connection on stop', async () => {
    await adapter.stop();
    const deadline = Date.now() + 3000;
    while (fake.longConnections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(fake.longConnections).toBe(0);
  });
});
