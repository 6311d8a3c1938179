import type { NatsConnection } from 'nats';
import { StoredEvent, subjects } from '@twokey/contracts';
import { connectNats, ensureStreams } from '@twokey/messaging';
import { NatsHarness, startNats } from '@twokey/test-support';
import { appendOptions, collect, eventually, userRemoved, waitFor, writeCommits } from './contract/support';
import { EventDecodeError, WrongExpectedVersion } from './errors';
import { NO_STREAM } from './event-store';
import { describeEventStoreContract } from './event-store.contract';
import { BATCH_BYTES, readBatches, type StoredMessage } from './jetstream-consumers';
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

describe('JetStreamEventStore specifics', () => {
  // Small pulls and short heartbeats, so batching and consumer replacement show up with few messages, quickly.
  let fx: Awaited<ReturnType<typeof jetStreamFixture>>;
  beforeEach(async () => {
    fx = await jetStreamFixture({ batchSize: 50, subscriptionExpiresMs: 2_000 });
  });
  afterEach(async () => {
    await fx.dispose();
  });

  const consumers = async () => {
    const jsm = await fx.nc.jetstreamManager();
    return jsm.consumers.list(fx.subjects.streams.events).next();
  };
  const deleteConsumers = async () => {
    const jsm = await fx.nc.jetstreamManager();
    for (const c of await consumers()) await jsm.consumers.delete(fx.subjects.streams.events, c.name);
  };

  it('reads a long stream interleaved with another one, pull after pull', async () => {
    const written = await writeCommits(fx.store, 2_000, ['access-long', 'activity-other']);
    const { events, revision } = await fx.store.readStream('access-long');
    const expected = written.filter((e) => e.stream === 'access-long');
    expect(events).toEqual(expected);
    expect(revision).toEqual({ version: expected.length, position: expected[expected.length - 1].position });
  });

  it('says in WrongExpectedVersion where the stream really stands', async () => {
    const first = await fx.store.append('access-a', [userRemoved('a')], appendOptions(NO_STREAM));
    const error = await fx.store.append('access-a', [userRemoved('b')], appendOptions(NO_STREAM)).catch((e) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersion);
    expect(error).toMatchObject({ stream: 'access-a', expected: NO_STREAM, actualPosition: first.position });
  });

  it("fails closed on an 'any' append behind a commit it cannot read", async () => {
    await fx.appendRaw('activity-a', Buffer.from('garbage'));
    await expect(fx.store.append('activity-a', [userRemoved('a')], appendOptions('any'))).rejects.toBeInstanceOf(EventDecodeError);
  });

  it('replaces a consumer lost in the middle of a read', async () => {
    // Far more than the reader pulls ahead (a few batches of 50), so pulls are left unanswered on the lost consumer.
    const written = await writeCommits(fx.store, 600, ['access-a', 'access-b']);
    const read: StoredEvent[] = [];
    for await (const e of fx.store.readAll()) {
      read.push(e);
      if (read.length === 10) await deleteConsumers();
    }
    expect(read).toEqual(written);
  });

  it('replaces a consumer lost under a live subscription', async () => {
    const before = await writeCommits(fx.store, 3, ['access-a']);
    const seen: StoredEvent[] = [];
    const sub = fx.store.subscribe({ afterPosition: 0, onEvent: (e) => void seen.push(e) });
    await sub.caughtUp;
    expect(seen).toEqual(before);
    await deleteConsumers();
    const after = await fx.store.append('access-b', [userRemoved('b')], appendOptions(NO_STREAM));
    await waitFor(() => seen.length === before.length + 1, 'the event after the consumer was lost', 15_000);
    expect(seen).toEqual([...before, ...after.events]);
    await sub.close();
  });

  it('bounds a batch by bytes as well as by messages', async () => {
    // 30 commits of 100 KB, then 300 small ones. The reader holds at most the batch being taken and two ahead, so
    // what it hands on at once is bounded by three batches of BATCH_BYTES (or of one message, if larger); counted
    // in messages alone (50) it would be 3 MB. Small messages come `batchSize` at a time again once sizes say so.
    const js = fx.nc.jetstream();
    const big = Buffer.alloc(100 * 1024, 'x');
    for (let i = 0; i < 30; i++) await js.publish(fx.subjects.events('activity-big'), big);
    for (let i = 0; i < 300; i++) await js.publish(fx.subjects.events('activity-small'), Buffer.from(`{"n":${i}}`));
    const jsm = await fx.nc.jetstreamManager();
    const range = { streamName: fx.subjects.streams.events, fromSeq: 1, toSeq: 330, batchSize: 50 };
    const batches: StoredMessage[][] = [];
    for await (const batch of readBatches(fx.nc, jsm, range)) batches.push(batch);

    expect(batches.flat().map((m) => m.seq)).toEqual(Array.from({ length: 330 }, (_, i) => i + 1));
    const bytes = (b: StoredMessage[]) => b.reduce((n, m) => n + m.data.length, 0);
    expect(Math.max(...batches.map(bytes))).toBeLessThanOrEqual(3 * Math.max(BATCH_BYTES, big.length));
    expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThanOrEqual(50);
  });

  it('leaves no consumers behind', async () => {
    await writeCommits(fx.store, 120, ['access-a', 'access-b']);
    await fx.store.readStream('access-a');
    await collect(fx.store.readAll());
    for await (const _ of fx.store.readAll()) break;
    const sub = fx.store.subscribe({ afterPosition: 0, onEvent: () => undefined });
    await sub.caughtUp;
    expect(await consumers()).toHaveLength(1);
    await sub.close();
    await eventually(async () => expect(await consumers()).toHaveLength(0), 5_000);
  });
});

describe('JetStreamEventStore under least privilege', () => {
  // A reader that may subscribe only to its own inbox prefix, as every service user is (deploy/nats/permissions.json).
  const config = `
accounts {
  APP {
    jetstream: enabled
    users: [
      { user: writer, password: writer }
      { user: reader, password: reader, permissions: { publish: { allow: ["$JS.API.>"] }, subscribe: { allow: ["_INBOX_reader.>"] } } }
    ]
  }
}`;
  let server: NatsHarness;
  beforeAll(async () => {
    server = await startNats({ spawn: true, config });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('reads through pulls answered on its own inbox', async () => {
    const s = subjects(`${server.prefix}-lp`);
    const writerNc = await connectNats({ url: server.url, user: 'writer', password: 'writer', name: 'writer' });
    const readerNc = await connectNats({ url: server.url, user: 'reader', password: 'reader', name: 'reader' });
    try {
      await ensureStreams(await writerNc.jetstreamManager(), s);
      const written = await writeCommits(new JetStreamEventStore({ nc: writerNc, subjects: s }), 300, ['access-a', 'access-b']);
      const reader = new JetStreamEventStore({ nc: readerNc, subjects: s, batchSize: 50 });
      expect(await collect(reader.readAll())).toEqual(written);
      expect((await reader.readStream('access-a')).events).toEqual(written.filter((e) => e.stream === 'access-a'));
    } finally {
      await writerNc.close();
      await readerNc.close();
    }
  });
});
