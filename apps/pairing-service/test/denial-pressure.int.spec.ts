/**
 * More distinct strangers than the held-denial limit allows within one window: the service flushes every window
 * early (a pressure flush) instead of holding denials until the consumer's max-ack-pending stops delivery. The
 * window here is a minute, so only pressure can release the held denials within the test; every message is still
 * counted exactly once, and a message from an allowlisted user behind the flood is admitted. Replicas share the
 * consumer's max-ack-pending: when they reach it together before either reaches its own limit, the stall is noticed
 * and the held denials flushed all the same.
 */
import { startNats, type NatsHarness } from '@twokey/test-support';
import type { InboundMessage } from '@twokey/contracts';
import { maxAckPending } from '../src/inbound/flow-limits';
import { inbound, isEvent, NatsClient, startService, testConfig, until, type RunningService } from './support';

const MAX_HELD = 500;
const STRANGERS = 300;
const PER_STRANGER = 10;
const TOTAL = STRANGERS * PER_STRANGER;

describe('held denials above DENIAL_MAX_HELD', () => {
  let nats: NatsHarness;
  let client: NatsClient;
  let running: RunningService | undefined;

  beforeAll(async () => {
    nats = await startNats();
    client = await NatsClient.connect(nats);
    running = await startService(
      testConfig(nats, { DENIAL_WINDOW_SECONDS: '60', ACK_WAIT_SECONDS: '150', DENIAL_MAX_HELD: String(MAX_HELD), LOG_LEVEL: 'warn' }),
    );
  });
  afterAll(async () => {
    await running?.service.stop();
    await client?.close();
    await nats?.dispose();
  });

  it('are flushed early, keep delivery going, and are each counted once', async () => {
    const consumer = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service');
    expect(consumer.config.max_ack_pending).toBe(maxAckPending(MAX_HELD));

    const messages: InboundMessage[] = Array.from({ length: TOTAL }, (_, i) => inbound({ actor: { id: `77${i % STRANGERS}` }, text: 'is anyone there?' }));
    for (let i = 0; i < TOTAL; i += 500) await Promise.all(messages.slice(i, i + 500).map((m) => client.publish(m)));

    // Within the window: everything decided, every MAX_HELD held denials flushed, never more held than that.
    const expectedFlushes = Math.floor((TOTAL - STRANGERS) / MAX_HELD);
    let flushes = 0;
    await until('flood decided with at most MAX_HELD held', async () => {
      const metrics = await (await fetch(`${running!.url}/metrics`)).text();
      flushes = Number(/^twokey_pairing_denial_pressure_flushes_total (\d+)/m.exec(metrics)?.[1]);
      const held = Number(/^twokey_pairing_held_denials (\d+)/m.exec(metrics)?.[1]);
      const c = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service');
      return flushes >= expectedFlushes && held <= MAX_HELD && c.num_pending === 0 && c.num_ack_pending <= MAX_HELD;
    }, 30_000);
    expect(flushes).toBe(expectedFlushes);

    // Someone the admin already paired is admitted behind the flood, long before the window ends.
    const { result } = await client.ok('issue-token', { connection: 'telegram', purpose: 'user' });
    await client.publish(inbound({ actor: { id: 'friend-1' }, text: result.code }));
    const observed = await client.waitForEvent('TokenObserved', isEvent('TokenObserved', (e) => e.data.actor.id === 'friend-1'));
    await client.ok('approve-observation', { connection: 'telegram', observationId: observed.data.observationId });
    await client.publish(inbound({ actor: { id: 'friend-1' }, text: 'hi' }));
    await (await client.admitted()).waitFor((m) => m.data.message.actor.id === 'friend-1');

    // Graceful stop appends what is still held.
    await running!.service.stop();
    running = undefined;
    await until('all acked', async () => (await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service')).num_ack_pending === 0);
    const denied = (await client.events()).filter(isEvent('MessageDenied'));
    const sequences = denied.flatMap((e) => e.data.inboundSequences ?? []);
    expect(denied.reduce((n, e) => n + e.data.count, 0)).toBe(TOTAL);
    expect(sequences).toHaveLength(TOTAL);
    expect(new Set(sequences).size).toBe(TOTAL);
    // Coalesced all the same: at most one event per stranger per flush, far fewer than one per message.
    expect(denied.length).toBeLessThanOrEqual(STRANGERS * (flushes + 2));
    expect(denied.length).toBeLessThan(TOTAL);
  });
});

describe('replicas that reach the shared max-ack-pending before their own DENIAL_MAX_HELD', () => {
  const LIMIT = 400;
  const STRANGERS_2 = 200;
  const TOTAL_2 = STRANGERS_2 * 6;
  let nats: NatsHarness;
  let client: NatsClient;
  const replicas: RunningService[] = [];

  beforeAll(async () => {
    nats = await startNats();
    client = await NatsClient.connect(nats);
    const env = { DENIAL_WINDOW_SECONDS: '60', ACK_WAIT_SECONDS: '150', DENIAL_MAX_HELD: '100000', LOG_LEVEL: 'warn' };
    replicas.push(await startService(testConfig(nats, env)), await startService(testConfig(nats, env)));
    // As if more replicas shared it, or an operator lowered it: far below what each replica would hold.
    await client.jsm.consumers.update(client.s.streams.inbound, 'pairing-service', { max_ack_pending: LIMIT });
  });
  afterAll(async () => {
    for (const r of replicas.splice(0)) await r.service.stop();
    await client?.close();
    await nats?.dispose();
  });

  it('notice that the server stopped delivering and flush early, so the flood is decided within the window', async () => {
    const messages = Array.from({ length: TOTAL_2 }, (_, i) => inbound({ actor: { id: `88${i % STRANGERS_2}` }, text: 'let me in' }));
    for (let i = 0; i < TOTAL_2; i += 400) await Promise.all(messages.slice(i, i + 400).map((m) => client.publish(m)));

    await until('every message delivered long before the 60 s window ends', async () => {
      const c = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service');
      return c.num_pending === 0 && c.delivered.stream_seq >= TOTAL_2;
    }, 40_000);
    expect(replicas.some((r) => r.logs.text.includes('reached max-ack-pending with denials held'))).toBe(true);

    for (const r of replicas.splice(0)) await r.service.stop();
    await until('all acked', async () => (await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service')).num_ack_pending === 0);
    const denied = (await client.events()).filter(isEvent('MessageDenied'));
    const sequences = denied.flatMap((e) => e.data.inboundSequences ?? []);
    expect(denied.reduce((n, e) => n + e.data.count, 0)).toBe(TOTAL_2);
    expect(new Set(sequences).size).toBe(TOTAL_2);
  });
});
