/**
 * Fault injection: the event store holds an event the pairing-service cannot read (an unknown type, then a known
 * type whose data breaks its schema). The service (a real child process) must refuse to start with a clear error
 * that names the position, exit non-zero, and decide nothing meanwhile: it never runs on a partial allowlist. Once
 * the bad commit is removed, it starts and decides with the full allowlist.
 */
import { accessStream, activityStream } from '@twokey/contracts';
import { ensureStreams } from '@twokey/messaging';
import { freePort, startNats, type NatsHarness } from '@twokey/test-support';
import { buildDist, ServiceProcess } from './service-process';
import { ADMIN, inbound, isEvent, NatsClient, serviceEnv, until } from './support';

describe('fault: an unreadable event in the store', () => {
  let nats: NatsHarness;
  let client: NatsClient;
  let env: Record<string, string>;

  beforeAll(async () => {
    buildDist();
    nats = await startNats();
    client = await NatsClient.connect(nats);
    await ensureStreams(client.jsm, client.s);
    env = serviceEnv(nats, { HTTP_PORT: String(await freePort()), LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await client?.close();
    await nats?.dispose();
  });

  /** A commit in the store's format, published raw (as a bug, a bad migration or another writer might leave it). */
  async function rawCommit(stream: string, firstVersion: number, type: string, data: unknown): Promise<number> {
    const body = {
      stream,
      firstVersion,
      occurredAt: new Date().toISOString(),
      correlationId: 'corrupt',
      causationId: 'corrupt',
      actor: ADMIN,
      events: [{ eventId: '0190a0b0-c0d0-7e0f-8a0b-0c0d0e0f1011', type, schemaVersion: 1, data }],
    };
    return (await client.nc.jetstream().publish(client.s.events(stream), JSON.stringify(body))).seq;
  }

  async function refusesToStart(position: number, reason: RegExp): Promise<void> {
    const p = ServiceProcess.spawn(env);
    const exit = await p.exited;
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(p.log).toContain('fail closed');
    expect(p.log).toContain(`position ${position}`);
    expect(p.log).toMatch(reason);
    expect(p.log).not.toContain('pairing-service ready');
  }

  it('refuses to start on an unknown event or invalid data, decides nothing, and starts once the store is repaired', async () => {
    await client.store.append(accessStream('telegram'), [{ type: 'UserApproved', data: { user: { id: '11', displayName: 'Allowed' }, how: 'manual' } }], {
      expectedVersion: { version: 0, position: 0 },
      correlationId: 'setup',
      causationId: 'setup',
      actor: ADMIN,
    });
    const allowed = inbound({ actor: { id: '11' }, text: 'waiting for the service' });
    const stranger = inbound({ actor: { id: '99' }, text: 'me too' });
    await client.publish(allowed);
    await client.publish(stranger);

    const unknown = await rawCommit(accessStream('telegram'), 2, 'UserTeleported', { user: { id: '12' } });
    await refusesToStart(unknown, /unknown event type/);
    await client.jsm.streams.deleteMessage(client.s.streams.events, unknown);

    const invalid = await rawCommit(accessStream('telegram'), 2, 'UserApproved', { user: { displayName: 'no id' }, how: 'manual' });
    await refusesToStart(invalid, /UserApproved/);

    // Nothing was decided while the store was unreadable: no admission, no denial, both messages still pending.
    expect((await client.jsm.streams.info(client.s.streams.admitted)).state.messages).toBe(0);
    expect((await client.store.readStream(activityStream('telegram'))).events).toEqual([]);
    const consumer = await client.jsm.consumers.info(client.s.streams.inbound, 'pairing-service').catch(() => undefined);
    expect(consumer?.ack_floor.stream_seq ?? 0).toBe(0);

    // Repaired (the bad commit removed): the service starts with the whole allowlist and decides both messages.
    await client.jsm.streams.deleteMessage(client.s.streams.events, invalid);
    const service = await ServiceProcess.start(env);
    try {
      const admitted = await client.admitted();
      await admitted.waitFor((m) => m.data.message.platformMessageId === allowed.platformMessageId, 15_000);
      await until('the stranger denied', async () => (await client.events()).some(isEvent('MessageDenied', (e) => e.data.actor.id === '99')) || undefined, 15_000);
      expect(admitted.items.map((m) => m.data.message.actor.id)).toEqual(['11']);
    } finally {
      await service.signal('SIGTERM');
    }
  }, 90_000);
});
