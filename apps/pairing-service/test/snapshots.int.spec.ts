/**
 * Snapshots of the pairing-service's state on real NATS: a restart with a snapshot folds only the tail of the log
 * and ends in the state a full fold of the whole log builds (the reference: a fresh registry fed every event); a
 * corrupt snapshot or one of another version is ignored, said so in the log, and the whole log is folded; an
 * unreadable event after the snapshot still stops the service (fail closed).
 */
import { gzipSync } from 'node:zlib';
import { accessStream, activityStream, type DomainEvent } from '@twokey/contracts';
import { ensureStreams, openSnapshotBucket, SnapshotStore } from '@twokey/messaging';
import { startNats, type NatsHarness } from '@twokey/test-support';
import { createPairingService } from '../src/pairing-service';
import { AccessRegistry, type RegistryImage } from '../src/state/access-registry';
import { PAIRING_SNAPSHOT_KIND, PAIRING_SNAPSHOT_VERSION } from '../src/state/state-snapshots';
import { ADMIN, inbound, LogCapture, NatsClient, testConfig, until } from './support';

const HMAC = 'c'.repeat(64);
/** One durable consumer, as every replica of a deployment shares: a snapshot is valid for its consumer only. */
const CONSUMER = 'pairing-service';

describe('pairing-service snapshots', () => {
  let nats: NatsHarness;
  let client: NatsClient;
  let n = 0;

  beforeAll(async () => {
    nats = await startNats();
    client = await NatsClient.connect(nats);
    await ensureStreams(client.jsm, client.s);
  });
  afterAll(async () => {
    await client?.close();
    await nats?.dispose();
  });

  /** Approvals, tokens, observations and denials (with the inbound sequences they count) of two connections. */
  async function writeLog(commits: number): Promise<number> {
    let events = 0;
    for (let i = 0; i < commits; i++) {
      const connection = i % 2 === 0 ? 'telegram' : 'slack';
      n++;
      const at = new Date(Date.now() - 60_000 + n).toISOString();
      const actor = { id: `s${n % 7}`, displayName: `Stranger ${n % 7}` };
      const access: DomainEvent[] = [
        { type: 'UserApproved', data: { user: { id: `u${n}`, displayName: `User ${n}` }, how: 'manual' } },
        { type: 'PairingTokenIssued', data: { tokenId: `t${n}`, purpose: 'user', codeHmac: HMAC, expiresAt: new Date(Date.now() + 600_000).toISOString() } },
      ];
      if (n % 3 === 0) {
        access.push({
          type: 'TokenObserved',
          data: { tokenId: `t${n}`, observationId: `o${n}`, purpose: 'user', actor, conversation: { id: actor.id, kind: 'dm' }, platformMessageId: `p${n}`, expiresAt: new Date(Date.now() + 600_000).toISOString() },
        });
      }
      if (n % 5 === 0) access.push({ type: 'UserRemoved', data: { userId: `u${n - 1}` } });
      const meta = { expectedVersion: 'any' as const, correlationId: `c${n}`, causationId: `c${n}` };
      await client.store.append(accessStream(connection), access, { ...meta, actor: ADMIN });
      await client.store.append(
        activityStream(connection),
        [{ type: 'MessageDenied', data: { reason: n % 2 ? 'pairing-code-invalid' : 'user-not-allowlisted', actor, conversation: { id: actor.id, kind: 'dm' }, count: 2, firstSeenAt: at, lastSeenAt: at, inboundSequences: [1_000 + 2 * n, 1_001 + 2 * n] } }],
        { ...meta, actor: { type: 'system', id: 'pairing-service' } },
      );
      events += access.length + 1;
    }
    return events;
  }

  /** The reference: every event of the log folded into a fresh registry, as a start without snapshot does. */
  async function fullFold(): Promise<RegistryImage> {
    const registry = new AccessRegistry();
    for await (const batch of client.store.readAllBatches(0)) for (const e of batch) registry.applyFromFeed(e);
    const image = registry.image();
    if (!image) throw new Error('no image');
    return image;
  }

  async function snapshots(): Promise<SnapshotStore> {
    const bucket = await openSnapshotBucket(client.nc.jetstream(), client.s, 'pairing-service', { create: true });
    return new SnapshotStore(bucket, client.jsm, client.s.streams.events, PAIRING_SNAPSHOT_KIND, `${PAIRING_SNAPSHOT_VERSION}, consumer ${CONSUMER}`);
  }

  /** Runs the service until it has written a snapshot at the log's head; returns its log lines. */
  async function runUntilSnapshot(consumer: string): Promise<LogCapture> {
    const logs = new LogCapture();
    const service = createPairingService(testConfig(nats, { CONSUMER_NAME: consumer, SNAPSHOT_EVERY_EVENTS: '1', SNAPSHOT_EVERY_SECONDS: '1' }), {
      logger: logs.logger,
      onFatal: (e) => {
        throw e;
      },
    });
    await service.start();
    try {
      const head = await client.store.headPosition();
      await until('a snapshot at the head', () => logs.lines.some((l) => l.includes('snapshot written') && l.includes(`"position":${head}`)));
    } finally {
      await service.stop();
    }
    return logs;
  }

  const rehydrated = (logs: LogCapture) => JSON.parse(logs.lines.find((l) => l.includes('state rehydrated')) ?? '{}') as { snapshot: number | null; events: number };

  it('a restart with a snapshot folds only the tail and ends in the state of a full fold', async () => {
    const before = await writeLog(40);
    const first = await runUntilSnapshot(CONSUMER);
    expect(rehydrated(first)).toMatchObject({ snapshot: null, events: before });
    const snapshotAt = await client.store.headPosition();

    const tail = await writeLog(10);
    const second = await runUntilSnapshot(CONSUMER);
    expect(second.text).toContain('state snapshot loaded');
    // Only the events after the snapshot were read.
    expect(rehydrated(second)).toMatchObject({ snapshot: snapshotAt, events: tail });

    const loaded = await (await snapshots()).load();
    if (loaded.status !== 'loaded') throw new Error(`snapshot ${loaded.status}`);
    const restored = JSON.parse(loaded.body.toString('utf8')) as RegistryImage;
    expect(restored.position).toBe(await client.store.headPosition());
    expect(restored).toEqual(JSON.parse(JSON.stringify(await fullFold())));

    // And it decides on that state: a user approved before the snapshot is admitted.
    const logs = new LogCapture();
    const service = createPairingService(testConfig(nats, { CONSUMER_NAME: CONSUMER }), { logger: logs.logger, onFatal: () => undefined });
    await service.start();
    try {
      const seq = await client.publish(inbound({ actor: { id: 'u3' }, text: 'hello after a snapshot' }));
      await until('admitted', async () => (await client.jsm.streams.info(client.s.streams.admitted)).state.messages > 0 || undefined);
      expect(seq).toBeGreaterThan(0);
    } finally {
      await service.stop();
    }
  });

  it('ignores a corrupt snapshot and one of another version, says so, and folds the whole log', async () => {
    const store = await snapshots();
    const total = (await fullFold()).position;
    const bucket = await openSnapshotBucket(client.nc.jetstream(), client.s, 'pairing-service', { create: true });

    await bucket.putBlob({ name: PAIRING_SNAPSHOT_KIND }, Buffer.from('{"kind":"pairing-state","version":"garbage\n{{{{'));
    const corrupt = await startAndStop();
    expect(corrupt.text).toContain('state snapshot ignored: folding the whole log from the start');
    expect(corrupt.text).toContain('its header cannot be read');
    expect(rehydrated(corrupt).snapshot).toBeNull();

    // A valid header over a body that was changed afterwards.
    const good = await store.save(total, Buffer.from(JSON.stringify(await fullFold())));
    const forged = gzipSync(JSON.stringify({ ...(await fullFold()), observed: ['forged'] }));
    const tampered = Buffer.concat([Buffer.from(`${JSON.stringify(good)}\n`), forged]);
    await bucket.putBlob({ name: PAIRING_SNAPSHOT_KIND }, tampered);
    const changed = await startAndStop();
    expect(changed.text).toContain('its body does not match its digest');

    const stale = new SnapshotStore(bucket, client.jsm, client.s.streams.events, PAIRING_SNAPSHOT_KIND, 'registry 0, access-state 0');
    await stale.save(total, Buffer.from(JSON.stringify(await fullFold())));
    const old = await startAndStop();
    expect(old.text).toContain('state snapshot ignored: folding the whole log from the start');
    expect(old.text).toContain('version registry 0, access-state 0');

    // A valid snapshot, but taken for another consumer (its counted sequences were pruned at that one's ack floor).
    await store.save(total, Buffer.from(JSON.stringify(await fullFold())));
    const logs = new LogCapture();
    const service = createPairingService(testConfig(nats, { CONSUMER_NAME: 'another-consumer', SNAPSHOT_EVERY_SECONDS: '3600', SNAPSHOT_EVERY_EVENTS: '100000000' }), { logger: logs.logger, onFatal: () => undefined });
    await service.start();
    await service.stop();
    expect(logs.text).toContain(`this service folds pairing-state version ${PAIRING_SNAPSHOT_VERSION}, consumer another-consumer`);

    for (const logs of [corrupt, changed, old]) {
      expect(rehydrated(logs).snapshot).toBeNull();
      expect(rehydrated(logs).events).toBeGreaterThanOrEqual(total);
    }
  });

  it('still stops on an unreadable event after a valid snapshot (fail closed)', async () => {
    await writeLog(2);
    await runUntilSnapshot(CONSUMER);
    const body = {
      stream: accessStream('telegram'),
      firstVersion: 10_000,
      occurredAt: new Date().toISOString(),
      correlationId: 'corrupt',
      causationId: 'corrupt',
      actor: ADMIN,
      events: [{ eventId: '0190a0b0-c0d0-7e0f-8a0b-0c0d0e0f1011', type: 'UserTeleported', schemaVersion: 1, data: {} }],
    };
    const bad = (await client.nc.jetstream().publish(client.s.events(accessStream('telegram')), JSON.stringify(body))).seq;
    const logs = new LogCapture();
    const service = createPairingService(testConfig(nats, { CONSUMER_NAME: CONSUMER }), { logger: logs.logger, onFatal: () => undefined });
    await expect(service.start()).rejects.toThrow(new RegExp(`position ${bad}`));
    expect(logs.text).toContain('state snapshot loaded');
    await client.jsm.streams.deleteMessage(client.s.streams.events, bad);
  });

  async function startAndStop(): Promise<LogCapture> {
    const logs = new LogCapture();
    const service = createPairingService(testConfig(nats, { CONSUMER_NAME: CONSUMER, SNAPSHOT_EVERY_SECONDS: '3600', SNAPSHOT_EVERY_EVENTS: '100000000' }), {
      logger: logs.logger,
      onFatal: () => undefined,
    });
    await service.start();
    await service.stop();
    return logs;
  }
});
