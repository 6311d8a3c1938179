/** Invalid inbound payloads go to `<prefix>.dlq.inbound` with the reason; processing goes on. */
import { collectCore } from '@twokey/test-support/stream-collector';
import { startNats, type NatsHarness } from '@twokey/test-support';
import type { InboundDeadLetter } from '../src/inbound/dead-letters';
import { inbound, NatsClient, startService, testConfig, until, type RunningService } from './support';

describe('inbound dead letters', () => {
  let nats: NatsHarness;
  let running: RunningService;
  let client: NatsClient;

  beforeAll(async () => {
    nats = await startNats();
    running = await startService(testConfig(nats));
    client = await NatsClient.connect(nats);
  });
  afterAll(async () => {
    await client?.close();
    await running?.service.stop();
    await nats?.dispose();
  });

  it('dead-letters malformed JSON, a missing field and a connection that does not match the subject, then keeps going', async () => {
    const dlq = collectCore<InboundDeadLetter>(client.nc, client.s.dlq('inbound'));
    await client.ok('add-user', { connection: 'telegram', user: { id: '77', displayName: 'Valid' } });
    const js = client.nc.jetstream();

    const malformed = '{"schemaVersion":1,"connection":"telegram",';
    await js.publish(client.s.inbound('telegram'), malformed, { msgID: 'bad-json' });
    const { actor: _dropped, ...missingActor } = inbound({ actor: { id: '77' }, text: 'no actor' });
    await js.publish(client.s.inbound('telegram'), JSON.stringify(missingActor), { msgID: 'missing-actor' });
    const foreign = inbound({ connection: 'slack', platform: 'slack', actor: { id: 'U77' }, text: 'wrong subject' });
    await js.publish(client.s.inbound('telegram'), JSON.stringify(foreign), { msgID: 'wrong-connection' });
    const valid = inbound({ actor: { id: '77' }, text: 'still served' });
    await client.publish(valid);

    const letters = await dlq.waitForCount(3);
    const [json, missing, wrong] = letters;
    expect(json).toMatchObject({ field: '', subject: client.s.inbound('telegram') });
    expect(json.reason).toMatch(/not valid JSON/);
    expect(Buffer.from(json.payloadBase64, 'base64').toString()).toBe(malformed);
    expect(missing.field).toBe('actor');
    expect(missing.reason).toMatch(/actor/);
    expect(wrong.field).toBe('connection');
    expect(wrong.reason).toContain(client.s.inbound('telegram'));
    for (const letter of letters) {
      expect(letter.sequence).toBeGreaterThan(0);
      expect(Date.parse(letter.receivedAt)).not.toBeNaN();
    }
    expect(new Set(letters.map((l) => l.sequence)).size).toBe(3);

    const admitted = await client.admitted();
    await admitted.waitFor((m) => m.data.message.platformMessageId === valid.platformMessageId);
    expect(admitted.items).toHaveLength(1);
    // Acked, not redelivered: nothing is left pending on the consumer.
    await until('every inbound message acked', async () => {
      const info = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service');
      return info.num_ack_pending === 0 && info.num_pending === 0;
    });
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toMatch(/^twokey_pairing_dlq_total 3$/m);
    await dlq.stop();
  });
});
