// The gateway as a Nest application: HTTP answers before NATS does, webhook routes get the exact raw bytes with the
// size limit, and with ENSURE_STREAMS=false the gateway only binds to the consumer the provisioner created.
import { createHash } from 'node:crypto';
import { AckPolicy, connect, DeliverPolicy, nanos, type Msg, type NatsConnection } from 'nats';
import { ConnectionTestResult, SendMessage, subjects as subjectsFor } from '@twokey/contracts';
import { TEST_PROFILE, TEST_REPLY_CAPABILITY_SECRET, testCapabilities } from '@twokey/test-support/gateway-harness';
import { openReplyStore, replyStoreBucket } from '@twokey/messaging';
import { ensureStreams } from '@twokey/messaging';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { gatewayConfig, type GatewayConfig } from './config';
import { createGateway, type Gateway } from './gateway';
import type { InboundSink, OutboundChunk, PlatformAdapter, WebhookRoute } from './platform-adapter';
import { MAX_WEBHOOK_BODY_BYTES } from './webhook-middleware';

class WebhookAdapter implements PlatformAdapter {
  readonly platform = 'telegram' as const;
  readonly profile = TEST_PROFILE;
  readonly received: { bytes: Buffer; contentType?: string; url?: string }[] = [];
  sent: OutboundChunk[] = [];
  async start(_sink: InboundSink) {}
  async stop() {}
  async send(m: OutboundChunk) {
    this.sent.push(m);
    return `m${this.sent.length}`;
  }
  async connectionTest(): Promise<ConnectionTestResult> {
    return { ok: true, bot: { id: '42', name: 'stub_bot' }, latencyMs: 0 };
  }
  webhooks(): WebhookRoute[] {
    return [
      {
        method: 'POST',
        path: '/hook',
        handle: (req, res, raw) => {
          this.received.push({ bytes: raw, contentType: req.headers['content-type'], url: req.url });
          res.writeHead(202, { 'content-type': 'text/plain' }).end(createHash('sha256').update(raw).digest('hex'));
        },
      },
      { method: 'POST', path: '/silent', handle: () => undefined },
      {
        method: 'POST',
        path: '/broken',
        handle: () => {
          throw new Error('handler bug');
        },
      },
    ];
  }
}

async function until<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve(fn()).catch(() => undefined);
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

let nats: NatsHarness;

beforeAll(async () => {
  nats = await startNats({ spawn: true });
});
afterAll(async () => {
  await nats.dispose();
});

const configFor = (overrides: Partial<GatewayConfig> = {}) =>
  gatewayConfig('telegram', { replyCapability: { secret: TEST_REPLY_CAPABILITY_SECRET }, prefix: nats.prefix, nats: { url: nats.url }, http: { port: 0, host: '127.0.0.1' }, publishTimeoutMs: 500, ...overrides });
const quiet = () => new JsonLogger('gateway-test', 'error', { write: () => undefined });

