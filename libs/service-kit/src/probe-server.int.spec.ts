import { Registry } from 'prom-client';
import { registerServiceMetrics } from './metrics';
import { startProbeServer } from './probe-server';

describe('probe server', () => {
  it('answers /healthz, /readyz and /metrics on its own port, nothing else', async () => {
    const registry = new Registry();
    registerServiceMetrics(registry, 'demo', { defaults: false });
    let ready = false;
    const probes = await startProbeServer(0, '127.0.0.1', {
      healthz: () => ({ status: 200, body: { status: 'ok' } }),
      readyz: () => ({ status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not-ready' } }),
      registry,
    });
    const url = (p: string) => `http://127.0.0.1:${probes.port}${p}`;
    try {
      expect(await (await fetch(url('/healthz'))).json()).toEqual({ status: 'ok' });
      expect((await fetch(url('/readyz'))).status).toBe(503);
      ready = true;
      expect((await fetch(url('/readyz?verbose=1'))).status).toBe(200);
      const metrics = await fetch(url('/metrics'));
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      expect(await metrics.text()).toContain('twokey_build_info{service="demo"');
      expect((await fetch(url('/api/v1/connections'))).status).toBe(404);
      expect((await fetch(url('/readyz'), { method: 'POST' })).status).toBe(405);
    } finally {
      await probes.close();
    }
  });
});
