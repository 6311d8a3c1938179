import { CURRENT_SCHEMA_VERSION, StoredEvent } from '@twokey/contracts';
import { EventDecodeError } from '../errors';
import { NO_STREAM } from '../event-store';
import type { ContractContext } from '../event-store.contract';
import { appendOptions, collect, eventually, sleep, userRemoved, waitFor, writeCommits } from './support';

const positions = (events: StoredEvent[]) => events.map((e) => e.position);

export function subscribeContract(ctx: ContractContext): void {
  it('catches up, then goes live, without gap or duplicate while others write', async () => {
    const { store } = ctx;
    await writeCommits(store, 40, ['access-a', 'activity-a']);
    const writers = await Promise.all([ctx.fx.openStore(), ctx.fx.openStore(), ctx.fx.openStore()]);
    const headBefore = await store.headPosition();

    const seen: StoredEvent[] = [];
    // Concurrent writers during the catch-up, and a handler slow enough for them to get ahead of it.
    const writing = Promise.all(writers.map((w, i) => writeCommits(w, 30, [`access-w${i}`], `w${i}-`)));
    const sub = store.subscribe({
      afterPosition: 0,
      onEvent: async (e) => {
        seen.push(e);
        if (seen.length % 16 === 0) await sleep(1);
      },
    });
    await sub.caughtUp;
    expect(positions(seen).filter((p) => p <= headBefore)).toEqual(
      positions((await collect(store.readAll())).filter((e) => e.position <= headBefore)),
    );
    await writing;
    await writeCommits(store, 20, ['access-a'], 'live-');

    const all = await collect(store.readAll());
    await waitFor(() => seen.length >= all.length, `${all.length} events`);
    await sleep(50);
    expect(seen).toEqual(all);
    expect(sub.position()).toBe(all[all.length - 1].position);
    await sub.close();

    await store.append('access-late', [userRemoved('late')], appendOptions(NO_STREAM));
    await sleep(100);
    expect(seen).toHaveLength(all.length);
  });

  it('starts after the given position and is caught up at once when there is nothing to catch up', async () => {
    const { store } = ctx;
    const written = await writeCommits(store, 10, ['access-a']);
    const middle = written[5].position;
    const seen: StoredEvent[] = [];
    const sub = store.subscribe({ afterPosition: middle, onEvent: (e) => void seen.push(e) });
    await sub.caughtUp;
    expect(seen).toEqual(written.filter((e) => e.position > middle));
    await sub.close();

    const head = await store.headPosition();
    const idle = store.subscribe({ afterPosition: head, onEvent: () => undefined });
    await idle.caughtUp;
    expect(idle.position()).toBe(head);
    await idle.close();
  });

  it('resumes after the server restarts: new events arrive, none twice, and appends work again', async () => {
    const restart = ctx.fx.restartServer;
    if (!restart) throw new Error('this fixture cannot restart its server, so it cannot prove reconnects');
    const { store } = ctx;
    await writeCommits(store, 5, ['access-r']);
    const seen: StoredEvent[] = [];
    const errors: Error[] = [];
    const sub = store.subscribe({ afterPosition: 0, onEvent: (e) => void seen.push(e), onError: (e) => void errors.push(e) });
    await sub.caughtUp;

    await restart();
    await eventually(() => store.append('activity-r', [userRemoved('after-restart')], appendOptions('any')));
    await writeCommits(store, 5, ['access-r'], 'again-');

    const all = await collect(store.readAll());
    await waitFor(() => seen.length >= all.length, `${all.length} events after the restart`, 30_000);
    await sleep(50);
    expect(seen).toEqual(all);
    expect(errors).toEqual([]);
    await sub.close();
  });

  it('delivers upcast events', async () => {
    await ctx.store.append('access-u', [userRemoved('U1')], appendOptions(NO_STREAM));
    const newer = await ctx.fx.openStore({
      schemaVersions: { UserRemoved: CURRENT_SCHEMA_VERSION + 1 },
      upcasters: [{ type: 'UserRemoved', fromVersion: CURRENT_SCHEMA_VERSION, upcast: () => ({ userId: 'upcast' }) }],
    });
    const seen: StoredEvent[] = [];
    const sub = newer.subscribe({ afterPosition: 0, onEvent: (e) => void seen.push(e) });
    await sub.caughtUp;
    expect(seen).toMatchObject([{ schemaVersion: CURRENT_SCHEMA_VERSION + 1, data: { userId: 'upcast' } }]);
    await sub.close();
  });

  it('stops on a commit it cannot decode and reports it through onError', async () => {
    const { store } = ctx;
    const good = await store.append('access-x', [userRemoved('U1')], appendOptions(NO_STREAM));
    await ctx.fx.appendRaw('access-x', Buffer.from('not json at all'));
    const badPosition = await store.headPosition();

    const seen: StoredEvent[] = [];
    let reported: (e: Error) => void = () => undefined;
    const error = new Promise<Error>((resolve) => (reported = resolve));
    const sub = store.subscribe({ afterPosition: 0, onEvent: (e) => void seen.push(e), onError: (e) => reported(e) });

    expect(await error).toBeInstanceOf(EventDecodeError);
    expect(await error).toMatchObject({ position: badPosition });
    await expect(sub.caughtUp).rejects.toBeInstanceOf(EventDecodeError);
    expect(seen).toEqual(good.events);
    expect(sub.position()).toBe(good.position);

    await store.append('access-y', [userRemoved('U2')], appendOptions(NO_STREAM));
    await sleep(100);
    expect(seen).toEqual(good.events);
    await sub.close();
  });

  it('stops when the handler throws and reports the handler error', async () => {
    const { store } = ctx;
    const written = await writeCommits(store, 3, ['access-a']);
    const boom = new Error('projection failed');
    const errors: Error[] = [];
    const sub = store.subscribe({
      afterPosition: 0,
      onEvent: (e) => {
        if (e.position === written[written.length - 1].position) throw boom;
      },
      onError: (e) => void errors.push(e),
    });
    await waitFor(() => errors.length > 0, 'onError');
    expect(errors).toEqual([boom]);
    // The failed commit is not counted as delivered: a restart from position() sees it again.
    expect(sub.position()).toBe(written[written.length - 2].position);
    await sub.close();
  });
}
