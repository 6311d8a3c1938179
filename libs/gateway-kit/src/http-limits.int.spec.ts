// L5 (issue 20): the gateway's HTTP server refuses an unsigned webhook before reading its body, caps bodies at the
// route's limit, cuts off slow senders and bounds its connections.
import type { ConnectionTestResult } from '@twokey/contracts';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { TEST_PROFILE, TEST_REPLY_CAPABILITY_SECRET } from '@twokey/test-support/gateway-harness';
import { openRaw } from '@twokey/test-support/raw-http';
import { gatewayConfig } from './config';
import { createGateway, type Gateway } from './gateway';
import type { PlatformAdapter, WebhookRoute } from './platform-adapter';

class SignedHookAdapter implements PlatformAdapter {
  readonly platform = 'line' as const;
  handled = 0;
  async start() {}
  async stop() {}
  readonly profile = TEST_PROFILE;
  async send(): Promise<string> {
    return 'unused';
  }
  async connectionTest(): Promise<ConnectionTestResult> {
    return { ok: true, bot: { id: '1', name: 'stub' }, latencyMs: 0 };
  }
  webhooks(): WebhookRoute[] {
    return [
      {
        method: 'POST',
        path: '/hook',
        requiredHeader: 'x-test-signature',
        maxBodyBytes: 1024,
        handle: (_req, res) => {
          this.handled++;
          res.writeHead(200).end('ok');
        },
      },
    ];
  }
}

const head = (lines: string[]) => lines.join('\r\n') + '\r\n\r\n';

describe('gateway HTTP limits (L5)', () => {
  let nats: NatsHarness;
  let gateway: Gateway;
  const adapter = new SignedHookAdapter();

  beforeAll(async () => {
    nats = await startNats();
    const config = gatewayConfig('line', {
      prefix: nats.prefix,
      nats: { url: nats.url },
      replyCapability: { secret: TEST_REPLY_CAPABILITY_SECRET },
      http: { port: 0, host: '127.0.0.1', headersTimeoutMs: 400, requestTimeoutMs: 800, maxConnections: 4 },
    });
    gateway = createGateway({ adapter, config, logger: new JsonLogger('test', 'error', { write: () => undefined }) });
    await gateway.start();
  });
  afterAll(async () => {
    await gateway?.stop();
    await nats?.dispose();
  });

  it('L5: a webhook without its signature header is refused with 401 before its body is read', async () => {
    // The head announces 100 KB and only 10 bytes follow: an answer proves the server did not wait for the body.
    const c = await openRaw(gateway.httpPort, head(['POST /hook HTTP/1.1', 'Host: x', 'Content-Length: 100000']) + '0123456789');
    const { text } = await c.received(300);
    c.socket.destroy();
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
    expect(text).toContain('missing x-test-signature header');
    expect(adapter.handled).toBe(0);
  });

  it("L5: a body larger than the route's limit is refused with 413, declared or streamed", async () => {
    const declared = await openRaw(gateway.httpPort, head(['POST /hook HTTP/1.1', 'Host: x', 'x-test-signature: s', 'Content-Length: 5000']));
    const first = await declared.received(300);
    declared.socket.destroy();
    expect(first.text).toMatch(/^HTTP\/1\.1 413 /);
    const streamed = await fetch(`http://127.0.0.1:${gateway.httpPort}/hook`, {
      method: 'POST',
      headers: { 'x-test-signature': 's' },
      body: new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array(2048)), c.close()) }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const fits = await fetch(`http://127.0.0.1:${gateway.httpPort}/hook`, { method: 'POST', headers: { 'x-test-signature': 's' }, body: 'x'.repeat(1024) });
    expect(fits.status).toBe(200);
    expect(adapter.handled).toBe(1);
  });

  it('L5: a sender that does not finish its headers, or its body, in time is cut off', async () => {
    const slowHead = await openRaw(gateway.httpPort, 'POST /hook HTTP/1.1\r\nHost: x\r\n');
    const cutHead = await slowHead.received(5_000);
    expect(cutHead.closed).toBe(true);
    expect(cutHead.text).toMatch(/^(HTTP\/1\.1 408 |$)/);
    const slowBody = await openRaw(gateway.httpPort, head(['POST /hook HTTP/1.1', 'Host: x', 'x-test-signature: s', 'Content-Length: 1000']) + 'abc');
    const cutBody = await slowBody.received(5_000);
    expect(cutBody.closed).toBe(true);
  });

  it('L5: connections beyond the limit are refused', async () => {
    // Each held connection has been answered once (keep-alive), so the server has certainly accepted it.
    const held = await Promise.all([0, 1, 2, 3].map(() => openRaw(gateway.httpPort, head(['GET /healthz HTTP/1.1', 'Host: x']))));
    await Promise.all(held.map((c) => c.receivedMatching(/^HTTP\/1\.1 200 /)));
    const extra = await openRaw(gateway.httpPort, head(['GET /healthz HTTP/1.1', 'Host: x']));
    const refused = await extra.received(2_000);
    expect(refused.closed).toBe(true);
    expect(refused.text).toBe('');
    await Promise.all(held.map((c) => (c.socket.destroy(), c.received(2_000))));
    // Once the server has seen the held connections close, a new one is served again.
    const deadline = Date.now() + 3_000;
    for (;;) {
      const again = await openRaw(gateway.httpPort, head(['GET /healthz HTTP/1.1', 'Host: x']));
      const answered = await again.receivedMatching(/^HTTP\/1\.1 200 /, 500).then(() => true, () => false);
      again.socket.destroy();
      if (answered) break;
      if (Date.now() > deadline) throw new Error('the server did not take connections again after the held ones closed');
    }
  });
});