describe('gateway HTTP (Nest application)', () => {
  let gateway: Gateway;
  let adapter: WebhookAdapter;
  const logged: string[] = [];
  const url = (path: string) => `http://127.0.0.1:${gateway.httpPort}${path}`;

  beforeAll(async () => {
    adapter = new WebhookAdapter();
    gateway = createGateway({ adapter, config: configFor(), logger: new JsonLogger('gateway-test', 'debug', { write: (l) => void logged.push(l) }) });
    await gateway.start();
  });
  afterAll(() => gateway.stop());

  it('hands a webhook route the exact bytes that arrived, whatever the content type says', async () => {
    const body = Buffer.concat([Buffer.from('{ "a" :  1,\n\t"b": "\u00e9"}  '), Buffer.from([0xff, 0x00])]);
    const res = await fetch(url('/hook?token=x'), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe(createHash('sha256').update(body).digest('hex'));
    expect(adapter.received.at(-1)).toMatchObject({ contentType: 'application/json', url: '/hook?token=x' });
    expect(adapter.received.at(-1)!.bytes.equals(body)).toBe(true);
  });

  it('answers 200 when a route leaves the response open, 405 for another method, 404 for other paths', async () => {
    expect((await fetch(url('/silent'), { method: 'POST', body: '{}' })).status).toBe(200);
    expect((await fetch(url('/hook'))).status).toBe(405);
    expect((await fetch(url('/hook/'), { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(url('/nowhere'))).status).toBe(404);
  });

  it(`refuses a body over ${MAX_WEBHOOK_BODY_BYTES} bytes with 413 before the route sees it`, async () => {
    const before = adapter.received.length;
    for (const size of [MAX_WEBHOOK_BODY_BYTES + 1, 4 * MAX_WEBHOOK_BODY_BYTES]) {
      const res = await fetch(url('/hook'), { method: 'POST', body: Buffer.alloc(size, 0x61) });
      expect(res.status).toBe(413);
      expect(res.headers.get('connection')).toBe('close');
    }
    expect(adapter.received.length).toBe(before);
    expect(logged.some((l) => l.includes('webhook body too large') && l.includes('"level":"error"'))).toBe(true);
    const exact = await fetch(url('/hook'), { method: 'POST', body: Buffer.alloc(MAX_WEBHOOK_BODY_BYTES, 0x61) });
    expect(exact.status).toBe(202);
  });

  it('turns a throwing route into a logged 500', async () => {
    expect((await fetch(url('/broken'), { method: 'POST', body: '{}' })).status).toBe(500);
    expect(logged.some((l) => l.includes('webhook request failed') && l.includes('handler bug'))).toBe(true);
  });

  it("serves health, readiness and Prometheus metrics, and logs Nest's route mapping at debug only", async () => {
    expect(await (await fetch(url('/healthz'))).json()).toEqual({ status: 'ok' });
    const ready = await fetch(url('/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { nats: true, adapter: true } });
    const metrics = await fetch(url('/metrics'));
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await metrics.text()).toMatch(/^# HELP twokey_gateway_inbound_published_total/m);
    const mapped = logged.filter((l) => l.includes('Mapped {/healthz, GET} route'));
    expect(mapped).toHaveLength(1);
    expect(JSON.parse(mapped[0])).toMatchObject({ level: 'debug' });
  });
});

describe('gateway start-up order', () => {
  it('answers /healthz (and /readyz 503) while NATS is unreachable, and becomes ready once it is back', async () => {
    await nats.kill();
    const gateway = createGateway({ adapter: new WebhookAdapter(), config: configFor(), logger: quiet() });
    const started = gateway.start();
    try {
      const port = await until(() => gateway.httpPort || undefined);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const notReady = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ status: 'not-ready', checks: { nats: false, adapter: false } });
      await nats.start();
      await started;
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      await gateway.stop();
    }
    expect(gateway.httpPort).toBe(0);
  });
});

describe('ENSURE_STREAMS and STREAM_REPLICAS', () => {
  let nc: NatsConnection;
  const api: Msg[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: nats.url });
    const s = subjectsFor(nats.prefix);
    await ensureStreams(await nc.jetstreamManager(), s); // as the provisioner does
    // Every JetStream API request in the account, whoever sends it: the gateway's are what remains after ours.
    nc.subscribe('$JS.API.>', { callback: (_e, m) => void api.push(m) });
    await nc.flush();
  });
  afterAll(() => nc.close());

  const subjectsSeen = () => api.map((m) => m.subject);

  it('with ENSURE_STREAMS=false never manages streams or consumers: it waits for the provisioned consumer, then binds to it', async () => {
    const s = subjectsFor(nats.prefix);
    const adapter = new WebhookAdapter();
    const logged: string[] = [];
    const gateway = createGateway({
      adapter,
      config: configFor({ connection: 'telegram-lp', streams: { ensure: false, replicas: 1 } }),
      logger: new JsonLogger('gateway-test', 'warn', { write: (l) => void logged.push(l) }),
    });
    await gateway.start();
    try {
      await until(() => logged.some((l) => l.includes('outbound consumer not provisioned yet')));
      const gatewayCalls = subjectsSeen();
      expect(gatewayCalls).toContain(`$JS.API.CONSUMER.INFO.${s.streams.outbound}.gateway-telegram-lp`);
      expect(gatewayCalls.filter((x) => /STREAM|CREATE|DELETE|UPDATE/.test(x))).toEqual([]);

      // The provisioner creates the consumer (deploy/nats/provision.js, same configuration as the kit's).
      await (await nc.jetstreamManager()).consumers.add(s.streams.outbound, {
        durable_name: 'gateway-telegram-lp',
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: s.outbound('telegram-lp'),
        ack_wait: nanos(60_000),
        max_deliver: -1,
      });
      // … and the connection's sent-message store.
      await openReplyStore(nc.jetstream(), replyStoreBucket(nats.prefix, 'telegram-lp'), { create: true });
      const replyCapability = testCapabilities().sign({ connection: 'telegram-lp', conversationId: '1111111' });
      const cmd: SendMessage = { schemaVersion: 1, connection: 'telegram-lp', idempotencyKey: 'late-1', conversationId: '1111111', text: 'hi', replyCapability };
      await nc.jetstream().publish(s.outbound('telegram-lp'), JSON.stringify(cmd), { msgID: cmd.idempotencyKey });
      await until(() => adapter.sent.length === 1, 15_000);
      expect(adapter.sent[0]).toMatchObject({ conversationId: '1111111', text: 'hi' });
      const r = await nc.request(s.rpcGateway('telegram-lp', 'connection-test'), '{}', { timeout: 5_000 });
      expect(r.json()).toMatchObject({ ok: true });
    } finally {
      await gateway.stop();
    }
    // The only management requests are the test's own consumer and KV bucket creation.
    const managing = subjectsSeen().filter((x) => /STREAM\.(CREATE|UPDATE|DELETE)|CONSUMER\.(CREATE|DURABLE\.CREATE|DELETE)/.test(x));
    expect(managing).toHaveLength(2);
    expect(managing[0]).toMatch(/^\$JS\.API\.CONSUMER\.(DURABLE\.)?CREATE\./);
    expect(managing[1]).toBe(`$JS.API.STREAM.CREATE.KV_${replyStoreBucket(nats.prefix, 'telegram-lp')}`);
  });

  it('with ENSURE_STREAMS=true keeps the streams up to date without ever changing their replicas', async () => {
    api.length = 0;
    const gateway = createGateway({ adapter: new WebhookAdapter(), config: configFor({ streams: { ensure: true, replicas: 3 } }), logger: quiet() });
    await gateway.start();
    await gateway.stop();
    const updates = api.filter((m) => /^\$JS\.API\.STREAM\.(UPDATE|CREATE)\./.test(m.subject)).map((m) => m.json<{ num_replicas: number }>());
    expect(updates.length).toBeGreaterThan(0);
    // The streams exist (R1): STREAM_REPLICAS=3 applies to creation only; replication is the provisioner's call.
    expect(updates.map((u) => u.num_replicas)).toEqual(updates.map(() => 1));
  });
});
