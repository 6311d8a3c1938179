/**
 * `twokey events replay` on worker threads (the compiled CLI, as operators run it): the same read models as a
 * replay in one thread and as `rebuild()`, whatever the number of workers, and a commit that cannot be read still
 * stops the replay with its position (fail closed), from inside a worker.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { subjects } from '@twokey/contracts';
import { JetStreamEventStore } from '@twokey/event-store';
import { connectNats, ensureStreams } from '@twokey/messaging';
import { readModelCounts } from '@twokey/read-models';
import { startNats, type NatsHarness } from '@twokey/test-support';
import type { NatsConnection } from 'nats';
import { rebuild } from '../src/cli/rebuild';
import { writeSyntheticLog } from './synthetic-log';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/apps/admin-api/src/cli/main.js');
const EVENTS = 30_000;
const CONNECTIONS = ['telegram', 'slack', 'discord', 'line', 'feishu'];

describe('twokey events replay on worker threads', () => {
  let nats: NatsHarness;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  const prefix = 'replayw';

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`not built: ${CLI}. Run \`npm run build\` (npm test does it first).`);
    nats = await startNats({ spawn: true });
    nc = await connectNats({ url: nats.url, name: 'replay-workers-test' });
    const s = subjects(prefix);
    await ensureStreams(await nc.jetstreamManager(), s);
    store = new JetStreamEventStore({ nc, subjects: s });
    // Commits of a few events and of hundreds, over five connections, so workers own uneven shares.
    await writeSyntheticLog(store, EVENTS / 2, CONNECTIONS, 3);
    await writeSyntheticLog(store, EVENTS / 2, CONNECTIONS, 400);
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.dispose();
  });

  const replay = (workers: number | string) => {
    const r = spawnSync(process.execPath, [CLI, 'events', 'replay', '--json', '--workers', String(workers), '--nats-url', nats.url, '--prefix', prefix], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ATTENTION_MAX_GROUPS: '2000' },
      timeout: 60_000,
    });
    return { status: r.status, stderr: r.stderr, summary: r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').pop()!) : undefined };
  };

  it('rebuilds the same read models with 0, 1, 2 or 5 workers as rebuild() does', async () => {
    const expected = readModelCounts((await rebuild(store, { maxAttentionGroups: 2000 })).models);
    expect(expected.events).toBe(EVENTS);
    expect(expected.connections).toBe(CONNECTIONS.length);
    for (const workers of [0, 1, 2, 5]) {
      const r = replay(workers);
      expect({ workers, status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ workers, status: 0, stderr: '' });
      expect(r.summary.counts).toEqual(expected);
      expect(r.summary.events).toBe(EVENTS);
    }
  });

  it('stops with the position of a commit a worker cannot read', async () => {
    const bad = await nc.jetstream().publish(subjects(prefix).events('activity-slack'), Buffer.from('{"stream":"activity-slack","firstVersion":1'));
    const r = replay(2);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`twokey events replay failed: event store: the commit at position ${bad.seq} cannot be read: not valid JSON`);
  });

  it('refuses a worker count that is not one', () => {
    const r = replay('two');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--workers must be an integer from 0 to 64/);
  });
});
