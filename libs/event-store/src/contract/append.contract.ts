import { ContractViolation, CURRENT_SCHEMA_VERSION, EventEnvelopeMeta, StoredEvent } from '@twokey/contracts';
import { WrongExpectedVersion } from '../errors';
import { NO_STREAM } from '../event-store';
import type { ContractContext } from '../event-store.contract';
import { ADMIN, appendOptions, appendWithRetry, range, tokenRevoked, userRemoved, UUID_V7, versionsOf } from './support';

export function appendContract(ctx: ContractContext): void {
  it('round-trips events with their full envelope', async () => {
    const { store } = ctx;
    const at = new Date('2030-01-02T03:04:05.678Z');
    const first = await store.append('access-c1', [userRemoved('u1'), tokenRevoked('t1')], appendOptions(NO_STREAM, { occurredAt: at }));

    expect(first.position).toBeGreaterThan(0);
    expect(first.revision).toEqual({ version: 2, position: first.position });
    const envelope = { schemaVersion: CURRENT_SCHEMA_VERSION, stream: 'access-c1', position: first.position,
      occurredAt: at.toISOString(), correlationId: 'corr-1', causationId: 'cause-1', actor: ADMIN };
    expect(first.events).toEqual([
      { ...envelope, eventId: expect.stringMatching(UUID_V7), streamVersion: 1, type: 'UserRemoved', data: { userId: 'u1' } },
      { ...envelope, eventId: expect.stringMatching(UUID_V7), streamVersion: 2, type: 'TokenRevoked', data: { tokenId: 't1' } },
    ]);
    for (const e of first.events) expect(EventEnvelopeMeta.safeParse(e).success).toBe(true);
    expect(first.events[0].eventId < first.events[1].eventId).toBe(true);

    const read = await store.readStream('access-c1');
    expect(read).toEqual({ events: first.events, revision: first.revision });

    const before = Date.now();
    const second = await store.append('access-c1', [userRemoved('u2')], appendOptions(read.revision));
    expect(second.position).toBeGreaterThan(first.position);
    expect(second.revision).toEqual({ version: 3, position: second.position });
    expect(second.events[0]).toMatchObject({ streamVersion: 3, position: second.position });
    expect(second.events[0].eventId > first.events[1].eventId).toBe(true);
    expect(Date.parse(second.events[0].occurredAt)).toBeGreaterThanOrEqual(before - 1);

    expect(await store.readStream('access-c1')).toEqual({ events: [...first.events, ...second.events], revision: second.revision });
    expect(await store.readStream('access-nobody')).toEqual({ events: [], revision: NO_STREAM });
    expect(await store.headPosition()).toBe(second.position);
  });

  it('refuses events whose data breaks their schema and stores nothing', async () => {
    const { store } = ctx;
    const bad = { type: 'UserRemoved', data: { userId: '' } } as const;
    await expect(store.append('access-c1', [bad], appendOptions(NO_STREAM))).rejects.toBeInstanceOf(ContractViolation);
    await expect(store.append('access-c1', [], appendOptions(NO_STREAM))).rejects.toThrow();
    expect(await store.headPosition()).toBe(0);
  });

  it('lets exactly one of several concurrent appenders win each round; the losers get WrongExpectedVersion', async () => {
    const writers = [ctx.store, ...(await Promise.all(range(4).map(() => ctx.fx.openStore())))];
    const stream = 'access-race';
    for (const round of range(4)) {
      const { revision } = await ctx.store.readStream(stream);
      const results = await Promise.allSettled(
        writers.map((w, i) => w.append(stream, [userRemoved(`r${round}w${i}`)], appendOptions(revision))),
      );
      const winners = results.filter((r) => r.status === 'fulfilled');
      const losers = results.flatMap((r, i) => (r.status === 'rejected' ? [{ reason: r.reason as unknown, i }] : []));
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(writers.length - 1);
      for (const { reason, i } of losers) {
        expect(reason).toBeInstanceOf(WrongExpectedVersion);
        expect(reason).toMatchObject({ stream, expected: revision });
        // What a command handler does next: re-read, re-decide, append again.
        await appendWithRetry(writers[i], stream, [userRemoved(`r${round}w${i}`)]);
      }
    }
    const { events, revision } = await ctx.store.readStream(stream);
    const total = writers.length * 4;
    expect(versionsOf(events, stream)).toEqual(range(total));
    expect(revision.version).toBe(total);
    expect(new Set(events.map((e) => (e.data as { userId: string }).userId)).size).toBe(total);
  });

  it('rejects a stale or invented expectation', async () => {
    const { store } = ctx;
    const first = await store.append('access-c2', [userRemoved('a')], appendOptions(NO_STREAM));
    await expect(store.append('access-c2', [userRemoved('b')], appendOptions(NO_STREAM))).rejects.toBeInstanceOf(WrongExpectedVersion);
    await expect(store.append('access-new', [userRemoved('c')], appendOptions(first.revision))).rejects.toBeInstanceOf(WrongExpectedVersion);
    expect((await store.readStream('access-c2')).events).toEqual(first.events);
    expect((await store.readStream('access-new')).events).toEqual([]);
  });

  it("appends with expected 'any' from several writers at once, keeping stream versions dense", async () => {
    const writers = [ctx.store, await ctx.fx.openStore(), await ctx.fx.openStore()];
    const stream = 'activity-c1';
    const results = await Promise.all(
      writers.flatMap((w, wi) => range(8).map((i) => w.append(stream, [tokenRevoked(`w${wi}-${i}`)], appendOptions('any')))),
    );
    const { events, revision } = await ctx.store.readStream(stream);
    expect(versionsOf(events, stream)).toEqual(range(24));
    expect(revision).toEqual({ version: 24, position: events[23].position });
    const stored = new Map(events.map((e) => [e.eventId, e]));
    for (const r of results) expect(stored.get(r.events[0].eventId)).toEqual(r.events[0]);

    // 'any' and checked appends mix on one stream.
    const checked = await ctx.store.append(stream, [tokenRevoked('checked')], appendOptions(revision));
    const anyAfter = await writers[1].append(stream, [tokenRevoked('any-after')], appendOptions('any'));
    expect(checked.events[0].streamVersion).toBe(25);
    expect(anyAfter.events[0].streamVersion).toBe(26);
  });

  it('stores a commit once per dedupeId and answers a retry with the stored commit', async () => {
    const { store } = ctx;
    const first = await store.append('access-d', [userRemoved('u1')], appendOptions(NO_STREAM, { dedupeId: 'cmd-42' }));
    const retried = await store.append('access-d', [userRemoved('u1')], appendOptions(NO_STREAM, { dedupeId: 'cmd-42' }));
    const other = await ctx.fx.openStore();
    const retriedAny = await other.append('access-d', [userRemoved('u1')], appendOptions('any', { dedupeId: 'cmd-42' }));
    expect(retried).toEqual(first);
    expect(retriedAny).toEqual(first);
    expect((await store.readStream('access-d')).events).toEqual(first.events);
    expect(await store.headPosition()).toBe(first.position);

    const next = await store.append('access-d', [userRemoved('u2')], appendOptions(first.revision, { dedupeId: 'cmd-43' }));
    expect(next.position).toBeGreaterThan(first.position);
    const all: StoredEvent[] = (await store.readStream('access-d')).events;
    expect(all.map((e) => e.streamVersion)).toEqual([1, 2]);
  });
}
