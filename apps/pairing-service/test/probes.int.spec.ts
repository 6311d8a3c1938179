// L4 for the pairing-service: with PROBE_PORT its probes and metrics answer on that port only, booleans only.
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { TEST_RPC_AUTH_SECRET } from './support';
import { createPairingService, PairingService } from '../src/pairing-service';

describe('L4: pairing-service probes on PROBE_PORT', () => {
  let nats: NatsHarness;
  let service: PairingService;
  beforeAll(async () => {
    nats = await startNats();
    service = createPairingService(
      {
        prefix: nats.prefix,
        nats: { url: nats.url },
        http: { port: 0, host: '127.0.0.1' },
        probePort: 0,
        hmacSecret: 'probe-test-hmac-secret-0123456789abcdef',
        rpcAuthSecret: TEST_RPC_AUTH_SECRET,
        replyCapability: { secret: 'probe-test-reply-capability-secret-0123456789', ttlSeconds: 3600 },
        systemMessages: { connections: [], userApproved: 'approved', spaceApproved: 'approved' },
        denialWindowMs: 1000,
        denialMaxCoalesce: 500,
        denialMaxHeld: 10_000,
        consumerName: 'pairing-service',
        ackWaitMs: 30_000,
        expiryTickMs: 1000,
        ensureStreams: true,
        logLevel: 'error',
      },
      { logger: new JsonLogger('pairing-service', 'error', { write: () => undefined }) },
    );
    await service.start();
  });
  afterAll(async () => {
    await service?.stop();
    await nats?.stop();
  });

  it('answers /healthz, /readyz and /metrics there and not on HTTP_PORT', async () => {
    expect(service.probePort).toEqual(expect.any(Number));
    for (const p of ['/healthz', '/readyz', '/metrics']) expect([p, (await fetch(`http://127.0.0.1:${service.port}${p}`)).status]).toEqual([p, 404]);
    const ready = await fetch(`http://127.0.0.1:${service.probePort}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, unknown> };
    expect(Object.values(body.checks).every((v) => typeof v === 'boolean')).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${service.probePort}/metrics`)).text();
    expect(metrics).toMatch(/^twokey_build_info\{service="pairing-service",/m);
    // Its own durable consumer's lag and the streams it uses, read from JetStream at each scrape.
    const upper = nats.prefix.toUpperCase();
    expect(metrics).toMatch(new RegExp(`^twokey_consumer_pending\\{stream="${upper}_INBOUND",consumer="pairing-service"\\} 0$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^twokey_consumer_ack_pending\\{stream="${upper}_INBOUND",consumer="pairing-service"\\} 0$`, 'm'));
    for (const stream of ['INBOUND', 'ADMITTED', 'EVENTS']) expect(metrics).toMatch(new RegExp(`^twokey_stream_bytes\\{stream="${upper}_${stream}"\\} \\d+$`, 'm'));
  });
});
