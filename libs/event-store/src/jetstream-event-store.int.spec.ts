import type { NatsConnection } from 'nats';
import { subjects } from '@twokey/contracts';
import { connectNats, ensureStreams } from '@twokey/messaging';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tests use the shared NATS harness
import { NatsHarness, startNats } from '@twokey/test-support';
import { describeEventStoreContract } from './event-store.contract';
import { JetStreamEventStore, JetStreamEventStoreOptions } from './jetstream-event-store';

let nats: NatsHarness;
let suites = 0;

beforeAll(async () => {
  nats = await startNats({ spawn: true });
});
afterAll(async () => {
  await nats.dispose();
});

/** Every fixture gets its own prefix (so its own events stream, positions from 1) on the suite's server. */
async function jetStreamFixture(extra: Partial<JetStreamEventStoreOptions> = {}) {
  const s = subjects(`${nats.prefix}-${++suites}`);
  const connections: NatsConnection[] = [];
  const connect = async () => {
    const nc = await connectNats({ url: nats.url, name: 'event-store-contract' });
    connections.push(nc);
    return nc;
  };
  const nc = await connect();
  await ensureStreams(await nc.jetstreamManager(), s);
  const open = (c: NatsConnection, o: Partial<JetStreamEventStoreOptions> = {}) =>
    new JetStreamEventStore({ nc: c, subjects: s, ...extra, ...o });
  return {
    subjects: s,
    nc,
    store: open(nc),
    openStore: async (o: Partial<JetStreamEventStoreOptions> = {}) => open(await connect(), o),
    appendRaw: async (stream: string, bytes: Uint8Array) => {
      await nc.jetstream().publish(s.events(stream), bytes);
    },
    restartServer: () => nats.restart(),
    dispose: async () => {
      await Promise.all(connections.map((c) => c.close()));
    },
  };
}

describeEventStoreContract('JetStream', () => jetStreamFixture());
