/**
 * Fault injection: the pairing-service (a real child process) is frozen with SIGSTOP for longer than the ack wait
 * (2 s) while it holds un-acked denials (their 1 s window is still open) and has pulled messages it has not decided. It can
 * send no progress acks, so JetStream redelivers all of them; once it runs again it sees the first deliveries and
 * the redeliveries. Every message must still get exactly one decision. Unlike redelivery.int.spec.ts (where progress
 * acks usually prevent a redelivery), this one checks that redeliveries really happened.
 */
import { freePort, startNats, type NatsHarness } from '@twokey/test-support';
import { expectEachDecidedOnce, mixedTraffic } from './exactly-once';
import { buildDist, ServiceProcess } from './service-process';
import { NatsClient, serviceEnv, until } from './support';

const TOTAL = 6_000;
const ALLOWED = Array.from({ length: 10 }, (_, i) => `1${i}`);
const STRANGERS = Array.from({ length: 50 }, (_, i) => `9${i}`);
const ACK_WAIT_SECONDS = 2;

describe('fault: the pairing-service frozen past the ack wait', () => {
  let nats: NatsHarness;
  let client: NatsClient;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    buildDist();
    nats = await startNats();
    client = await NatsClient.connect(nats);
  });
  afterAll(async () => {
    await service?.signal('SIGKILL');
    await client?.close();
    await nats?.dispose();
  });

  it('decides every message once although all it held was redelivered', async () => {
    const env = serviceEnv(nats, {
      HTTP_PORT: String(await freePort()),
      DENIAL_WINDOW_SECONDS: '1',
      ACK_WAIT_SECONDS: String(ACK_WAIT_SECONDS),
      LOG_LEVEL: 'warn',
    });
    service = await ServiceProcess.start(env);
    for (const id of ALLOWED) await client.ok('add-user', { connection: 'telegram', user: { id, displayName: `Allowed ${id}` } });

    const traffic = mixedTraffic({ total: TOTAL, deniedEvery: 3, allowed: ALLOWED, strangers: STRANGERS, idPrefix: 'st' });
    const { messages } = traffic;

    let seen = 0;
    const live = client.nc.subscribe(client.s.admittedAll(), { callback: () => void seen++ });
    const deniedSequences: number[] = [];
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i += 500) {
        const batch = messages.slice(i, Math.min(i + 500, to));
        const seqs = await Promise.all(batch.map((m) => client.publish(m)));
        batch.forEach((m, k) => STRANGERS.includes(m.actor.id) && deniedSequences.push(seqs[k]));
      }
    };
    // The freeze comes while the second half is being published and pulled, with denials of the first half held
    // (their window is open) and deliveries not yet decided.
    await publish(0, TOTAL / 2);
    await until('the first admissions', () => seen >= 1_000 || undefined, 30_000);
    const stall = service.stall((ACK_WAIT_SECONDS + 3) * 1_000);
    await publish(TOTAL / 2, TOTAL);
    await stall;

    await until('every message acked', async () => {
      const info = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service');
      return (info.num_pending === 0 && info.num_ack_pending === 0) || undefined;
    }, 60_000);
    live.unsubscribe();

    // JetStream did redeliver (held denials, deliveries pulled but not decided before the freeze): every delivery
    // takes a consumer sequence, so there were more deliveries than messages.
    const consumer = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service');
    expect(consumer.delivered.stream_seq).toBe(TOTAL);
    expect(consumer.delivered.consumer_seq).toBeGreaterThan(TOTAL);

    await expectEachDecidedOnce(client, traffic, deniedSequences);
  }, 120_000);
});
