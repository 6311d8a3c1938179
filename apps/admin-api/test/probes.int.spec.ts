// L4: probes and metrics need no credentials, so they must say nothing an attacker can use and, in a deployment,
// not be reachable where the API is: with PROBE_PORT they answer on that port only, never with error text.
import { startStack, Stack } from './stack';

describe('L4: admin-api probes and metrics on their own port', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ PROBE_PORT: '0' }, { pairingService: false });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers /healthz, /readyz and /metrics on PROBE_PORT, and none of them on the API port, even to the admin', async () => {
    const probePort = s.api.probePort!;
    expect(probePort).toEqual(expect.any(Number));
    expect(probePort).not.toBe(s.api.port);
    for (const p of ['/healthz', '/readyz', '/metrics']) {
      expect([p, (await s.call('GET', p, { auth: false })).status]).toEqual([p, 404]);
      expect([p, (await s.call('GET', p)).status]).toEqual([p, 404]);
    }
    const internal = (p: string) => fetch(`http://127.0.0.1:${probePort}${p}`);
    expect(await (await internal('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await internal('/readyz');
    expect(Object.keys((await ready.json()) as object).sort()).toEqual(['nats', 'projection', 'status']);
    const metrics = await (await internal('/metrics')).text();
    expect(metrics).toMatch(/^twokey_build_info\{service="admin-api",/m);
    expect(metrics).toMatch(/^process_cpu_user_seconds_total /m);
    expect(metrics).not.toMatch(/^twokey_admin_process_/m);
    expect(metrics).toMatch(new RegExp(`^twokey_stream_messages\\{stream="${s.subjects.streams.events}"\\} \\d+$`, 'm'));
    expect((await internal('/api/v1/connections')).status).toBe(404);
  });

  it('the API itself still works on its port', async () => {
    expect((await s.call('GET', '/api/v1/connections')).status).toBe(200);
  });
});
