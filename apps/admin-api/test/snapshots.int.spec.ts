/**
 * Snapshots of the admin-api's read models on real NATS: a restart with a snapshot projects only the tail of the
 * log and ends with the read models a full replay builds (the reference: `projectAll` over every event); a corrupt
 * snapshot or one of another version (other ATTENTION_MAX_GROUPS) is ignored, logged, and the whole log replayed;
 * an unreadable event after the snapshot still stops the projection (fail closed).
 */
import { accessStream, subjects as subjectsOf, type StoredEvent } from '@twokey/contracts';
import { JetStreamEventStore } from '@twokey/event-store';
import { connectNats, ensureStreams, openSnapshotBucket } from '@twokey/messaging';
import { encodeReadModels, initialReadModels, projectAll } from '@twokey/read-models';
import { startNats, type NatsHarness } from '@twokey/test-support';
import type { NatsConnection } from 'nats';
import { createAdminApi, type AdminApi } from '../src/admin-api';
import { loadAdminApiConfig } from '../src/config';
import { READ_MODELS_SNAPSHOT_KIND } from '../src/projection/read-model-snapshots';
import { ADMIN_ID, eventually, memoryLogger, RPC_AUTH_SECRET, SESSION_SECRET, sha256hex, ADMIN_TOKEN } from './stack';
import { writeSyntheticLog } from './synthetic-log';

