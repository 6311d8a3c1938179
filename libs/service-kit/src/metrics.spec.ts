import { Registry } from 'prom-client';
import { registerServiceMetrics } from './metrics';

const names = async (r: Registry) => (await r.getMetricsAsJSON()).map((m) => m.name).sort();

describe('registerServiceMetrics', () => {
  it('adds the default process metrics under their standard names and twokey_build_info', async () => {
    const a = new Registry();
    const b = new Registry();
    registerServiceMetrics(a, 'admin-api');
    registerServiceMetrics(b, 'gateway-telegram');
    expect(await names(a)).toEqual(await names(b));
    expect(await names(a)).toEqual(expect.arrayContaining(['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds', 'process_resident_memory_bytes', 'twokey_build_info']));
    expect((await names(a)).filter((n) => !n.startsWith('process_') && !n.startsWith('nodejs_') && !n.startsWith('twokey_'))).toEqual([]);
    expect(await a.metrics()).toMatch(/^twokey_build_info\{service="admin-api",version="0\.\d+\.\d+",node="v\d+\.\d+\.\d+"\} 1$/m);
  });

  it('leaves the process metrics out when asked (several services in one test process)', async () => {
    const r = new Registry();
    registerServiceMetrics(r, 'pairing-service', { defaults: false });
    expect(await names(r)).toEqual(['twokey_build_info']);
  });
});
