// H1 and L4 (issue 20): /readyz says only that the adapter is not ready (no error text, so no credential an SDK error
// quoted); the reason goes to the log, redacted.
import type { ConnectionTestResult } from '@twokey/contracts';
import { JsonLogger } from '@twokey/service-kit';
import { NatsHarness, startNats } from '@twokey/test-support';
import { TEST_PROFILE, TEST_REPLY_CAPABILITY_SECRET } from '@twokey/test-support/gateway-harness';
import { gatewayConfig } from './config';
import { createGateway, type Gateway } from './gateway';
import type { PlatformAdapter } from './platform-adapter';

const TOKEN = '7000000001:AAleaked-through-an-sdk-error_0123456789';

class LeakyAdapter implements PlatformAdapter {
  readonly platform = 'telegram' as const;
  async start(): Promise<void> {
    throw new Error(`request to http://api/bot${TOKEN}/getMe failed, reason: connect ECONNREFUSED`);
  }
  async stop() {}
  readonly profile = TEST_PROFILE;
  async send(): Promise<string> {
    return 'unused';
  }
  async connectionTest(): Promise<ConnectionTestResult> {
    return { ok: false, bot: null, latencyMs: 0, error: 'down' };
  }
}

describe('/readyz', () => {
  let nats: NatsHarness;
  let gateway: Gateway;
  const lines: string[] = [];

  beforeAll(async () => {
    nats = await startNats();
    const config = gatewayConfig('telegram', { prefix: nats.prefix, nats: { url: nats.url }, http: { port: 0, host: '127.0.0.1' }, replyCapability: { secret: TEST_REPLY_CAPABILITY_SECRET } });
    gateway = createGateway({ adapter: new LeakyAdapter(), config, logger: new JsonLogger('test', 'debug', { write: (l) => void lines.push(l) }) });
    await gateway.start();
  });
  afterAll(async () => {
    await gateway?.stop();
    await nats?.dispose();
  });

  it('H1: says the adapter is not ready without the error text or the credential it quoted; the log has the reason, redacted', async () => {
    const res = await fetch(`http://127.0.0.1:${gateway.httpPort}/readyz`);
    const body = await res.text();
    expect(res.status).toBe(503);
    expect(body).not.toContain('ECONNREFUSED');
    expect(lines.join('\n')).toContain('ECONNREFUSED');
    expect(body).not.toContain(TOKEN.split(':')[1]);
    expect(lines.join('\n')).toContain('adapter failed to start');
    expect(lines.join('\n')).not.toContain(TOKEN.split(':')[1]);
  });
});
