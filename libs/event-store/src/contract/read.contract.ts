import { CURRENT_SCHEMA_VERSION, StoredEvent } from '@twokey/contracts';
import { EventDecodeError } from '../errors';
import { NO_STREAM } from '../event-store';
import type { ContractContext } from '../event-store.contract';
import type { Upcaster } from '../upcasting';
import { appendOptions, collect, userRemoved, versionsOf, writeCommits } from './support';

const NEXT = CURRENT_SCHEMA_VERSION + 1;
const prefixUserId: Upcaster = {
  type: 'UserRemoved',
  fromVersion: CURRENT_SCHEMA_VERSION,
  upcast: (data) => ({ userId: `v${NEXT}:${(data as { userId: string }).userId}` }),
};

export function readContract(ctx: ContractContext): void {
  it('reads every commit in global order across streams, from any position', async () => {
    const { store } = ctx;
    const streams = ['access-a', 'activity-a', 'access-b'];
    // More commits than one pull holds, so the read has to go on batch after batch.
    const written = await writeCommits(store, 600, streams);

    const all = await collect(store.readAll());
    expect(all).toEqual(written);
    for (let i = 1; i < all.length; i++) expect(all[i].position).toBeGreaterThanOrEqual(all[i - 1].position);
    for (const s of streams) expect(versionsOf(all, s)).toEqual(versionsOf(written, s).map((_, i) => i + 1));

    const middle = written[Math.floor(written.length / 2)].position;
    expect(await collect(store.readAll(middle))).toEqual(written.filter((e) => e.position > middle));
    expect(await collect(store.readAll(await store.headPosition()))).toEqual([]);

    // The same events a batch at a time: none empty, and no commit split across two of them.
    const batches = await collect(store.readAllBatches());
    expect(batches.flat()).toEqual(written);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(b.length).toBeGreaterThan(0);
    for (let i = 1; i < batches.length; i++) expect(batches[i][0].position).toBeGreaterThan(batches[i - 1].at(-1)!.position);
    expect((await collect(store.readAllBatches(middle))).flat()).toEqual(written.filter((e) => e.position > middle));
    expect(await collect(store.readAllBatches(await store.headPosition()))).toEqual([]);
    expect((await store.readStream('access-b')).events).toEqual(written.filter((e) => e.stream === 'access-b'));
  });

  it('reads lazily: a reader may stop early, and the store reads on afterwards', async () => {
    const { store } = ctx;
    const written = await writeCommits(store, 30, ['access-a']);
    const firstTwo: StoredEvent[] = [];
    for await (const e of store.readAll()) {
      firstTwo.push(e);
      if (firstTwo.length === 2) break;
    }
    expect(firstTwo).toEqual(written.slice(0, 2));
    expect(await collect(store.readAll())).toEqual(written);
  });

  it('reads an empty store as empty', async () => {
    expect(await collect(ctx.store.readAll())).toEqual([]);
    expect(await collect(ctx.store.readAllBatches())).toEqual([]);
    expect(await ctx.store.headPosition()).toBe(0);
    expect(await ctx.store.readStream('access-a')).toEqual({ events: [], revision: NO_STREAM });
  });

  it('upcasts an old schema version on read, with the upcasters of the reading code', async () => {
    const old = await ctx.store.append('access-u', [userRemoved('U1')], appendOptions(NO_STREAM));
    expect(old.events[0].schemaVersion).toBe(CURRENT_SCHEMA_VERSION);

    const newer = await ctx.fx.openStore({ schemaVersions: { UserRemoved: NEXT }, upcasters: [prefixUserId] });
    const upcast = { ...old.events[0], schemaVersion: NEXT, data: { userId: `v${NEXT}:U1` } };
    expect((await newer.readStream('access-u')).events).toEqual([upcast]);
    expect(await collect(newer.readAll())).toEqual([upcast]);

    // The newer code writes its own version, which is read as is.
    const written = await newer.append('access-u', [userRemoved('U2')], appendOptions(old.revision));
    expect(written.events[0]).toMatchObject({ schemaVersion: NEXT, data: { userId: 'U2' } });
    expect((await newer.readStream('access-u')).events).toEqual([upcast, written.events[0]]);

    // Older code cannot read what newer code wrote, and a missing step cannot be skipped: both fail closed.
    await expect(ctx.store.readStream('access-u')).rejects.toMatchObject({ name: 'EventDecodeError', position: written.position });
    const gap = await ctx.fx.openStore({ schemaVersions: { UserRemoved: NEXT + 1 }, upcasters: [prefixUserId] });
    await expect(gap.readStream('access-u')).rejects.toBeInstanceOf(EventDecodeError);
  });

  it('fails closed on a commit it cannot decode, naming its position', async () => {
    const { store } = ctx;
    const good = await store.append('access-x', [userRemoved('U1')], appendOptions(NO_STREAM));
    await ctx.fx.appendRaw('access-x', Buffer.from('{"stream": "access-x", "events": [ garbage'));
    const badPosition = await store.headPosition();
    const other = await store.append('access-y', [userRemoved('U2')], appendOptions(NO_STREAM));

    await expect(store.readStream('access-x')).rejects.toMatchObject({ name: 'EventDecodeError', position: badPosition });
    expect((await store.readStream('access-y')).events).toEqual(other.events);

    const seen: StoredEvent[] = [];
    let failure: unknown;
    try {
      for await (const e of store.readAll()) seen.push(e);
    } catch (e) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(EventDecodeError);
    expect((failure as EventDecodeError).position).toBe(badPosition);
    expect(seen).toEqual(good.events);
    expect(await collect(store.readAll(badPosition))).toEqual(other.events);

    // A batch reader gets the same events, then the same error.
    const batched: StoredEvent[] = [];
    failure = undefined;
    try {
      for await (const batch of store.readAllBatches()) batched.push(...batch);
    } catch (e) {
      failure = e;
    }
    expect(failure).toMatchObject({ name: 'EventDecodeError', position: badPosition });
    expect(batched).toEqual(good.events);
  });
}
