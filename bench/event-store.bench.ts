/**
 * 3. Event store (JetStreamEventStore, in this process): sequential optimistic-concurrency appends to one stream,
 * 50 concurrent appenders on distinct streams, and reading back an aggregate of 1,000 events. The baseline is raw
 * JetStream: the same bytes published with the same headers (Nats-Expected-Last-Subject-Sequence, Nats-Msg-Id),
 * and the same 1,000 messages read by a raw consumer without decoding.
 */
import type { DomainEvent, Initiator } from '@twokey/contracts';
import { JetStreamEventStore, NO_STREAM, type StreamRevision } from '@twokey/event-store';
import type { JetStreamClient } from 'nats';
import { type Bench, type BenchContext, verdict } from './lib/bench';
import { type BenchNats, startBenchNats } from './lib/nats';
import { nowMs, perSecond } from './lib/stats';
import type { Row } from './lib/table';

const ACTOR: Initiator = { type: 'admin', id: 'bench-admin', name: 'Bench Admin' };
const CONCURRENT = 50;
const AGGREGATE = 1_000;

/** A typical access event (an allowlisted user) — the aggregate that uses optimistic concurrency. */
const event = (i: number): DomainEvent => ({
  type: 'UserApproved',
  data: { user: { id: `u${i}`, displayName: `User ${i}`, username: `user${i}` }, how: 'manual' },
});

/** Appends `n` events one at a time to `stream`, each expecting the revision the previous one produced. */
async function appendSequential(store: JetStreamEventStore, stream: string, n: number, offset = 0): Promise<void> {
  let revision: StreamRevision = NO_STREAM;
  for (let i = 0; i < n; i++) {
    const id = `${stream}-${i}`;
    const r = await store.append(stream, [event(offset + i)], { expectedVersion: revision, correlationId: id, causationId: id, actor: ACTOR, dedupeId: id });
    revision = r.revision;
  }
}

/** The same JetStream publishes without the store: a commit-sized body and the same two headers. */
async function rawSequential(js: JetStreamClient, nats: BenchNats, stream: string, n: number, body: Uint8Array): Promise<void> {
  let last = 0;
  for (let i = 0; i < n; i++) {
    const ack = await js.publish(nats.s.events(stream), body, { msgID: `${stream}-${i}`, expect: { lastSubjectSequence: last } });
    last = ack.seq;
  }
}

/** Bytes of one stored commit of `event(0)`, so the baseline moves the same amount of data. */
async function commitBytes(nats: BenchNats, store: JetStreamEventStore): Promise<Uint8Array> {
  await store.append('sizing', [event(0)], { expectedVersion: NO_STREAM, correlationId: 'sizing', causationId: 'sizing', actor: ACTOR });
  const msg = await nats.jsm.streams.getMessage(nats.s.streams.events, { last_by_subj: nats.s.events('sizing') });
  return msg.data;
}

/** Bare client ↔ server round trips (PING/PONG via flush): the floor under any request the store makes. */
async function pingPong(nats: BenchNats, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await nats.nc.flush();
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = nowMs();
  await fn();
  return nowMs() - t0;
}

async function rawRead(nats: BenchNats, stream: string): Promise<number> {
  const consumer = await nats.js.consumers.get(nats.s.streams.events, { filterSubjects: nats.s.events(stream) });
  let n = 0;
  for await (const m of await consumer.fetch({ max_messages: AGGREGATE, expires: 5_000 })) {
    n++;
    void m;
  }
  return n;
}

export const eventStoreBench: Bench = {
  id: '3',
  title: 'event store',
  async run(ctx: BenchContext) {
    const sequential = ctx.quick ? 3_000 : 20_000;
    const perAppender = ctx.quick ? 60 : 400;
    const nats = await startBenchNats();
    try {
      ctx.recordStores(await nats.durability());
      const store = new JetStreamEventStore({ nc: nats.nc, subjects: nats.s });
      const body = await commitBytes(nats, store);
      // Warm-up: JIT (the store's encode path needs a few thousand calls to be optimized) and the first file blocks.
      await appendSequential(store, 'warm-store', 2_000);
      await rawSequential(nats.js, nats, 'warm-raw', 2_000, body);

      ctx.log(`event store: ${sequential} sequential appends (store, then raw)`);
      const seqStore = perSecond(sequential, await timed(() => appendSequential(store, 'access-seq', sequential)));
      const seqRaw = perSecond(sequential, await timed(() => rawSequential(nats.js, nats, 'raw-seq', sequential, body)));
      await pingPong(nats, 2_000);
      const roundTrips = perSecond(sequential, await timed(() => pingPong(nats, sequential)));

      ctx.log(`event store: ${CONCURRENT} concurrent appenders × ${perAppender}`);
      const total = CONCURRENT * perAppender;
      const concStore = perSecond(total, await timed(() => Promise.all(Array.from({ length: CONCURRENT }, (_, a) => appendSequential(store, `access-c${a}`, perAppender)))));
      const concRaw = perSecond(total, await timed(() => Promise.all(Array.from({ length: CONCURRENT }, (_, a) => rawSequential(nats.js, nats, `raw-c${a}`, perAppender, body)))));

      ctx.log(`event store: reading back an aggregate of ${AGGREGATE} events`);
      await appendSequential(store, 'access-agg', AGGREGATE);
      await rawSequential(nats.js, nats, 'raw-agg', AGGREGATE, body);
      let read = 0;
      const readStoreMs = await timed(async () => (read = (await store.readStream('access-agg')).events.length));
      let rawCount = 0;
      const readRawMs = await timed(async () => (rawCount = await rawRead(nats, 'raw-agg')));
      if (read !== AGGREGATE || rawCount !== AGGREGATE) throw new Error(`read back ${read} events (store) and ${rawCount} (raw), expected ${AGGREGATE}`);

      const rows: Row[] = [
        {
          name: `3. sequential appends, one stream (${sequential.toLocaleString('en-US')})`,
          target: '≥ 10,000 appends/s',
          measured: seqStore,
          baseline: seqRaw,
          ratio: seqStore / seqRaw,
          unit: 'appends/s',
          verdict: verdict(seqStore >= 10_000),
          note: 'each append waits for its ack (Nats-Expected-Last-Subject-Sequence): one round trip to nats-server per append bounds both columns',
        },
        {
          name: '3. floor: bare round trips to nats-server (PING/PONG)',
          target: 'info',
          measured: roundTrips,
          baseline: seqRaw,
          ratio: roundTrips / seqRaw,
          unit: 'round trips/s',
          verdict: 'info',
          note: 'a client flush (PING → PONG) does no work on the server: no sequential append, by any client, can beat this rate; baseline = raw JetStream publish',
        },
        {
          name: `3. ${CONCURRENT} concurrent appenders, distinct streams`,
          target: 'info',
          measured: concStore,
          baseline: concRaw,
          ratio: concStore / concRaw,
          unit: 'appends/s',
          verdict: 'info',
        },
        {
          name: `3. read back an aggregate of ${AGGREGATE.toLocaleString('en-US')} events`,
          target: 'info',
          measured: readStoreMs,
          baseline: readRawMs,
          ratio: readStoreMs / readRawMs,
          unit: 'ms',
          verdict: 'info',
          note: 'store = readStream (decode + validate every event); baseline = raw consumer fetch of the same 1,000 messages; ratio: lower is better',
        },
      ];
      return rows;
    } finally {
      await nats.close();
    }
  },
};
