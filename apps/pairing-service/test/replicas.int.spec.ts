/**
 * Several pairing-service replicas on one NATS: state stays in step through the event store subscription, and
 * concurrent commands on one connection are serialized by optimistic concurrency (retry on WrongExpectedVersion).
 */
import { startNats, type NatsHarness } from '@twokey/test-support';
import { accessStream } from '@twokey/contracts';
import { inbound, isEvent, NatsClient, startService, testConfig, until, type RunningService } from './support';

describe('replicas', () => {
  let nats: NatsHarness;
  let client: NatsClient;
  const running: RunningService[] = [];

  beforeAll(async () => {
    nats = await startNats();
    client = await NatsClient.connect(nats);
  });
  afterEach(async () => {
    for (const r of running.splice(0)) await r.service.stop();
  });
  afterAll(async () => {
    await client?.close();
    await nats?.dispose();
  });

  const decided = async (r: RunningService, connection: string, decision: string) => {
    const text = await (await fetch(`${r.url}/metrics`)).text();
    const m = new RegExp(`^twokey_pairing_decisions_total\\{connection="${connection}",decision="${decision}"\\} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };

  it("updates every replica's state with another replica's events", async () => {
    // Separate consumers: each replica decides every message, so each must know the approval the other one made.
    const a = await startService(testConfig(nats, { CONSUMER_NAME: 'replica-a' }));
    const b = await startService(testConfig(nats, { CONSUMER_NAME: 'replica-b' }));
    running.push(a, b);
    await client.ok('add-user', { connection: 'shared', user: { id: '808', displayName: 'Shared' } });
    // The replica that did not handle the command learns of it through its live subscription, within milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const hello = inbound({ connection: 'shared', actor: { id: '808' }, text: 'hello both' });
    await client.publish(hello);

    await until('both replicas admitted it', async () => (await decided(a, 'shared', 'admitted')) === 1 && (await decided(b, 'shared', 'admitted')) === 1);
    // Both published it with the same msgID: JetStream kept one.
    const admitted = await client.admitted();
    await admitted.waitFor((m) => m.data.message.platformMessageId === hello.platformMessageId);
    expect(admitted.items.filter((m) => m.data.message.platformMessageId === hello.platformMessageId)).toHaveLength(1);
    expect((await client.jsm.streams.info(client.s.streams.admitted)).state.messages).toBe(1);
  });

  it('shares the consumer and the admin verbs; concurrent commands on one connection all land', async () => {
    const a = await startService(testConfig(nats));
    const b = await startService(testConfig(nats));
    running.push(a, b);
    const users = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const replies = await Promise.all(users.map((id) => client.ok('add-user', { connection: 'busy', user: { id, displayName: id } })));
    expect(new Set(replies.map((r) => r.position)).size).toBe(users.length);

    const approvals = (await client.events()).filter(isEvent('UserApproved', (e) => e.stream === accessStream('busy')));
    expect(approvals.map((e) => e.data.user.id).sort()).toEqual([...users].sort());
    expect(approvals.map((e) => e.streamVersion).sort((x, y) => x - y)).toEqual(users.map((_, i) => i + 1));

    const messages = users.flatMap((id) => [1, 2, 3].map((n) => inbound({ connection: 'busy', actor: { id }, text: `msg ${n}` })));
    await Promise.all(messages.map((m) => client.publish(m)));
    const admitted = await client.admitted();
    await until('all admitted', () => admitted.items.filter((m) => m.data.connection === 'busy').length >= messages.length || undefined);
    const total = (await decided(a, 'busy', 'admitted')) + (await decided(b, 'busy', 'admitted'));
    expect(total).toBe(messages.length);
    expect(admitted.items.filter((m) => m.data.connection === 'busy')).toHaveLength(messages.length);
  });
});
