import type { Subscription } from 'nats';
import type { ConnectionTestResult, Platform } from '@twokey/contracts';
import { createGateway, Gateway, gatewayConfig, type InboundSink, NonRetryablePlatformError, type PlatformAdapter } from '@twokey/gateway-kit';
import { JsonLogger } from '@twokey/service-kit';
import { TEST_PROFILE, TEST_REPLY_CAPABILITY_SECRET } from '@twokey/test-support/gateway-harness';
import { GATEWAY_STATUS_CACHE_MS, GATEWAY_STATUS_TIMEOUT_MS } from '../src/connections/gateway-status';
import { eventually, Stack, startStack } from './stack';

interface GatewayView { adapterStarted: boolean; since: string; lastInboundAt: string | null; receiving?: boolean; reason?: string; halted?: boolean }
interface ConnectionItem { id: string; connected: boolean; gateway: GatewayView | null; lastConnectionTest: unknown }

/** The platform end of a real gateway-kit gateway: no platform to reach, and a start that can be made to fail. */
class StubPlatform implements PlatformAdapter {
  connectionTests = 0;
  readonly profile = TEST_PROFILE;
  constructor(readonly platform: Platform, public startError?: string | Error) {}
  async start(_sink: InboundSink) {
    if (this.startError) throw this.startError instanceof Error ? this.startError : new Error(this.startError);
  }
  async stop() {}
  async send(): Promise<string> {
    throw new Error('not used');
  }
  async connectionTest(): Promise<ConnectionTestResult> {
    this.connectionTests++;
    return { ok: true, bot: { id: 'B1', name: 'stub' }, latencyMs: 1 };
  }
}

describe('GET /connections: connected = the gateway answers now and its adapter is started', () => {
  let s: Stack;
  const gateways: Gateway[] = [];
  const subs: Subscription[] = [];

  const startGateway = async (adapter: StubPlatform) => {
    const gateway = createGateway({
      adapter,
      logger: new JsonLogger(`gateway-${adapter.platform}`, 'error', { write: () => undefined }),
      config: gatewayConfig(adapter.platform, { replyCapability: { secret: TEST_REPLY_CAPABILITY_SECRET }, prefix: s.nats.prefix, nats: { url: s.nats.url }, http: { port: 0, host: '127.0.0.1' } }),
    });
    gateways.push(gateway);
    await gateway.start();
    return gateway;
  };
  const list = async () => {
    const r = await s.json<{ items: ConnectionItem[] }>('GET', '/api/v1/connections');
    expect(r.status).toBe(200);
    return r.body.items;
  };
  const item = async (id: string) => (await list()).find((c) => c.id === id)!;

  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(async () => {
    for (const sub of subs) sub.unsubscribe();
    for (const g of gateways) await g.stop();
    await s?.close();
  });

  it('is false with no gateway, true once one runs (nobody pressed Test), false again after it stopped', async () => {
    expect(await item('telegram')).toMatchObject({ connected: false, gateway: null, lastConnectionTest: null });

    const adapter = new StubPlatform('telegram');
    const started = Date.now();
    const gateway = await startGateway(adapter);
    const up = await eventually(async () => {
      const c = await item('telegram');
      return c.connected ? c : undefined;
    }, GATEWAY_STATUS_CACHE_MS + 5_000, 'connected: true');
    expect(up).toMatchObject({ connected: true, gateway: { adapterStarted: true, lastInboundAt: null }, lastConnectionTest: null });
    expect(Date.parse(up.gateway!.since)).toBeGreaterThanOrEqual(started - 1);
    expect(adapter.connectionTests).toBe(0); // the status never reaches the platform

    await gateway.stop();
    const down = await eventually(async () => {
      const c = await item('telegram');
      return c.connected ? undefined : c;
    }, GATEWAY_STATUS_CACHE_MS + 5_000, 'connected: false');
    expect(down).toMatchObject({ connected: false, gateway: null });
  });

  it('is false while the gateway runs but its adapter cannot start, and says why without the URL the error quoted', async () => {
    const secret = '7000001:AAsecret-in-a-url-0123456789';
    await startGateway(new StubPlatform('discord', `Discord refused the token at https://discord.example/bot${secret}/gateway`));
    const c = await eventually(async () => {
      const v = await item('discord');
      return v.gateway ? v : undefined;
    }, GATEWAY_STATUS_CACHE_MS + 5_000, 'a status from gateway-discord');
    expect(c).toMatchObject({ connected: false, gateway: { adapterStarted: false, receiving: false, halted: false, reason: expect.stringContaining('Discord refused the token at <url>') } });
    expect(JSON.stringify(c)).not.toContain(secret);
  });

  it('Reconnect: a halted gateway is listed with its reason; once the cause is fixed, POST …/reconnect resumes it', async () => {
    const adapter = new StubPlatform('telegram', new NonRetryablePlatformError('Telegram rejected the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN'));
    await startGateway(adapter);
    const halted = await eventually(async () => {
      const v = await item('telegram');
      return v.gateway?.halted ? v : undefined;
    }, GATEWAY_STATUS_CACHE_MS + 5_000, 'halted');
    expect(halted.gateway).toMatchObject({ receiving: false, reason: 'Telegram rejected the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN' });

    adapter.startError = undefined; // the operator fixed the token
    const r = await s.json<{ ok: boolean; gateway: GatewayView | null }>('POST', '/api/v1/connections/telegram/reconnect');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, gateway: { receiving: true, adapterStarted: true } });
    expect(await item('telegram')).toMatchObject({ connected: true });
    expect((await s.json('POST', '/api/v1/connections/nope/reconnect')).status).toBe(404);
    const none = await s.json<{ ok: boolean; error: string }>('POST', '/api/v1/connections/feishu/reconnect');
    expect(none.body).toMatchObject({ ok: false, error: 'gateway not running' });
  });

  it('asks each gateway once per few seconds however often the console polls, and waits for all in parallel', async () => {
    let asked = 0;
    // Gateways that are subscribed but never answer: each costs the full timeout.
    for (const id of ['slack', 'line', 'mattermost']) {
      subs.push(s.nc.subscribe(s.subjects.rpcGateway(id, 'status'), { callback: () => void (id === 'slack' && asked++) }));
    }
    await s.nc.flush();
    await eventually(async () => {
      await list();
      return asked > 0 ? true : undefined;
    }, GATEWAY_STATUS_CACHE_MS + 5_000, 'a status request to slack');

    asked = 0;
    await new Promise((r) => setTimeout(r, GATEWAY_STATUS_CACHE_MS + 100)); // every cached answer has expired
    const started = Date.now();
    const burst = await Promise.all(Array.from({ length: 5 }, () => list()));
    const elapsed = Date.now() - started;
    for (const items of burst) {
      for (const id of ['slack', 'line', 'mattermost']) expect(items.find((c) => c.id === id)).toMatchObject({ connected: false, gateway: null });
    }
    expect(asked).toBe(1);
    // One after the other, three silent gateways would take three timeouts.
    expect(elapsed).toBeGreaterThanOrEqual(GATEWAY_STATUS_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(3 * GATEWAY_STATUS_TIMEOUT_MS);
    for (let i = 0; i < 3; i++) await list();
    expect(asked).toBe(1);
  });
});
