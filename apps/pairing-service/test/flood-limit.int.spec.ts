/**
 * M7: a flood of inbound messages fills TWOKEY_INBOUND up to its size limit and no further (the oldest messages make
 * room), the fill shows in /metrics, and pairing and approval keep working while it is full.
 */
import { DiscardPolicy } from 'nats';
import { subjects } from '@twokey/contracts';
import { DEFAULT_STREAM_OPTIONS, ensureStreams } from '@twokey/messaging';
import { startNats, type NatsHarness } from '@twokey/test-support';
import { inbound, isEvent, NatsClient, startService, testConfig, until, type RunningService } from './support';

/** Small enough to fill in a second, large enough to hold the pairing messages. */
const INBOUND_MAX_BYTES = 256 * 1024;

describe('M7: inbound stream size limit under a flood', () => {
  let nats: NatsHarness;
  let running: RunningService;
  let client: NatsClient;

  beforeAll(async () => {
    nats = await startNats();
    client = await NatsClient.connect(nats);
    // As the provisioner sets them, with a small inbound limit; the service keeps the limit it finds.
    await ensureStreams(client.jsm, subjects(nats.prefix), {
      ...DEFAULT_STREAM_OPTIONS,
      transportMaxBytes: { ...DEFAULT_STREAM_OPTIONS.transportMaxBytes, inbound: INBOUND_MAX_BYTES },
      manageLimits: true,
    });
    running = await startService(testConfig(nats));
  });
  afterAll(async () => {
    await client?.close();
    await running?.service.stop();
    await nats?.dispose();
  });

  it('M7: inbound fills to its limit, drops its oldest messages, and pairing and approval still work', async () => {
    const info = await client.jsm.streams.info(client.s.streams.inbound);
    expect(info.config).toMatchObject({ max_bytes: INBOUND_MAX_BYTES, discard: DiscardPolicy.Old });
    // Every transport stream is bounded; the event store is not (it refuses rather than drops, and has the rest).
    for (const name of [client.s.streams.admitted, client.s.streams.outbound, client.s.streams.delivered]) {
      expect((await client.jsm.streams.info(name)).config).toMatchObject({ max_bytes: expect.any(Number), discard: DiscardPolicy.Old });
      expect((await client.jsm.streams.info(name)).config.max_bytes).toBeGreaterThan(0);
    }
    expect((await client.jsm.streams.info(client.s.streams.events)).config.max_bytes).toBeLessThanOrEqual(0);

    // The flood: strangers, twice the stream's size in messages.
    const filler = 'x'.repeat(200);
    let published = 0;
    let sizeOfOne = 0;
    while (published * Math.max(sizeOfOne, 1) < 2 * INBOUND_MAX_BYTES) {
      const batch = Array.from({ length: 200 }, (_, i) => inbound({ actor: { id: `flood-${published + i}` }, text: `${filler} ${published + i}` }));
      sizeOfOne = JSON.stringify(batch[0]).length;
      await Promise.all(batch.map((m) => client.publish(m)));
      published += batch.length;
    }
    const full = await client.jsm.streams.info(client.s.streams.inbound);
    expect(full.state.bytes).toBeLessThanOrEqual(INBOUND_MAX_BYTES);
    expect(full.state.bytes).toBeGreaterThan(INBOUND_MAX_BYTES * 0.8);
    expect(full.state.first_seq).toBeGreaterThan(1);
    expect(full.state.messages).toBeLessThan(published);

    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    const fill = Number(new RegExp(`^twokey_pairing_stream_fill_ratio\\{stream="${client.s.streams.inbound}"\\} ([0-9.e-]+)$`, 'm').exec(metrics)?.[1]);
    expect(fill).toBeGreaterThan(0.8);
    expect(fill).toBeLessThanOrEqual(1);
    expect(metrics).toMatch(new RegExp(`^twokey_pairing_stream_bytes\\{stream="${client.s.streams.events}"\\} \\d+$`, 'm'));

    // While the stream is full: a code is issued, sent, observed and approved, and the new user is admitted.
    const issued = await client.ok('issue-token', { connection: 'telegram', purpose: 'user' });
    await client.publish(inbound({ actor: { id: '4242', displayName: 'Ada' }, text: issued.result.code }));
    const observed = await client.waitForEvent('TokenObserved', isEvent('TokenObserved', (e) => e.data.actor.id === '4242'), 30_000);
    await client.ok('approve-observation', { connection: 'telegram', observationId: observed.data.observationId });
    const admitted = await client.admitted();
    const hello = inbound({ actor: { id: '4242', displayName: 'Ada' }, text: 'hello agent' });
    await client.publish(hello);
    await admitted.waitFor((m) => m.data.message.platformMessageId === hello.platformMessageId, 30_000);
    await until('the stream to stay within its limit', async () => (await client.jsm.streams.info(client.s.streams.inbound)).state.bytes <= INBOUND_MAX_BYTES);
  });
});
