/**
 * Fault injection: the pairing-service (a real child process) is SIGKILLed twice while it works through 50,000
 * inbound messages, and restarted each time. Afterwards every message has exactly one decision: each admitted one
 * is on TWOKEY_ADMITTED exactly once (unique Nats-Msg-Id), each denied one is counted in exactly one MessageDenied
 * (no inbound sequence in two events), and no event is stored twice.
 */
import { freePort, startNats, type NatsHarness } from '@twokey/test-support';
import { expectEachDecidedOnce, mixedTraffic } from './exactly-once';
import { buildDist, ServiceProcess } from './service-process';
import { isEvent, NatsClient, serviceEnv, until } from './support';

const TOTAL = 50_000;
const ALLOWED = Array.from({ length: 20 }, (_, i) => `1${i}`);
const STRANGERS = Array.from({ length: 20 }, (_, i) => `9${i}`);
/** Kill when this many admissions were seen live (a share of the 45,000 admitted messages). */
const KILL_AT = [8_000, 27_000];

describe('fault: SIGKILL during 50,000 inbound messages', () => {
  let nats: NatsHarness;
  let client: NatsClient;
  let env: Record<string, string>;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    buildDist();
    nats = await startNats();
    client = await NatsClient.connect(nats);
    env = serviceEnv(nats, { HTTP_PORT: String(await freePort()), DENIAL_WINDOW_SECONDS: '1', ACK_WAIT_SECONDS: '5', LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await service?.signal('SIGKILL');
    await client?.close();
    await nats?.dispose();
  });

  it('decides every message exactly once across two kills and restarts', async () => {
    service = await ServiceProcess.start(env);
    for (const id of ALLOWED) await client.ok('add-user', { connection: 'telegram', user: { id, displayName: `Allowed ${id}` } });

    const traffic = mixedTraffic({ total: TOTAL, deniedEvery: 10, allowed: ALLOWED, strangers: STRANGERS, idPrefix: 'k' });
    const { messages, admittedIds } = traffic;

    let seen = 0;
    const live = client.nc.subscribe(client.s.admittedAll(), { callback: () => void seen++ });
    const kills: number[] = [];
    const killer = (async () => {
      for (const at of KILL_AT) {
        await until(`${at} admissions`, () => seen >= at || undefined, 120_000);
        kills.push(seen);
        await service!.signal('SIGKILL');
        service = await ServiceProcess.start(env);
      }
    })();

    const deniedSequences: number[] = [];
    for (let i = 0; i < TOTAL; i += 1_000) {
      const batch = messages.slice(i, i + 1_000);
      const seqs = await Promise.all(batch.map((m) => client.publish(m)));
      batch.forEach((m, k) => STRANGERS.includes(m.actor.id) && deniedSequences.push(seqs[k]));
    }
    await killer;
    expect(kills).toHaveLength(2);
    expect(kills[1]).toBeLessThan(admittedIds.size);

    await until('every message acked', async () => {
      const info = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service');
      return (info.num_pending === 0 && info.num_ack_pending === 0) || undefined;
    }, 120_000);
    live.unsubscribe();

    const events = await expectEachDecidedOnce(client, traffic, deniedSequences);
    // No decision without an event where one is due, and no other event.
    expect(events.filter(isEvent('UserApproved'))).toHaveLength(ALLOWED.length);
    expect(events.filter((e) => e.type !== 'MessageDenied' && e.type !== 'UserApproved')).toEqual([]);
  }, 240_000);
});
