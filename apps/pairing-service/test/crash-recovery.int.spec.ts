/**
 * At-least-once delivery plus idempotent decisions = exactly one decision per message, across a SIGKILL.
 * The real service runs as a child process; it is killed while 5,000 messages flow, restarted, and afterwards
 * every admitted message is on the admitted stream exactly once and every denied one is counted exactly once.
 */
import { startNats, freePort, type NatsHarness } from '@twokey/test-support';
import type { InboundMessage } from '@twokey/contracts';
import { buildDist, ServiceProcess } from './service-process';
import { inbound, NatsClient, serviceEnv, until } from './support';

const TOTAL = 5_000;
const ALLOWED = ['1', '2'];
const STRANGERS = ['901', '902', '903', '904'];

describe('pairing-service killed mid-stream', () => {
  let nats: NatsHarness;
  let client: NatsClient;
  let env: Record<string, string>;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    buildDist();
    nats = await startNats();
    client = await NatsClient.connect(nats);
    env = serviceEnv(nats, { HTTP_PORT: String(await freePort()), DENIAL_WINDOW_SECONDS: '1', ACK_WAIT_SECONDS: '3', LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await service?.signal('SIGKILL');
    await client?.close();
    await nats?.dispose();
  });

  /** Sum of MessageDenied counts and every inbound sequence they name. */
  async function denials(): Promise<{ total: number; sequences: number[] }> {
    let total = 0;
    const sequences: number[] = [];
    for (const e of await client.events()) {
      if (e.type !== 'MessageDenied') continue;
      total += e.data.count;
      sequences.push(...(e.data.inboundSequences ?? []));
    }
    return { total, sequences };
  }

  async function admittedIds(): Promise<{ stored: number; ids: Set<string> }> {
    const info = await client.jsm.streams.info(client.s.streams.admitted);
    const admitted = await client.admitted();
    await admitted.waitForCount(info.state.messages, 10_000);
    return { stored: info.state.messages, ids: new Set(admitted.items.map((m) => m.msgId ?? '')) };
  }

  it('decides every message exactly once', async () => {
    service = await ServiceProcess.start(env);
    for (const id of ALLOWED) await client.ok('add-user', { connection: 'telegram', user: { id, displayName: `Allowed ${id}` } });

    const messages: InboundMessage[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const stranger = i % 5 === 0;
      const actor = stranger ? STRANGERS[(i / 5) % STRANGERS.length] : ALLOWED[i % 2];
      messages.push(inbound({ id: `p${i}`, actor: { id: actor }, text: stranger ? `let me in #${i}` : `task #${i}` }));
    }
    const admittedSent = messages.filter((m) => ALLOWED.includes(m.actor.id));
    const deniedSent = messages.filter((m) => STRANGERS.includes(m.actor.id));

    // Count admissions as they happen (core subscription) to kill the service while it is busy.
    let admittedLive = 0;
    const live = client.nc.subscribe(client.s.admittedAll(), { callback: () => void admittedLive++ });
    const deniedSequences: number[] = [];
    const publishBatch = async (batch: InboundMessage[]) => {
      const seqs = await Promise.all(batch.map((m) => client.publish(m)));
      batch.forEach((m, i) => STRANGERS.includes(m.actor.id) && deniedSequences.push(seqs[i]));
    };

    let killedAt = -1;
    let unackedAtKill = 0;
    const killer = until('the service busy', () => admittedLive >= 800 || undefined, 30_000).then(async () => {
      killedAt = admittedLive;
      await service!.signal('SIGKILL');
      unackedAtKill = (await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service')).num_ack_pending;
    });
    for (let i = 0; i < TOTAL; i += 100) {
      await publishBatch(messages.slice(i, i + 100));
      if (killedAt < 0) await new Promise((r) => setTimeout(r, 5));
    }
    await killer;
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(admittedSent.length);
    // Killed with work in flight: delivered but un-acked messages (at least the denials held for the window).
    expect(unackedAtKill).toBeGreaterThan(0);

    service = await ServiceProcess.start(env);
    await until(
      'every message decided',
      async () => admittedLive >= admittedSent.length && (await denials()).total >= deniedSent.length,
      40_000,
    );
    // Let redeliveries of anything still un-acked arrive before checking for double counting.
    await until('nothing pending on the consumer', async () => {
      const info = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service');
      return info.num_ack_pending === 0 && info.num_pending === 0;
    }, 20_000);
    live.unsubscribe();

    const { stored, ids } = await admittedIds();
    expect(stored).toBe(admittedSent.length);
    expect(ids).toEqual(new Set(admittedSent.map((m) => `telegram:${m.platformMessageId}`)));

    const { total, sequences } = await denials();
    expect(total).toBe(deniedSent.length);
    expect(sequences).toHaveLength(deniedSent.length);
    expect(new Set(sequences)).toEqual(new Set(deniedSequences));
  });

  it('appends held denials on a graceful stop (SIGTERM) and exits 0', async () => {
    expect(service).toBeDefined();
    const before = (await denials()).total;
    // A long window: without the shutdown flush these denials would stay held.
    await service!.signal('SIGKILL');
    service = await ServiceProcess.start({ ...env, DENIAL_WINDOW_SECONDS: '600', ACK_WAIT_SECONDS: '1230' });
    const burst = Array.from({ length: 50 }, (_, i) => inbound({ id: `t${i}`, actor: { id: '905' }, text: `knock ${i}` }));
    for (const m of burst) await client.publish(m);
    // The first denial of the key is appended at once; the other 49 are held for the window.
    await until('first denial appended', async () => (await denials()).total === before + 1);
    await until('all received', async () => {
      const info = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service');
      return info.num_pending === 0 && info.num_ack_pending === 49;
    });
    const exit = await service!.signal('SIGTERM');
    service = undefined;
    expect(exit).toEqual({ code: 0, signal: null });
    expect((await denials()).total).toBe(before + 50);
    const info = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service');
    expect(info.num_ack_pending).toBe(0);
  });
});
