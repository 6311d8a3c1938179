import { startNats, type NatsHarness } from '@twokey/test-support';
import { inbound, NatsClient, startService, testConfig, until, type RunningService } from './support';

describe('throughput (temporary)', () => {
  let nats: NatsHarness;
  let client: NatsClient;
  let running: RunningService;
  beforeAll(async () => {
    nats = await startNats();
    client = await NatsClient.connect(nats);
  });
  afterAll(async () => {
    await running?.service.stop();
    await client?.close();
    await nats?.dispose();
  });
  it('measures', async () => {
    const N = Number(process.env.N ?? 20000);
    running = await startService(testConfig(nats, { LOG_LEVEL: 'warn' }));
    for (let u = 0; u < 10; u++) await client.ok('add-user', { connection: 'telegram', user: { id: `u${u}`, displayName: 'x' } });
    await running.service.stop();
    const msgs = Array.from({ length: N }, (_, i) =>
      inbound({ id: `b${i}`, actor: { id: i % 10 === 0 ? `s${i % 7}` : `u${i % 10}` }, text: `hello number ${i} with some text` }),
    );
    const t0 = Date.now();
    for (let i = 0; i < N; i += 1000) await Promise.all(msgs.slice(i, i + 1000).map((m) => client.publish(m)));
    console.log('published', N, 'in', Date.now() - t0);
    let admitted = 0;
    client.nc.subscribe(client.s.admittedAll(), { callback: () => void admitted++ });
    await client.nc.flush();
    const t1 = Date.now();
    running = await startService(testConfig(nats, { LOG_LEVEL: 'warn' }));
    const t2 = Date.now();
    await until('all admitted', () => admitted >= N * 0.9 || undefined, 120_000);
    const t3 = Date.now();
    console.log('start', t2 - t1, 'ms; admitted', admitted, 'in', t3 - t2, 'ms =>', Math.round((N / (t3 - t2)) * 1000), 'msg/s');
  });
});