describe('admin-api read-model snapshots', () => {
  let nats: NatsHarness;
  let nc: NatsConnection;
  let store: JetStreamEventStore;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connectNats({ url: nats.url, name: 'snapshot-test' });
    await ensureStreams(await nc.jetstreamManager(), subjectsOf(nats.prefix));
    store = new JetStreamEventStore({ nc, subjects: subjectsOf(nats.prefix) });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.dispose();
  });

  async function start(env: Record<string, string> = {}) {
    const { log, lines } = memoryLogger('admin-api');
    const fatal: Error[] = [];
    const api = await createAdminApi(
      loadAdminApiConfig({
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        NATS_URL: nats.url,
        TWOKEY_SUBJECT_PREFIX: nats.prefix,
        ADMIN_TOKEN_HASHES: `${ADMIN_ID}:${sha256hex(ADMIN_TOKEN)}`,
        SESSION_SECRET,
        RPC_AUTH_SECRET,
        ATTENTION_MAX_GROUPS: '50',
        SNAPSHOT_EVERY_EVENTS: '1',
        SNAPSHOT_EVERY_SECONDS: '1',
        ...env,
      }),
      { log, onFatal: (e) => void fatal.push(e) },
    );
    return { api, lines, fatal };
  }

  const caughtUp = (lines: string[]) => JSON.parse(lines.find((l) => l.includes('projection caught up')) ?? '{}') as { snapshot: number | null; events: number };

  async function runUntilSnapshot(env: Record<string, string> = {}): Promise<{ api: AdminApi; lines: string[] }> {
    const r = await start(env);
    try {
      const head = await store.headPosition();
      await eventually(async () => (r.lines.some((l) => l.includes('read-models snapshot written') && l.includes(`"position":${head}`)) ? true : undefined), 15_000, 'a snapshot at the head');
    } finally {
      await r.api.close();
    }
    return r;
  }

  async function reference() {
    const events: StoredEvent[] = [];
    for await (const batch of store.readAllBatches(0)) events.push(...batch);
    return projectAll(initialReadModels({ maxAttentionGroups: 50 }), events);
  }

  it('a restart with a snapshot projects only the tail and ends with the read models of a full replay', async () => {
    await writeSyntheticLog(store, 3_000, ['telegram', 'slack'], 100);
    const first = await runUntilSnapshot();
    expect(caughtUp(first.lines)).toMatchObject({ snapshot: null, events: 3_000 });
    const snapshotAt = await store.headPosition();

    await writeSyntheticLog(store, 400, ['telegram', 'slack'], 100);
    const r = await start();
    try {
      await eventually(async () => (r.api.projection.isCaughtUp() ? true : undefined), 15_000, 'caught up');
      expect(r.lines.join('')).toContain('read-model snapshot loaded');
      expect(caughtUp(r.lines).snapshot).toBe(snapshotAt);
      expect(encodeReadModels(r.api.projection.models)).toEqual(encodeReadModels(await reference()));
      // The metrics' totals went on from the snapshot too: they count the whole log, as after a full replay.
      const byType = new Map<string, number>();
      for await (const batch of store.readAllBatches(0)) for (const e of batch) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
      expect(new Map(r.api.projection.eventsByType())).toEqual(byType);
      const metrics = await (await fetch(`${r.api.url}/metrics`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
      const denied = [...metrics.matchAll(/^twokey_admin_decisions_total\{[^}]*type="MessageDenied"[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
      const reference_ = await reference();
      expect(denied).toBe([...reference_.connections.values()].reduce((a, c) => a + c.deniedMessages, 0));
    } finally {
      await r.api.close();
    }
  });

  it('ignores a corrupt snapshot and one of another version, says so, and replays the whole log', async () => {
    const bucket = await openSnapshotBucket(nc.jetstream(), subjectsOf(nats.prefix), 'admin-api', { create: true });
    await bucket.putBlob({ name: READ_MODELS_SNAPSHOT_KIND }, Buffer.from('not a snapshot'));
    const corrupt = await start();
    try {
      await eventually(async () => (corrupt.api.projection.isCaughtUp() ? true : undefined), 15_000, 'caught up');
      expect(corrupt.lines.join('')).toContain('read-model snapshot ignored: replaying the whole log from the start');
      expect(caughtUp(corrupt.lines).snapshot).toBeNull();
      expect(encodeReadModels(corrupt.api.projection.models)).toEqual(encodeReadModels(await reference()));
      const head = await store.headPosition();
      await eventually(async () => (corrupt.lines.some((l) => l.includes('snapshot written') && l.includes(`"position":${head}`)) ? true : undefined), 15_000, 'a new snapshot');
    } finally {
      await corrupt.api.close();
    }

    // The snapshot just written keeps at most 50 Attention groups per connection: with 60 it is another version.
    const other = await start({ ATTENTION_MAX_GROUPS: '60', SNAPSHOT_EVERY_EVENTS: '100000000', SNAPSHOT_EVERY_SECONDS: '86400' });
    try {
      await eventually(async () => (other.api.projection.isCaughtUp() ? true : undefined), 15_000, 'caught up');
      const text = other.lines.join('');
      expect(text).toContain('read-model snapshot ignored: replaying the whole log from the start');
      expect(text).toContain('maxAttentionGroups 50, layout 1, this service folds read-models version read-models 1, maxAttentionGroups 60, layout 1');
      expect(caughtUp(other.lines).snapshot).toBeNull();
    } finally {
      await other.api.close();
    }
  });

  it('still stops on an unreadable event after a valid snapshot (fail closed)', async () => {
    await writeSyntheticLog(store, 100, ['telegram'], 100);
    await runUntilSnapshot();
    const body = {
      stream: accessStream('telegram'),
      firstVersion: 1_000_000,
      occurredAt: new Date().toISOString(),
      correlationId: 'corrupt',
      causationId: 'corrupt',
      actor: { type: 'admin', id: ADMIN_ID },
      events: [{ eventId: '0190a0b0-c0d0-7e0f-8a0b-0c0d0e0f1011', type: 'UserTeleported', schemaVersion: 1, data: {} }],
    };
    const bad = (await nc.jetstream().publish(subjectsOf(nats.prefix).events(accessStream('telegram')), JSON.stringify(body))).seq;
    const r = await start();
    try {
      await eventually(async () => (r.fatal.length > 0 ? true : undefined), 15_000, 'the projection stops');
      expect(r.lines.join('')).toContain('read-model snapshot loaded');
      expect(r.fatal[0].message).toContain(`position ${bad}`);
      expect(r.api.projection.isCaughtUp()).toBe(false);
    } finally {
      await r.api.close();
    }
  });
});
