/**
 * Start-up and running safety: configuration errors exit 1, an unreadable event fails closed (at start and while
 * running), health endpoints, and live state shared between replicas through the event store.
 */
import { startNats, freePort, type NatsHarness } from '@twokey/test-support';
import { EventDecodeError } from '@twokey/event-store';
import { buildDist, ServiceProcess } from './service-process';
import { inbound, NatsClient, serviceEnv, startService, testConfig, until, type RunningService } from './support';

describe('pairing-service start-up and safety', () => {
  let nats: NatsHarness;
  let client: NatsClient;
  const running: RunningService[] = [];

  beforeAll(async () => {
    buildDist();
    nats = await startNats();
    client = await NatsClient.connect(nats);
  });
  afterAll(async () => {
    for (const r of running) await r.service.stop().catch(() => undefined);
    await client?.close();
    await nats?.dispose();
  });

  it('exits 1 with a message naming each bad variable', async () => {
    const p = ServiceProcess.spawn({ ...serviceEnv(nats), PAIRING_HMAC_SECRET: 'too-short', DENIAL_WINDOW_SECONDS: 'soon' });
    const exit = await p.exited;
    expect(exit.code).toBe(1);
    expect(p.log).toContain('pairing-service: invalid configuration');
    expect(p.log).toContain('PAIRING_HMAC_SECRET: must be at least 32 characters');
    expect(p.log).toContain('DENIAL_WINDOW_SECONDS');
  });

  it('serves health, readiness and metrics', async () => {
    const r = await startService(testConfig(nats, { CONSUMER_NAME: 'health' }));
    running.push(r);
    await expect((await fetch(`${r.url}/healthz`)).json()).resolves.toEqual({ status: 'ok' });
    const ready = await fetch(`${r.url}/readyz`);
    expect(ready.status).toBe(200);
    await expect(ready.json()).resolves.toEqual({
      status: 'ready',
      checks: { nats: true, rehydrated: true, consumer: true, failed: false },
    });
    await client.ok('add-user', { connection: 'telegram', user: { id: '808', displayName: 'Known' } });
    const hello = inbound({ actor: { id: '808' }, text: 'hello' });
    await client.publish(hello);
    await (await client.admitted()).waitFor((m) => m.data.message.platformMessageId === hello.platformMessageId);

    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    expect(metrics).toMatch(/^twokey_pairing_decisions_total\{connection="telegram",decision="admitted"\} 1$/m);
    expect(metrics).toMatch(/^twokey_pairing_commands_total\{verb="add-user",outcome="ok"\} 1$/m);
    expect(metrics).toMatch(/^twokey_pairing_event_append_seconds_count\{stream_kind="access"\} 1$/m);
    expect(metrics).toMatch(/^twokey_pairing_dlq_total 0$/m);
    await r.service.stop();
    running.splice(0);
  });

  it('stops deciding when an event it cannot read arrives while running (fail closed)', async () => {
    const r = await startService(testConfig(nats, { CONSUMER_NAME: 'fail-closed' }));
    running.push(r);
    await client.nc.jetstream().publish(client.s.events('access-telegram'), '{"not":"a commit"}');
    await until('the fatal handler ran', () => r.fatal.length > 0 || undefined);
    expect(r.fatal[0]).toBeInstanceOf(EventDecodeError);
    const ready = await fetch(`${r.url}/readyz`);
    expect(ready.status).toBe(503);
    await expect(ready.json()).resolves.toMatchObject({ checks: { failed: true } });

    const before = (await client.jsm.streams.info(client.s.streams.admitted)).state.messages;
    const msg = inbound({ actor: { id: '808' }, text: 'decided on a broken state?' });
    await client.publish(msg);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await client.jsm.streams.info(client.s.streams.admitted)).state.messages).toBe(before);
    expect(r.logs.text).toContain('fail closed');
    await r.service.stop();
    running.splice(0);
  });

  it('refuses to start on an event store it cannot read, in-process and as a process', async () => {
    await expect(startService(testConfig(nats, { CONSUMER_NAME: 'never' }))).rejects.toBeInstanceOf(EventDecodeError);

    const p = ServiceProcess.spawn(serviceEnv(nats, { HTTP_PORT: String(await freePort()) }));
    const exit = await p.exited;
    expect(exit.code).toBe(1);
    expect(p.log).toContain('refusing to start on a partial state (fail closed)');
    const consumers = await client.jsm.consumers.list(client.s.streams.inbound).next();
    expect(consumers.map((c) => c.name)).not.toContain('never');
  });
});
